//! Authorization inside the state machine: signing subscriptions, encrypted channels'
//! keys (and getting a new one when an event does not open), and user sign-in.

use super::{is_encrypted, needs_auth, Action, Machine, Signin};
use crate::auth::{AuthError, ChannelAuth, UserAuth};
use crate::channel_kind::ChannelKind;
use crate::channels::Status;
use crate::crypto::{ChannelKey, DecryptError};
use crate::event::{Event, Message};
use crate::pusher_frame::{self, Data, Frame};

impl Machine {
    pub(super) fn is_current(&self, socket_id: &str) -> bool {
        self.is_open() && self.socket_id.as_deref() == Some(socket_id)
    }

    pub(super) fn current_socket(&self) -> String {
        self.socket_id.clone().unwrap_or_default()
    }

    /// Sends `pusher:subscribe`, after authorizing the channel when it needs it.
    pub(super) fn begin_subscribe(&mut self, name: &str) {
        if needs_auth(name) {
            if let Some(entry) = self.channels.get_mut(name) {
                entry.auth_mut().held = Some(Vec::new());
            }
            self.actions.push(Action::AuthorizeChannel {
                channel: name.to_owned(),
                socket_id: self.current_socket(),
            });
        } else {
            self.send(pusher_frame::subscribe(name, "", None));
        }
    }

    pub(super) fn on_channel_authorized(
        &mut self,
        name: &str,
        result: Result<ChannelAuth, AuthError>,
    ) {
        let Some(entry) = self.channels.get_mut(name) else {
            return; // unsubscribed meanwhile
        };
        if entry.auth.as_ref().is_some_and(|a| a.rekeying.is_some()) {
            return self.on_rekeyed(name, result);
        }
        if entry.status != Status::Pending {
            return;
        }
        let held = entry.auth.as_mut().and_then(|a| a.held.take());
        if entry.cancelled {
            self.channels.failed(name);
            self.emit(Event::ChannelRemoved {
                channel: name.to_owned(),
            });
            return;
        }
        match self.check_auth(name, result) {
            Ok(auth) => {
                let entry = self.channels.get_mut(name).expect("checked above");
                let kept = entry.auth_mut();
                if let Some(secret) = &auth.shared_secret {
                    kept.key = ChannelKey::from_base64(secret).map(Box::new);
                }
                kept.my_id = auth.channel_data.as_deref().and_then(member_id);
                if kept.key.is_none() && kept.my_id.is_none() {
                    // A private channel keeps nothing once its events are no longer held.
                    entry.auth = None;
                }
                self.send(pusher_frame::subscribe(
                    name,
                    &auth.auth,
                    auth.channel_data.as_deref(),
                ));
            }
            Err(e) => {
                self.channels.failed(name);
                self.log(&format!("Authorization of {name} failed: {e}"));
                self.emit(Event::Message(Message {
                    event: "pusher:subscription_error".into(),
                    channel: Some(name.to_owned()),
                    data: Some(Data::Json(e.subscription_error_data().to_string())),
                    user_id: None,
                }));
            }
        }
        // Client events triggered while authorizing follow the subscription, as they do with
        // pusher-js when its handler answers at once (refused, they still go: the server
        // answers them as it would have).
        for text in held.into_iter().flatten() {
            self.send(text);
        }
    }

    /// A client event on `channel`: held while the channel's authorization is on its way,
    /// sent at once otherwise.
    pub(super) fn send_client_event(&mut self, text: String, channel: Option<&str>) {
        let held = channel
            .and_then(|name| self.channels.get_mut(name))
            .and_then(|entry| entry.auth.as_mut()?.held.as_mut())
            .filter(|held| held.len() < crate::channels::MAX_HELD);
        match held {
            Some(held) => held.push(text),
            None => self.send(text),
        }
    }

    /// What an authorization must hold for this kind of channel.
    pub(super) fn check_auth(
        &self,
        name: &str,
        result: Result<ChannelAuth, AuthError>,
    ) -> Result<ChannelAuth, AuthError> {
        use crate::auth::AuthErrorKind::InvalidResponse;
        let auth = result?;
        if is_encrypted(name) {
            match auth.shared_secret.as_deref().map(ChannelKey::from_base64) {
                None => {
                    return Err(AuthError::new(
                        InvalidResponse,
                        format!(
                            "No shared_secret key in auth payload for encrypted channel: {name}"
                        ),
                    ))
                }
                Some(None) => {
                    return Err(AuthError::new(
                        InvalidResponse,
                        format!("shared_secret for {name} is not 32 bytes of base64"),
                    ))
                }
                Some(Some(_)) => {}
            }
        }
        if ChannelKind::of(name) == ChannelKind::Presence
            && auth.channel_data.as_deref().and_then(member_id).is_none()
        {
            return Err(AuthError::new(
                InvalidResponse,
                format!("channel_data for {name} must be JSON with a user_id"),
            ));
        }
        Ok(auth)
    }

    /// An event on an encrypted channel: decrypt it, or authorize again for a new key.
    pub(super) fn on_encrypted(&mut self, frame: Frame) {
        let name = frame
            .channel
            .clone()
            .expect("encrypted frames have a channel");
        let (open_now, socket_id) = (self.is_open(), self.current_socket());
        let Some(entry) = self.channels.get_mut(&name) else {
            return;
        };
        let kept = entry.auth_mut();
        if let Some(queue) = kept.rekeying.as_mut() {
            queue.push(frame);
            return;
        }
        let opened = match &kept.key {
            Some(key) => open(key, &frame),
            None => Err(DecryptError::WrongKey),
        };
        match opened {
            Ok(text) => self.emit_decrypted(frame, text),
            Err(DecryptError::WrongKey) if open_now => {
                // The key may have rotated: authorize once more, then retry.
                kept.rekeying = Some(vec![frame]);
                self.actions.push(Action::AuthorizeChannel {
                    channel: name,
                    socket_id,
                });
            }
            Err(e) => self.emit_decryption_error(frame, &e.to_string()),
        }
    }

    pub(super) fn on_rekeyed(&mut self, name: &str, result: Result<ChannelAuth, AuthError>) {
        let kept = self
            .channels
            .get_mut(name)
            .expect("caller checked")
            .auth_mut();
        let waiting = kept.rekeying.take().unwrap_or_default();
        let failure = match result {
            Ok(auth) => match auth
                .shared_secret
                .as_deref()
                .and_then(ChannelKey::from_base64)
            {
                Some(key) => {
                    kept.key = Some(Box::new(key));
                    None
                }
                None => Some(format!(
                    "No shared_secret key in auth payload for encrypted channel: {name}"
                )),
            },
            Err(e) => Some(e.message),
        };
        for frame in waiting {
            let opened = match (
                &failure,
                self.channels
                    .get_mut(name)
                    .and_then(|e| e.auth.as_ref()?.key.clone()),
            ) {
                (None, Some(key)) => open(&key, &frame).map_err(|e| e.to_string()),
                (Some(why), _) => Err(why.clone()),
                (None, None) => Err(DecryptError::WrongKey.to_string()),
            };
            match opened {
                Ok(text) => self.emit_decrypted(frame, text),
                Err(why) => self.emit_decryption_error(
                    frame,
                    &format!("Failed to decrypt event with new key ({why}); dropping it"),
                ),
            }
        }
    }

    pub(super) fn emit_decrypted(&mut self, frame: Frame, text: String) {
        self.emit(Event::Message(Message {
            event: frame.event,
            channel: frame.channel,
            data: Some(Data::Text(text)),
            user_id: None,
        }));
    }

    /// Reported on the channel as `pusher:decryption_error` `{event, error}`; delivery goes on.
    pub(super) fn emit_decryption_error(&mut self, frame: Frame, why: &str) {
        self.log(&format!(
            "Dropping {} on {:?}: {why}",
            frame.event, frame.channel
        ));
        let data = serde_json::json!({ "event": frame.event, "error": why }).to_string();
        self.emit(Event::Message(Message {
            event: "pusher:decryption_error".into(),
            channel: frame.channel,
            data: Some(Data::Json(data)),
            user_id: None,
        }));
    }

    pub(super) fn is_user_channel(&self, name: &str) -> bool {
        matches!(&self.signin, Signin::SignedIn { user_channel } if user_channel == name)
    }

    pub(super) fn begin_signin(&mut self) {
        if self.signin == Signin::Wanted && self.is_open() {
            self.signin = Signin::InFlight;
            self.actions.push(Action::AuthenticateUser {
                socket_id: self.current_socket(),
            });
        }
    }

    pub(super) fn on_user_authenticated(&mut self, result: Result<UserAuth, AuthError>) {
        match result {
            Ok(auth) => self.send(pusher_frame::signin(&auth.auth, &auth.user_data)),
            Err(e) => {
                self.signin = Signin::Wanted;
                self.emit_signin_error(&e);
            }
        }
    }

    pub(super) fn emit_signin_error(&mut self, e: &AuthError) {
        self.log(&format!("Sign-in failed: {e}"));
        self.emit(Event::Message(Message {
            event: "pusher:signin_error".into(),
            channel: None,
            data: Some(Data::Json(e.subscription_error_data().to_string())),
            user_id: None,
        }));
    }

    /// `pusher:signin_success`: subscribe to the user's own channel. False if invalid.
    pub(super) fn on_signin_success(&mut self, data: Option<&Data>) -> bool {
        #[derive(serde::Deserialize)]
        struct Success {
            user_data: String,
        }
        #[derive(serde::Deserialize)]
        struct User {
            id: serde_json::Value,
        }
        let id = data
            .and_then(Data::parse::<Success>)
            .and_then(|s| serde_json::from_str::<User>(&s.user_data).ok())
            .and_then(|u| match u.id {
                serde_json::Value::String(s) if !s.is_empty() => Some(s),
                _ => None,
            });
        let Some(id) = id else {
            self.signin = Signin::Wanted;
            self.emit_signin_error(&AuthError::new(
                crate::auth::AuthErrorKind::InvalidResponse,
                "user_data in pusher:signin_success must be JSON with a non-empty string id",
            ));
            return false;
        };
        let user_channel = format!("#server-to-user-{id}");
        self.send(pusher_frame::subscribe(&user_channel, "", None));
        self.signin = Signin::SignedIn { user_channel };
        true
    }
}

/// The `user_id` in presence `channel_data`, as a string (numbers are kept as their text).
fn member_id(channel_data: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Member {
        user_id: serde_json::Value,
    }
    match serde_json::from_str::<Member>(channel_data).ok()?.user_id {
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn open(key: &ChannelKey, frame: &Frame) -> Result<String, DecryptError> {
    match &frame.data {
        Some(Data::Text(t)) | Some(Data::Json(t)) => key.open(t),
        None => Err(DecryptError::Malformed("no data")),
    }
}
