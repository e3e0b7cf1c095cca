//! What the engine reports to its user: state changes, errors and channel events.

use crate::backlog::Backlog;
use crate::error::ConnectionError;
use crate::pusher_frame::Data;
use std::sync::Arc;
use std::time::Duration;

/// The connection states of pusher-js.
///
/// Transitions: `Initialized → Connecting` on connect; `Connecting → Connected` on the
/// handshake; `Connecting → Unavailable` after `unavailable_timeout` without a connection
/// (attempts go on, and success still leads to `Connected`); `Connected → Connecting` when
/// the socket is lost and a retry is scheduled; any state `→ Disconnected` on
/// `disconnect()` or when the server refuses the client (4001–4099); `Failed` is reserved for
/// a client that cannot connect at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Created, never connected.
    Initialized,
    /// Trying to connect, or waiting to try again.
    Connecting,
    /// Connected, with a socket id.
    Connected,
    /// No connection for longer than `unavailable_timeout`; still trying.
    Unavailable,
    /// Cannot connect at all.
    Failed,
    /// Disconnected on purpose, or refused by the server; not trying.
    Disconnected,
}

impl ConnectionState {
    /// The pusher-js name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Initialized => "initialized",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Unavailable => "unavailable",
            ConnectionState::Failed => "failed",
            ConnectionState::Disconnected => "disconnected",
        }
    }

    /// True when the client is not trying to connect and will not by itself.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ConnectionState::Initialized | ConnectionState::Failed | ConnectionState::Disconnected
        )
    }
}

/// An event from the server, after the engine has handled the protocol's own events.
///
/// `pusher_internal:` events become their public `pusher:` names
/// (`pusher:subscription_succeeded`, `pusher:subscription_count`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The event name.
    pub event: String,
    /// The channel, when the event belongs to one.
    pub channel: Option<String>,
    /// The payload, undecoded.
    pub data: Option<Data>,
    /// The sender of a presence client event.
    pub user_id: Option<String>,
}

/// One thing that happened, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The connection state changed; `socket_id` is set when the new state is `Connected`.
    StateChange {
        /// The state before.
        previous: ConnectionState,
        /// The state now.
        current: ConnectionState,
        /// The new socket id, on `Connected`.
        socket_id: Option<String>,
    },
    /// The next attempt to connect starts after `delay`.
    ConnectingIn {
        /// How long until the attempt.
        delay: Duration,
    },
    /// Something went wrong; the engine carries on as the state changes say.
    Error(ConnectionError),
    /// An event from the server, for a channel's and the global callbacks.
    Message(Message),
    /// A channel the user had unsubscribed from while its subscription was pending is gone.
    ChannelRemoved {
        /// Its name.
        channel: String,
    },
    /// A log line, when logging is on.
    Log(String),
}

/// The events of one turn of the engine, delivered together.
#[derive(Debug, Default)]
pub struct Batch {
    /// The events in order.
    pub events: Vec<Event>,
    /// How many sessions (`connect` and `disconnect` calls) the engine had taken when it made
    /// this batch, so a consumer that changed state on its own can tell stale batches apart.
    pub epoch: u64,
}

/// Where a client's events go. The binding implements it with one threadsafe function.
pub trait EventSink: Send + 'static {
    /// Takes one batch. Returns false when the consumer is gone, which stops the client.
    fn deliver(&mut self, batch: Batch) -> bool;

    /// The consumer's backlog, if it has one: while it is full the client stops reading.
    fn backlog(&self) -> Option<Arc<Backlog>> {
        None
    }
}

impl EventSink for tokio::sync::mpsc::UnboundedSender<Batch> {
    fn deliver(&mut self, batch: Batch) -> bool {
        self.send(batch).is_ok()
    }
}
