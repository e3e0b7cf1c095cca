//! The server's tables: connections, channels and presence members.
//!
//! Pure logic with no I/O: [`Hub::handle_text`] takes a frame a client sent
//! and returns the frames to send in reply, to that client or to others.
//!
//! Besides channels and presence it keeps the last event of each cache
//! channel, sends subscription counts (when enabled) and tracks who is online
//! for watchlists.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::frames::{self, ClientFrame};
use crate::{auth, AppConfig, ConnectionInfo, Transport};

/// A frame to send to one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// The receiving connection.
    pub socket_id: String,
    /// The text frame.
    pub text: String,
}

fn to(socket_id: &str, text: String) -> Delivery {
    Delivery {
        socket_id: socket_id.to_owned(),
        text,
    }
}

/// The socket id for the `n`th connection of a server: `"<a>.<b>"`, unique per `n`.
pub(crate) fn socket_id(n: u64) -> String {
    format!(
        "{}.{}",
        1000 + n,
        (n.wrapping_mul(7919).wrapping_add(104_729)) % 1_000_000
    )
}

/// The app key of a request path ending in `/app/<key>` (a query is allowed).
pub(crate) fn app_key_from_path(path: &str) -> Option<&str> {
    let path = path.split('?').next().unwrap_or_default();
    let start = path.rfind("/app/")? + "/app/".len();
    let key = &path[start..];
    (!key.is_empty() && !key.contains('/')).then_some(key)
}

/// What a channel name asks for.
#[derive(Debug, PartialEq, Eq)]
enum ChannelKind<'a> {
    Public,
    Private,
    Presence,
    /// `#server-to-user-<id>`.
    User(&'a str),
}

/// Prefixes of cache channels (and of their private, encrypted and presence variants).
const CACHE_PREFIXES: [&str; 4] = [
    "cache-",
    "private-cache-",
    "private-encrypted-cache-",
    "presence-cache-",
];

/// Whether `channel` is a cache channel, whose last event is replayed to new subscribers.
pub(crate) fn is_cache_channel(channel: &str) -> bool {
    CACHE_PREFIXES.iter().any(|p| channel.starts_with(p))
}

impl<'a> ChannelKind<'a> {
    fn of(channel: &'a str) -> Self {
        if let Some(user) = channel.strip_prefix("#server-to-user-") {
            Self::User(user)
        } else if channel.starts_with("private-") {
            Self::Private
        } else if channel.starts_with("presence-") {
            Self::Presence
        } else {
            Self::Public
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ChannelKey {
    app_key: String,
    name: String,
}

impl ChannelKey {
    fn new(app_key: &str, name: &str) -> Self {
        Self {
            app_key: app_key.to_owned(),
            name: name.to_owned(),
        }
    }
}

struct Connection {
    seq: u64,
    app_key: String,
    path: String,
    subscriptions: Vec<String>,
    user_id: Option<String>,
    /// User ids from the signed-in `user_data`'s `watchlist`.
    watchlist: Vec<String>,
    /// The upgrade request's headers.
    headers: Vec<(String, String)>,
    transport: Transport,
}

#[derive(Default)]
struct Channel {
    /// Socket ids in subscribe order.
    subscribers: Vec<String>,
    /// Presence: socket id to user id.
    presence: HashMap<String, String>,
    /// Presence: user id to member.
    members: BTreeMap<String, Member>,
}

impl Channel {
    fn has(&self, socket_id: &str) -> bool {
        self.subscribers.iter().any(|s| s == socket_id)
    }

    fn others<'a>(&'a self, socket_id: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.subscribers.iter().filter(move |s| *s != socket_id)
    }
}

struct Member {
    info: Value,
    connections: usize,
}

/// Apps, connections, channels and presence members.
pub(crate) struct Hub {
    apps: Vec<AppConfig>,
    connections: HashMap<String, Connection>,
    channels: HashMap<ChannelKey, Channel>,
    next_seq: u64,
    /// Send `pusher_internal:subscription_count` on non-presence channels.
    subscription_count: bool,
    /// The last event frame pushed on each cache channel, by channel name
    /// (pushes are not per app, so neither is the cache).
    cache: HashMap<String, String>,
}

impl Hub {
    /// An empty hub serving `apps`.
    pub fn new(apps: Vec<AppConfig>) -> Self {
        Self {
            apps,
            connections: HashMap::new(),
            channels: HashMap::new(),
            next_seq: 0,
            subscription_count: false,
            cache: HashMap::new(),
        }
    }

    /// Turns `pusher_internal:subscription_count` frames on or off.
    pub fn with_subscription_count(mut self, on: bool) -> Self {
        self.subscription_count = on;
        self
    }

    /// Keeps `text` as the cached event of `channel` if it is a cache channel.
    pub fn remember(&mut self, channel: &str, text: &str) {
        if is_cache_channel(channel) {
            self.cache.insert(channel.to_owned(), text.to_owned());
        }
    }

    /// The cached event frame of a cache channel.
    pub fn cached(&self, channel: &str) -> Option<&str> {
        self.cache.get(channel).map(String::as_str)
    }

    /// The app with this key.
    pub fn app(&self, key: &str) -> Option<&AppConfig> {
        self.apps.iter().find(|app| app.key == key)
    }

    /// Records a new connection.
    pub fn connect(&mut self, socket_id: &str, app_key: &str, path: &str) {
        self.next_seq += 1;
        let connection = Connection {
            seq: self.next_seq,
            app_key: app_key.to_owned(),
            path: path.to_owned(),
            subscriptions: Vec::new(),
            user_id: None,
            watchlist: Vec::new(),
            headers: Vec::new(),
            transport: Transport::WebSocket,
        };
        self.connections.insert(socket_id.to_owned(), connection);
    }

    /// Records the upgrade request's headers of a connection.
    pub fn set_headers(&mut self, socket_id: &str, headers: Vec<(String, String)>) {
        if let Some(c) = self.connections.get_mut(socket_id) {
            c.headers = headers;
        }
    }

    /// Records how a connection reaches the server.
    pub fn set_transport(&mut self, socket_id: &str, transport: Transport) {
        if let Some(c) = self.connections.get_mut(socket_id) {
            c.transport = transport;
        }
    }

    /// Forgets a connection and its subscriptions; returns the
    /// `member_removed`, `subscription_count` and watchlist `offline` frames
    /// for the others. Unknown ids are a no-op.
    pub fn disconnect(&mut self, socket_id: &str) -> Vec<Delivery> {
        let Some(connection) = self.connections.remove(socket_id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for channel in &connection.subscriptions {
            out.extend(self.leave(socket_id, &connection.app_key, channel));
        }
        if let Some(user_id) = &connection.user_id {
            if !self.is_online(&connection.app_key, user_id) {
                out.extend(self.tell_watchers(&connection.app_key, user_id, "offline", None));
            }
        }
        out
    }

    /// Forgets every connection without notifying anyone. Cached events stay.
    pub fn clear(&mut self) {
        self.connections.clear();
        self.channels.clear();
    }

    /// Handles one text frame from `socket_id`; returns what to send.
    /// Malformed or unknown frames yield nothing.
    pub fn handle_text(&mut self, socket_id: &str, text: &str) -> Vec<Delivery> {
        if !self.connections.contains_key(socket_id) {
            return Vec::new();
        }
        let Some(frame) = frames::parse_client(text) else {
            return Vec::new();
        };
        match frame.event.as_str() {
            "pusher:ping" => vec![to(socket_id, frames::pong())],
            "pusher:subscribe" => self.subscribe(socket_id, &frame.data),
            "pusher:unsubscribe" => self.unsubscribe(socket_id, &frame.data),
            "pusher:signin" => self.signin(socket_id, &frame.data),
            name if name.starts_with("client-") => self.client_event(socket_id, &frame),
            _ => Vec::new(),
        }
    }

    /// Socket ids subscribed to `channel`, in any app.
    pub fn subscribers(&self, channel: &str) -> Vec<String> {
        let mut keys: Vec<&ChannelKey> =
            self.channels.keys().filter(|k| k.name == channel).collect();
        keys.sort_by(|a, b| a.app_key.cmp(&b.app_key));
        keys.into_iter()
            .flat_map(|key| self.channels[key].subscribers.iter().cloned())
            .collect()
    }

    /// Every connection, oldest first.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        let mut connections: Vec<(&String, &Connection)> = self.connections.iter().collect();
        connections.sort_by_key(|(_, c)| c.seq);
        connections
            .into_iter()
            .map(|(socket_id, c)| ConnectionInfo {
                socket_id: socket_id.clone(),
                app_key: c.app_key.clone(),
                path: c.path.clone(),
                subscriptions: c.subscriptions.clone(),
                user_id: c.user_id.clone(),
                headers: c.headers.clone(),
                transport: c.transport,
            })
            .collect()
    }

    /// Presence members of `channel` (in any app) as `(user_id, user_info)`, sorted by id.
    pub fn members(&self, channel: &str) -> Vec<(String, Value)> {
        let mut members: Vec<(String, Value)> = self
            .channels
            .iter()
            .filter(|(key, _)| key.name == channel)
            .flat_map(|(_, ch)| {
                ch.members
                    .iter()
                    .map(|(id, m)| (id.clone(), m.info.clone()))
            })
            .collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        members
    }

    fn subscribe(&mut self, socket_id: &str, data: &Value) -> Vec<Delivery> {
        let Some(request) = frames::data_object(data) else {
            return Vec::new();
        };
        let Some(channel) = frames::str_field(&request, "channel").filter(|c| !c.is_empty()) else {
            return Vec::new();
        };
        let Some(connection) = self.connections.get(socket_id) else {
            return Vec::new();
        };
        let key = ChannelKey::new(&connection.app_key, channel);
        if self.channels.get(&key).is_some_and(|ch| ch.has(socket_id)) {
            let data = self.success_data(&key);
            return vec![to(
                socket_id,
                frames::subscription_succeeded(channel, &data),
            )];
        }
        let member = match self.authorize(socket_id, channel, &request) {
            Ok(member) => member,
            Err(message) => {
                return vec![to(socket_id, frames::subscription_error(channel, &message))]
            }
        };
        if let Some(connection) = self.connections.get_mut(socket_id) {
            connection.subscriptions.push(channel.to_owned());
        }
        let ch = self.channels.entry(key.clone()).or_default();
        ch.subscribers.push(socket_id.to_owned());
        let mut added = None;
        if let Some((user_id, info)) = member {
            ch.presence.insert(socket_id.to_owned(), user_id.clone());
            let entry = ch.members.entry(user_id.clone()).or_insert_with(|| Member {
                info: info.clone(),
                connections: 0,
            });
            entry.connections += 1;
            if entry.connections == 1 {
                added = Some(frames::member_added(channel, &user_id, &info));
            }
        }
        let data = self.success_data(&key);
        let mut out = vec![to(
            socket_id,
            frames::subscription_succeeded(channel, &data),
        )];
        if is_cache_channel(channel) {
            let cached = self.cached(channel).map(str::to_owned);
            out.push(to(
                socket_id,
                cached.unwrap_or_else(|| frames::cache_miss(channel)),
            ));
        }
        if let (Some(text), Some(ch)) = (added, self.channels.get(&key)) {
            out.extend(ch.others(socket_id).map(|other| to(other, text.clone())));
        }
        out.extend(self.counts(&key));
        out
    }

    /// `subscription_count` frames for every subscriber of a channel, when
    /// enabled and the channel is neither presence nor a user's own.
    fn counts(&self, key: &ChannelKey) -> Vec<Delivery> {
        if !self.subscription_count
            || matches!(
                ChannelKind::of(&key.name),
                ChannelKind::Presence | ChannelKind::User(_)
            )
        {
            return Vec::new();
        }
        let Some(ch) = self.channels.get(key) else {
            return Vec::new();
        };
        let text = frames::subscription_count(&key.name, ch.subscribers.len());
        ch.subscribers.iter().map(|s| to(s, text.clone())).collect()
    }

    /// Checks a subscription request; returns the presence member to add.
    fn authorize(
        &self,
        socket_id: &str,
        channel: &str,
        request: &Map<String, Value>,
    ) -> Result<Option<(String, Value)>, String> {
        let connection = self
            .connections
            .get(socket_id)
            .ok_or("unknown connection")?;
        let app = self.app(&connection.app_key).ok_or("unknown app")?;
        let given = frames::str_field(request, "auth");
        match ChannelKind::of(channel) {
            ChannelKind::Public => Ok(None),
            ChannelKind::User(user) if connection.user_id.as_deref() == Some(user) => Ok(None),
            ChannelKind::User(user) => Err(format!("Connection is not signed in as user {user}")),
            ChannelKind::Private => {
                check_signature(
                    app,
                    given,
                    channel,
                    &auth::channel_string(socket_id, channel, None),
                )?;
                Ok(None)
            }
            ChannelKind::Presence => {
                let Some(data) = frames::str_field(request, "channel_data") else {
                    return Err(format!("channel_data required to subscribe to {channel}"));
                };
                let signed = auth::channel_string(socket_id, channel, Some(data));
                check_signature(app, given, channel, &signed)?;
                presence_member(data).map(Some)
            }
        }
    }

    fn success_data(&self, key: &ChannelKey) -> Value {
        if ChannelKind::of(&key.name) != ChannelKind::Presence {
            return json!({});
        }
        let members = self.channels.get(key).map(|ch| &ch.members);
        let ids: Vec<&String> = members.into_iter().flat_map(|m| m.keys()).collect();
        let hash: Map<String, Value> = members
            .into_iter()
            .flat_map(|m| m.iter().map(|(id, m)| (id.clone(), m.info.clone())))
            .collect();
        json!({ "presence": { "count": ids.len(), "ids": ids, "hash": hash } })
    }

    fn unsubscribe(&mut self, socket_id: &str, data: &Value) -> Vec<Delivery> {
        let Some(request) = frames::data_object(data) else {
            return Vec::new();
        };
        let Some(channel) = frames::str_field(&request, "channel") else {
            return Vec::new();
        };
        let Some(connection) = self.connections.get_mut(socket_id) else {
            return Vec::new();
        };
        let before = connection.subscriptions.len();
        connection.subscriptions.retain(|c| c != channel);
        if connection.subscriptions.len() == before {
            return Vec::new();
        }
        let app_key = connection.app_key.clone();
        self.leave(socket_id, &app_key, channel)
    }

    /// Takes `socket_id` off a channel; returns `member_removed` frames when
    /// it was its user's last connection there, and the new subscription
    /// count for those left.
    fn leave(&mut self, socket_id: &str, app_key: &str, channel: &str) -> Vec<Delivery> {
        let key = ChannelKey::new(app_key, channel);
        let Some(ch) = self.channels.get_mut(&key) else {
            return Vec::new();
        };
        let before = ch.subscribers.len();
        ch.subscribers.retain(|s| s != socket_id);
        let left = ch.subscribers.len() != before;
        let mut out = Vec::new();
        if let Some(user_id) = ch.presence.remove(socket_id) {
            let last = ch.members.get_mut(&user_id).is_some_and(|member| {
                member.connections = member.connections.saturating_sub(1);
                member.connections == 0
            });
            if last {
                ch.members.remove(&user_id);
                let text = frames::member_removed(channel, &user_id);
                out.extend(ch.subscribers.iter().map(|s| to(s, text.clone())));
            }
        }
        if ch.subscribers.is_empty() {
            self.channels.remove(&key);
        } else if left {
            out.extend(self.counts(&key));
        }
        out
    }

    fn signin(&mut self, socket_id: &str, data: &Value) -> Vec<Delivery> {
        let (user_id, user_data) = match self.check_signin(socket_id, data) {
            Ok(signed) => signed,
            Err(message) => return vec![to(socket_id, frames::error(Some(4009), &message))],
        };
        let Some(app_key) = self.connections.get(socket_id).map(|c| c.app_key.clone()) else {
            return Vec::new();
        };
        // True also when this very connection signs in again as the same user.
        let was_online = self.is_online(&app_key, &user_id);
        let watched = watchlist(&user_data);
        if let Some(connection) = self.connections.get_mut(socket_id) {
            connection.user_id = Some(user_id.clone());
            connection.watchlist = watched.clone();
        }

        let mut out = vec![to(socket_id, frames::signin_success(&user_data))];
        let online: Vec<&str> = watched
            .iter()
            .map(String::as_str)
            .filter(|id| self.is_online(&app_key, id))
            .collect();
        if !online.is_empty() {
            out.push(to(socket_id, frames::watchlist_event("online", &online)));
        }
        if !was_online {
            out.extend(self.tell_watchers(&app_key, &user_id, "online", Some(socket_id)));
        }
        out
    }

    /// Whether some connection of the app is signed in as `user_id`.
    fn is_online(&self, app_key: &str, user_id: &str) -> bool {
        self.connections
            .values()
            .any(|c| c.app_key == app_key && c.user_id.as_deref() == Some(user_id))
    }

    /// A watchlist `online`/`offline` event about `user_id` for each signed-in
    /// connection of the app watching that user, oldest first, `except` one.
    fn tell_watchers(
        &self,
        app_key: &str,
        user_id: &str,
        name: &str,
        except: Option<&str>,
    ) -> Vec<Delivery> {
        let mut watchers: Vec<(&String, &Connection)> = self
            .connections
            .iter()
            .filter(|(id, c)| {
                Some(id.as_str()) != except
                    && c.app_key == app_key
                    && c.user_id.is_some()
                    && c.watchlist.iter().any(|w| w == user_id)
            })
            .collect();
        watchers.sort_by_key(|(_, c)| c.seq);
        let text = frames::watchlist_event(name, &[user_id]);
        watchers
            .into_iter()
            .map(|(id, _)| to(id, text.clone()))
            .collect()
    }

    /// Checks a `pusher:signin`; returns the user id and the `user_data` string.
    fn check_signin(&self, socket_id: &str, data: &Value) -> Result<(String, String), String> {
        let request = frames::data_object(data).ok_or("Invalid signin: data must be an object")?;
        let given = frames::str_field(&request, "auth");
        let user_data = frames::str_field(&request, "user_data")
            .ok_or("Invalid signin: user_data is required")?;
        let connection = self
            .connections
            .get(socket_id)
            .ok_or("unknown connection")?;
        let app = self.app(&connection.app_key).ok_or("unknown app")?;
        let signed = auth::user_string(socket_id, user_data);
        let expected = format!("{}:{}", app.key, auth::sign(&app.secret, &signed));
        if given != Some(expected.as_str()) {
            return Err(format!(
                "Invalid signature: Expected HMAC SHA256 hex digest of {signed}, but got {}",
                given.unwrap_or("nothing")
            ));
        }
        let user_id = match serde_json::from_str::<Value>(user_data) {
            Ok(Value::Object(object)) => match object.get("id") {
                Some(Value::String(id)) if !id.is_empty() => id.clone(),
                _ => return Err("Invalid user_data: id must be a non-empty string".to_owned()),
            },
            _ => return Err("Invalid user_data: not a JSON object".to_owned()),
        };
        if let Some(current) = connection.user_id.as_ref().filter(|u| **u != user_id) {
            return Err(format!("Connection is already signed in as {current}"));
        }
        Ok((user_id, user_data.to_owned()))
    }

    fn client_event(&self, socket_id: &str, frame: &ClientFrame) -> Vec<Delivery> {
        let reject = |why: String| {
            let message = format!("Client event {} rejected: {why}", frame.event);
            vec![to(socket_id, frames::error(None, &message))]
        };
        let Some(channel) = frame.channel.as_deref() else {
            return reject("no channel given".to_owned());
        };
        if channel.starts_with("private-encrypted-") {
            return reject(format!("not supported on encrypted channel {channel}"));
        }
        if !matches!(
            ChannelKind::of(channel),
            ChannelKind::Private | ChannelKind::Presence
        ) {
            return reject(format!("{channel} is not a private or presence channel"));
        }
        let Some(connection) = self.connections.get(socket_id) else {
            return Vec::new();
        };
        let key = ChannelKey::new(&connection.app_key, channel);
        let Some(ch) = self.channels.get(&key).filter(|ch| ch.has(socket_id)) else {
            return reject(format!("not subscribed to {channel}"));
        };
        let user_id = ch.presence.get(socket_id).map(String::as_str);
        let data = frames::relay_data(&frame.data);
        let text = frames::event(channel, &frame.event, &data, user_id);
        ch.others(socket_id)
            .map(|other| to(other, text.clone()))
            .collect()
    }
}

fn check_signature(
    app: &AppConfig,
    given: Option<&str>,
    channel: &str,
    signed: &str,
) -> Result<(), String> {
    let Some(given) = given else {
        return Err(format!(
            "Invalid signature: auth is required to subscribe to {channel}"
        ));
    };
    let expected = format!("{}:{}", app.key, auth::sign(&app.secret, signed));
    if given == expected {
        Ok(())
    } else {
        Err(format!(
            "Invalid signature: Expected HMAC SHA256 hex digest of {signed}, but got {given}"
        ))
    }
}

/// The user ids in `user_data`'s `watchlist` (strings, or numbers as
/// strings), without duplicates; anything else is ignored.
fn watchlist(user_data: &str) -> Vec<String> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(user_data) else {
        return Vec::new();
    };
    let Some(Value::Array(ids)) = object.get("watchlist") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = match id {
            Value::String(id) if !id.is_empty() => id.clone(),
            Value::Number(id) => id.to_string(),
            _ => continue,
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The `(user_id, user_info)` in presence `channel_data`; numeric ids become strings.
fn presence_member(channel_data: &str) -> Result<(String, Value), String> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(channel_data) else {
        return Err("Invalid channel_data: not a JSON object".to_owned());
    };
    let user_id = match object.get("user_id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err("Invalid channel_data: user_id is required".to_owned()),
    };
    let info = object.get("user_info").cloned().unwrap_or(Value::Null);
    Ok((user_id, info))
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
