//! The protocol engine as a pure state machine: inputs in, actions out, time passed in.
//!
//! [`Machine`] holds no socket and reads no clock. The socket loop (`connection.rs`) feeds it
//! [`Input`]s with the current `Instant`, carries out the [`Action`]s it returns, and sleeps
//! until [`Machine::poll_timeout`].

use crate::auth::{AuthError, ChannelAuth, UserAuth};
use crate::channel_kind::ChannelKind;
use crate::channels::{ChannelTable, Outcome};
use crate::error::{ConnectionError, ConnectionErrorKind, Failure};
use crate::event::{ConnectionState, Event, Message};
use crate::options::ClientOptions;
use crate::policy::{self, Jitter, Reconnect};
use crate::pusher_frame::{self, Data, Frame};
use std::time::{Duration, Instant};

/// Something that happened to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<'a> {
    /// The user asked to connect.
    Connect,
    /// The user asked to disconnect.
    Disconnect,
    /// The WebSocket upgrade of the socket last opened succeeded.
    SocketOpened,
    /// The socket last opened could not be opened, and why.
    SocketFailed(ConnectionError),
    /// One transport of the attempt failed while others still try to open: reported, and
    /// the attempt goes on.
    CandidateFailed(ConnectionError),
    /// The socket ended without a close frame (reset, end of stream, a protocol error), and
    /// why.
    SocketLost(ConnectionError),
    /// The socket loop recovered from a fault of its own (a panic) and dropped the socket.
    Fault(&'a str),
    /// A text frame arrived.
    Text(&'a str),
    /// A binary frame arrived (the protocol has none).
    Binary,
    /// A WebSocket ping or pong arrived: the peer is alive.
    Activity,
    /// The socket closed, with the close frame's code if there was one.
    SocketClosed {
        /// The close code.
        code: Option<u16>,
        /// The close reason or the I/O error.
        reason: &'a str,
    },
    /// The user subscribed to a channel.
    Subscribe(&'a str),
    /// The user unsubscribed from a channel.
    Unsubscribe(&'a str),
    /// The user asked to sign in (now, and after every reconnect).
    Signin,
    /// A channel authorization finished.
    ChannelAuthorized {
        /// The channel.
        channel: &'a str,
        /// The socket it was made for.
        socket_id: &'a str,
        /// The answer.
        result: Result<ChannelAuth, AuthError>,
    },
    /// A user authentication finished.
    UserAuthenticated {
        /// The socket it was made for.
        socket_id: &'a str,
        /// The answer.
        result: Result<UserAuth, AuthError>,
    },
    /// The user sent an event (`data` is JSON text).
    SendEvent {
        /// Event name.
        event: &'a str,
        /// JSON text of the payload.
        data: Option<&'a str>,
        /// The channel, if any.
        channel: Option<&'a str>,
    },
}

/// Something the socket loop must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open a new socket to this URL (any current one is already abandoned).
    Open(String),
    /// Close the current socket with this code, without waiting for it.
    Close(u16),
    /// Send a text frame on the current socket.
    Send(String),
    /// Report an event to the user.
    Emit(Event),
    /// Authorize a channel for this socket, then feed [`Input::ChannelAuthorized`].
    AuthorizeChannel {
        /// The channel.
        channel: String,
        /// The socket id to sign.
        socket_id: String,
    },
    /// Authenticate the user for this socket, then feed [`Input::UserAuthenticated`].
    AuthenticateUser {
        /// The socket id to sign.
        socket_id: String,
    },
}

/// Channels whose subscriptions must be signed.
fn needs_auth(channel: &str) -> bool {
    ChannelKind::of(channel).needs_auth()
}

fn is_encrypted(channel: &str) -> bool {
    ChannelKind::of(channel) == ChannelKind::Encrypted
}

/// Sign-in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Signin {
    /// `signin()` was never called.
    NotRequested,
    /// Wanted; nothing in flight on this connection.
    Wanted,
    /// Authentication or `pusher:signin` in flight.
    InFlight,
    /// Signed in on this connection, with the server-to-user channel.
    SignedIn { user_channel: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    None,
    /// Opening, or open and waiting for `pusher:connection_established`.
    Handshaking {
        deadline: Instant,
    },
    Open,
}

/// The Pusher connection state machine.
#[derive(Debug)]
pub struct Machine {
    opts: ClientOptions,
    use_tls: bool,
    /// Trying `wss://` as the fallback of a plain client (see [`ClientOptions::tls_fallback`]).
    on_fallback: bool,
    state: ConnectionState,
    socket: Socket,
    socket_id: Option<String>,
    activity_timeout: Duration,
    last_activity: Instant,
    pong_deadline: Option<Instant>,
    retry_at: Option<Instant>,
    unavailable_at: Option<Instant>,
    attempt: u32,
    /// Retries since the last connection (or `connect()`), for `max_reconnection_attempts`.
    retries: u32,
    channels: ChannelTable,
    signin: Signin,
    jitter: Jitter,
    actions: Vec<Action>,
}

impl Machine {
    /// A machine in the `initialized` state.
    pub fn new(opts: ClientOptions, now: Instant) -> Self {
        Machine {
            use_tls: opts.use_tls,
            on_fallback: false,
            activity_timeout: opts.activity_timeout,
            jitter: Jitter::new(opts.seed),
            opts,
            state: ConnectionState::Initialized,
            socket: Socket::None,
            socket_id: None,
            last_activity: now,
            pong_deadline: None,
            retry_at: None,
            unavailable_at: None,
            attempt: 0,
            retries: 0,
            channels: ChannelTable::default(),
            signin: Signin::NotRequested,
            actions: Vec::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The socket id of the current (or last) connection.
    pub fn socket_id(&self) -> Option<&str> {
        self.socket_id.as_deref()
    }

    /// The activity timeout in force (the smaller of the option and the server's).
    pub fn activity_timeout(&self) -> Duration {
        self.activity_timeout
    }

    /// Whether a frame sent now would go out on an established connection.
    pub fn is_open(&self) -> bool {
        self.socket == Socket::Open
    }

    /// Takes the actions produced so far, in order.
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }

    /// The options it was made with.
    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// Takes the actions into `out` (an empty `out` takes the whole buffer, allocation and all).
    pub fn drain_actions_into(&mut self, out: &mut Vec<Action>) {
        if out.is_empty() {
            std::mem::swap(out, &mut self.actions);
        } else {
            out.append(&mut self.actions);
        }
    }

    /// Gives back action capacity above `keep` (after a burst).
    pub fn shrink_actions(&mut self, keep: usize) {
        if self.actions.capacity() > keep {
            self.actions.shrink_to(keep);
        }
    }

    /// The earliest moment [`Machine::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut consider = |d: Option<Instant>| {
            if let Some(d) = d {
                t = Some(t.map_or(d, |t| t.min(d)));
            }
        };
        consider(self.retry_at);
        consider(self.unavailable_at);
        match self.socket {
            Socket::Handshaking { deadline } => consider(Some(deadline)),
            Socket::Open => consider(Some(
                self.pong_deadline
                    .unwrap_or(self.last_activity + self.activity_timeout),
            )),
            Socket::None => {}
        }
        t
    }

    /// Fires every timer that is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.unavailable_at.is_some_and(|t| t <= now) {
            self.unavailable_at = None;
            if self.state == ConnectionState::Connecting {
                self.set_state(ConnectionState::Unavailable);
            }
        }
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
            self.open(now);
        }
        match self.socket {
            Socket::Handshaking { deadline } if deadline <= now => {
                self.emit_error(ConnectionError::socket(
                    Failure::Timeout,
                    format!(
                        "no connection within {} ms",
                        self.opts.attempt_timeout.as_millis()
                    ),
                ));
                self.abandon(1000);
                self.retry(Reconnect::Backoff, now);
            }
            Socket::Open => match self.pong_deadline {
                Some(t) if t <= now => {
                    self.log("Pong timeout: reconnecting");
                    // Closed with 1000, as pusher-js closes it.
                    self.abandon(1000);
                    self.retry(Reconnect::Immediately, now);
                }
                None if self.last_activity + self.activity_timeout <= now => {
                    self.send(pusher_frame::PING.to_owned());
                    self.pong_deadline = Some(now + self.opts.pong_timeout);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Handles one input at `now`.
    pub fn handle(&mut self, input: Input<'_>, now: Instant) {
        match input {
            Input::Connect => self.connect(now),
            Input::Disconnect => self.disconnect(),
            Input::SocketOpened => {}
            Input::SocketFailed(err) => {
                if matches!(self.socket, Socket::Handshaking { .. }) {
                    self.socket = Socket::None;
                    self.emit_error(err);
                    self.retry(Reconnect::Backoff, now);
                }
            }
            Input::CandidateFailed(err) => {
                if matches!(self.socket, Socket::Handshaking { .. }) {
                    self.emit_error(err);
                }
            }
            Input::SocketLost(err) => self.on_lost(err, now),
            Input::Fault(why) => {
                let err = ConnectionError::socket(
                    Failure::Internal,
                    format!("internal error, connection restarted: {why}"),
                );
                match self.socket {
                    Socket::None => self.emit_error(err),
                    _ => {
                        self.abandon(1011);
                        self.emit_error(err);
                        self.retry(Reconnect::Backoff, now);
                    }
                }
            }
            Input::Text(text) => self.on_text(text, now),
            Input::Binary => {
                self.touch(now);
                let err =
                    ConnectionError::parse("binary frames are not part of the Pusher protocol", "");
                match self.socket {
                    Socket::Handshaking { .. } => self.handshake_error(err, now),
                    _ => self.emit_error(err),
                }
            }
            Input::Activity => self.touch(now),
            Input::SocketClosed { code, reason } => self.on_closed(code, reason, now),
            Input::Subscribe(name) => {
                if self.channels.subscribe(name, self.is_open()) == Outcome::Subscribe {
                    self.begin_subscribe(name);
                }
            }
            Input::Signin => {
                if self.signin == Signin::NotRequested {
                    self.signin = Signin::Wanted;
                }
                self.begin_signin();
            }
            Input::ChannelAuthorized {
                channel,
                socket_id,
                result,
            } => {
                if self.is_current(socket_id) {
                    self.on_channel_authorized(channel, result);
                }
            }
            Input::UserAuthenticated { socket_id, result } => {
                if self.is_current(socket_id) && self.signin == Signin::InFlight {
                    self.on_user_authenticated(result);
                }
            }
            Input::Unsubscribe(name) => {
                if self.channels.unsubscribe(name) == Outcome::Unsubscribe && self.is_open() {
                    self.send(pusher_frame::unsubscribe(name));
                }
            }
            Input::SendEvent {
                event,
                data,
                channel,
            } => {
                if self.is_open() {
                    self.send_client_event(pusher_frame::event(event, data, channel), channel);
                }
            }
        }
    }

    fn connect(&mut self, now: Instant) {
        match self.state {
            ConnectionState::Connected => {}
            ConnectionState::Connecting | ConnectionState::Unavailable => {
                // A manual connect() while waiting to retry: start over, now.
                if self.retry_at.take().is_some() {
                    self.attempt = 0;
                    self.retries = 0;
                    self.open(now);
                }
            }
            _ => {
                self.attempt = 0;
                self.retries = 0;
                self.set_state(ConnectionState::Connecting);
                self.unavailable_at = Some(now + self.opts.unavailable_timeout);
                self.open(now);
            }
        }
    }

    fn disconnect(&mut self) {
        if self.socket != Socket::None {
            self.abandon(1000);
        }
        self.retry_at = None;
        self.unavailable_at = None;
        self.attempt = 0;
        self.on_fallback = false;
        self.set_state(ConnectionState::Disconnected);
    }

    fn open(&mut self, now: Instant) {
        self.socket = Socket::Handshaking {
            deadline: now + self.opts.attempt_timeout,
        };
        self.actions.push(Action::Open(
            self.opts.url_with_tls(self.use_tls || self.on_fallback),
        ));
    }

    /// Drops the current socket, closing it with `code`.
    fn abandon(&mut self, code: u16) {
        self.socket = Socket::None;
        self.pong_deadline = None;
        self.actions.push(Action::Close(code));
    }

    fn touch(&mut self, now: Instant) {
        self.last_activity = now;
        self.pong_deadline = None;
    }

    /// No attempt left (`max_reconnection_attempts`): stop, say why, end `disconnected`.
    fn give_up(&mut self, max: u32) {
        self.retry_at = None;
        self.unavailable_at = None;
        self.attempt = 0;
        self.retries = 0;
        self.on_fallback = false;
        self.emit_error(ConnectionError::socket(
            Failure::GaveUp,
            format!(
                "gave up reconnecting: {} attempts in a row failed (maxReconnectionAttempts: {max})",
                max + 1
            ),
        ));
        self.set_state(ConnectionState::Disconnected);
    }

    /// Schedules the next attempt after a lost or failed connection.
    fn retry(&mut self, how: Reconnect, now: Instant) {
        if how == Reconnect::Never {
            self.retry_at = None;
            self.unavailable_at = None;
            self.set_state(ConnectionState::Disconnected);
            return;
        }
        self.retries += 1;
        if let Some(max) = self.opts.max_reconnection_attempts {
            if self.retries > max {
                return self.give_up(max);
            }
        }
        if how == Reconnect::WithTls {
            self.use_tls = true;
        }
        // An attempt that failed before connecting: a plain client with the fallback
        // alternates between ws:// and wss:// until one connects, then keeps that one.
        if self.state != ConnectionState::Connected && self.opts.tls_fallback && !self.use_tls {
            self.on_fallback = !self.on_fallback;
        }
        if self.state == ConnectionState::Connected {
            self.set_state(ConnectionState::Connecting);
            self.unavailable_at = Some(now + self.opts.unavailable_timeout);
        }
        let delay = match how {
            Reconnect::Backoff => {
                self.attempt += 1;
                policy::backoff(
                    self.attempt,
                    self.jitter.next_unit(),
                    self.opts.max_reconnect_gap,
                )
            }
            _ => Duration::ZERO,
        };
        if delay.is_zero() {
            self.open(now);
        } else {
            self.emit(Event::ConnectingIn { delay });
            self.retry_at = Some(now + delay);
        }
    }

    /// The socket ended without a close frame.
    fn on_lost(&mut self, err: ConnectionError, now: Instant) {
        if self.socket == Socket::None {
            return; // a socket we already abandoned
        }
        let was_open = self.socket == Socket::Open;
        self.socket = Socket::None;
        self.pong_deadline = None;
        if was_open && err.failure == Failure::Lost {
            // An open connection gone without a close frame: reported as pusher-js reports
            // it, a PusherError with the abnormal-closure code 1006.
            self.emit_error(ConnectionError::pusher(Some(1006), err.message).failed(Failure::Lost));
        } else {
            self.emit_error(err);
        }
        self.log(&format!(
            "Socket lost {}",
            if was_open {
                "after connecting"
            } else {
                "while connecting"
            }
        ));
        self.retry(Reconnect::Backoff, now);
    }

    fn on_closed(&mut self, code: Option<u16>, reason: &str, now: Instant) {
        if self.socket == Socket::None {
            return; // a socket we already abandoned
        }
        let was_open = self.socket == Socket::Open;
        self.socket = Socket::None;
        self.pong_deadline = None;
        match code {
            // A clean close (a close frame without a code included) is no error, as in pusher-js.
            Some(1000) | Some(1001) | None => {}
            // Only the Pusher protocol's own codes are Pusher errors; any other close is a
            // dropped connection, retried by `policy::on_close`.
            Some(c @ 4000..=4999) => self.emit_error(
                ConnectionError::pusher(Some(c.into()), reason).failed(Failure::Closed),
            ),
            Some(c) => self.emit_error(
                ConnectionError::socket(
                    Failure::Closed,
                    format!("connection closed with code {c} {reason}").trim_end(),
                )
                .with_code(c.into()),
            ),
        }
        self.log(&format!(
            "Socket closed ({}) {}",
            code.map_or("no code".to_owned(), |c| c.to_string()),
            if was_open {
                "after connecting"
            } else {
                "while connecting"
            }
        ));
        self.retry(policy::on_close(code), now);
    }

    fn on_text(&mut self, text: &str, now: Instant) {
        self.touch(now);
        let frame = match pusher_frame::decode(text) {
            Ok(f) => f,
            Err(e) => {
                let err = ConnectionError::parse(e.to_string(), text);
                // A first frame that cannot be read is a failed handshake: retried.
                match self.socket {
                    Socket::Handshaking { .. } => self.handshake_error(err, now),
                    _ => self.emit_error(err),
                }
                return;
            }
        };
        if self.opts.logging() {
            self.log(&format!("Event recd {}", pusher_frame::redact(text)));
        }
        match self.socket {
            Socket::Handshaking { .. } => self.on_handshake(frame, now),
            Socket::Open => self.on_event(frame),
            Socket::None => {}
        }
    }

    fn on_handshake(&mut self, frame: Frame, now: Instant) {
        #[derive(serde::Deserialize)]
        struct Established {
            socket_id: String,
            activity_timeout: Option<u64>,
        }
        match frame.event.as_str() {
            "pusher:connection_established" => {
                let Some(est) = frame.data.as_ref().and_then(Data::parse::<Established>) else {
                    return self.handshake_failed("Invalid handshake", now);
                };
                if !is_socket_id(&est.socket_id) {
                    return self.handshake_failed("Invalid socket_id in handshake", now);
                }
                let Some(server_timeout) = est.activity_timeout else {
                    return self
                        .handshake_failed("No activity timeout specified in handshake", now);
                };
                // A server value of 0 would mean pinging without pause: ignore it.
                self.activity_timeout = match server_timeout {
                    0 => self.opts.activity_timeout,
                    s => self.opts.activity_timeout.min(Duration::from_secs(s)),
                };
                self.socket = Socket::Open;
                self.socket_id = Some(est.socket_id);
                self.attempt = 0;
                self.retries = 0;
                self.retry_at = None;
                self.unavailable_at = None;
                self.last_activity = now;
                self.set_state(ConnectionState::Connected);
                if self.signin != Signin::NotRequested {
                    self.signin = Signin::Wanted;
                    self.begin_signin();
                }
                for name in self.channels.resubscribe_all() {
                    self.begin_subscribe(&name);
                }
            }
            "pusher:error" => {
                let err = pusher_error(frame.data.as_ref(), "pusher:error during handshake")
                    .failed(Failure::Handshake);
                let code = err.code.and_then(|c| u16::try_from(c).ok());
                self.emit_error(err);
                self.abandon(1000);
                self.retry(policy::on_close(code), now);
            }
            _ => self.handshake_failed("Invalid handshake", now),
        }
    }

    fn handshake_failed(&mut self, why: &str, now: Instant) {
        self.handshake_error(
            ConnectionError::new(ConnectionErrorKind::HandshakeError, why),
            now,
        );
    }

    /// Reports `err` (as a handshake failure), drops the socket and retries after a back-off.
    fn handshake_error(&mut self, err: ConnectionError, now: Instant) {
        self.emit_error(err.failed(Failure::Handshake));
        self.abandon(1002);
        self.retry(Reconnect::Backoff, now);
    }

    fn on_event(&mut self, frame: Frame) {
        if let Some(name) = frame.channel.as_deref() {
            if is_encrypted(name) && !frame.event.starts_with("pusher") {
                return self.on_encrypted(frame);
            }
        }
        let Frame {
            event,
            channel,
            data,
            mut user_id,
        } = frame;
        let public_name = match event.as_str() {
            "pusher:ping" => {
                self.send(pusher_frame::PONG.to_owned());
                None
            }
            "pusher:error" => {
                self.emit_error(pusher_error(data.as_ref(), ""));
                None
            }
            "pusher_internal:subscription_succeeded" => {
                let Some(name) = channel.as_deref() else {
                    return;
                };
                match self.channels.succeeded(name) {
                    Outcome::Succeeded => {
                        // Presence: tell the user which member is us.
                        user_id = self
                            .channels
                            .get_mut(name)
                            .and_then(|e| e.auth.as_ref()?.my_id.clone());
                        Some("pusher:subscription_succeeded")
                    }
                    Outcome::CancelledRemove => {
                        self.send(pusher_frame::unsubscribe(name));
                        self.emit(Event::ChannelRemoved {
                            channel: name.to_owned(),
                        });
                        return;
                    }
                    // The signed-in user's own channel: the user can now be reached.
                    _ if self.is_user_channel(name) => Some("pusher:subscription_succeeded"),
                    _ => return,
                }
            }
            "pusher:subscription_error" => {
                if let Some(name) = channel.as_deref() {
                    if self.channels.failed(name) == Some(true) {
                        self.emit(Event::ChannelRemoved {
                            channel: name.to_owned(),
                        });
                    }
                }
                None
            }
            "pusher:signin_success" => {
                if !self.on_signin_success(data.as_ref()) {
                    return;
                }
                None
            }
            "pusher_internal:watchlist_events" => None,
            "pusher_internal:subscription_count" => Some("pusher:subscription_count"),
            "pusher_internal:member_added" => Some("pusher:member_added"),
            "pusher_internal:member_removed" => Some("pusher:member_removed"),
            e if e.starts_with("pusher_internal:") => return,
            _ => None,
        };
        let event = match public_name {
            Some(n) => n.to_owned(),
            None => event,
        };
        self.emit(Event::Message(Message {
            event,
            channel,
            data,
            user_id,
        }));
    }

    fn set_state(&mut self, new: ConnectionState) {
        if new == self.state {
            return;
        }
        let previous = self.state;
        self.state = new;
        if matches!(
            new,
            ConnectionState::Connecting | ConnectionState::Disconnected
        ) {
            if self.signin != Signin::NotRequested {
                self.signin = Signin::Wanted;
            }
            for channel in self.channels.reset() {
                self.emit(Event::ChannelRemoved { channel });
            }
        }
        self.emit(Event::StateChange {
            previous,
            current: new,
            socket_id: if new == ConnectionState::Connected {
                self.socket_id.clone()
            } else {
                None
            },
        });
    }

    fn send(&mut self, text: String) {
        if self.opts.logging() {
            self.log(&format!("Event sent {}", pusher_frame::redact(&text)));
        }
        self.actions.push(Action::Send(text));
    }

    fn emit(&mut self, event: Event) {
        self.actions.push(Action::Emit(event));
    }

    fn emit_error(&mut self, err: ConnectionError) {
        self.log(&format!("Error: {err}"));
        self.emit(Event::Error(err));
    }

    fn log(&mut self, line: &str) {
        if self.opts.logging() {
            self.emit(Event::Log(line.to_owned()));
        }
    }
}

/// Whether `id` has the form of a Pusher socket id, two runs of digits joined by a dot (the
/// form Pusher's server libraries check before signing it).
fn is_socket_id(id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    id.split_once('.')
        .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// The `{code, message}` of a `pusher:error`, as an error event; `fallback` when unreadable.
fn pusher_error(data: Option<&Data>, fallback: &str) -> ConnectionError {
    #[derive(serde::Deserialize)]
    struct Wire {
        code: Option<i64>,
        #[serde(default)]
        message: String,
    }
    match data.and_then(Data::parse::<Wire>) {
        Some(w) => ConnectionError::pusher(w.code, w.message),
        None => ConnectionError::pusher(None, fallback),
    }
}

#[path = "state_auth.rs"]
mod auth;

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
