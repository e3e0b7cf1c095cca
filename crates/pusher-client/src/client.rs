//! The handle users hold: cheap to clone, every call a command to the connection task.

use crate::auth::SharedAuthorizer;
use crate::commands::{self, QueueItem, Sender, WeakSender};
use crate::connection;
use crate::event::EventSink;
use crate::options::ClientOptions;
use std::fmt;

/// A command from the handle to the connection task.
pub(crate) enum Command {
    Connect(Box<dyn EventSink>, Option<SharedAuthorizer>),
    RetryNow,
    Signin,
    Disconnect,
    Subscribe(String),
    Unsubscribe(String),
    /// Boxed: the rare large variant would otherwise size every slot of the command queue.
    SendEvent(Box<OutgoingEvent>),
    /// Sends were refused: the outgoing bound was reached (see `commands.rs`).
    SendRefused,
    /// A test hook: the connection task panics while handling it.
    Panic,
    Shutdown,
}

impl QueueItem for Command {
    fn send_bytes(&self) -> Option<usize> {
        match self {
            Command::SendEvent(e) => Some(e.bytes),
            _ => None,
        }
    }

    fn sends_refused() -> Self {
        Command::SendRefused
    }
}

/// An event the user sends.
pub(crate) struct OutgoingEvent {
    pub(crate) event: String,
    pub(crate) data: Option<String>,
    pub(crate) channel: Option<String>,
    /// What it counts against the outgoing bound.
    pub(crate) bytes: usize,
}

/// What a sent event is taken to weigh beyond its strings (the frame's JSON and the command).
const SEND_OVERHEAD: usize = 64;

/// A Pusher client. Dropping every clone ends its connection task and closes the socket.
///
/// ```no_run
/// # async fn demo() {
/// use pusher_client::{Client, ClientOptions};
/// let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
/// let client = Client::new(ClientOptions::new("key").cluster("eu"));
/// client.connect(Box::new(tx));
/// client.subscribe("news");
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    tx: Sender<Command>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Starts the connection task on the current tokio runtime; it waits for [`Client::connect`].
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn new(options: ClientOptions) -> Self {
        Self::with_runtime(options, &tokio::runtime::Handle::current())
    }

    /// Starts the connection task on the given runtime.
    pub fn with_runtime(options: ClientOptions, runtime: &tokio::runtime::Handle) -> Self {
        let (tx, rx) = commands::queue();
        runtime.spawn(connection::run(options, rx));
        Client { tx }
    }

    fn send(&self, cmd: Command) {
        // The task only ends after shutdown(); commands after that have nowhere to go.
        self.tx.send(cmd);
    }

    /// Connects (if not connected or trying), delivering events to `sink` from now on.
    ///
    /// Each call starts a new session: batches made after it carry a higher
    /// [`crate::Batch::epoch`]. The task lets go of the sink when it reaches a state it will not
    /// leave by itself (`disconnected`, `failed`): a consumer can tie its own lifetime to the
    /// sink's, and must pass a new sink to connect again.
    pub fn connect(&self, sink: Box<dyn EventSink>) {
        self.send(Command::Connect(sink, None));
    }

    /// Connects as [`Client::connect`] does, signing private, presence and encrypted
    /// subscriptions and sign-ins with `authorizer` during this session.
    pub fn connect_with_authorizer(&self, sink: Box<dyn EventSink>, authorizer: SharedAuthorizer) {
        self.send(Command::Connect(sink, Some(authorizer)));
    }

    /// Signs the user in once connected, and again after every reconnect.
    pub fn signin(&self) {
        self.send(Command::Signin);
    }

    /// While waiting to retry after a lost connection, tries now (and resets the back-off).
    /// Does nothing when connected, or when not trying to connect.
    pub fn retry_now(&self) {
        self.send(Command::RetryNow);
    }

    /// Disconnects and stops retrying (a new session); channels stay wanted for the next connect.
    pub fn disconnect(&self) {
        self.send(Command::Disconnect);
    }

    /// Subscribes to a channel now or, if not connected, once connected.
    pub fn subscribe(&self, channel: &str) {
        self.send(Command::Subscribe(channel.to_owned()));
    }

    /// Unsubscribes from a channel.
    pub fn unsubscribe(&self, channel: &str) {
        self.send(Command::Unsubscribe(channel.to_owned()));
    }

    /// Sends an event; `data` is JSON text. Dropped when not connected.
    ///
    /// Returns false, without queueing it, when the events waiting to be written would pass
    /// [`MAX_QUEUED_SEND_BYTES`](crate::MAX_QUEUED_SEND_BYTES) (a server that stops reading); the client then reports a
    /// [`Failure::Backpressure`](crate::Failure::Backpressure) error once for the run of
    /// refusals.
    pub fn send_event(&self, event: &str, data: Option<String>, channel: Option<&str>) -> bool {
        let bytes = SEND_OVERHEAD
            + event.len()
            + data.as_ref().map_or(0, String::len)
            + channel.map_or(0, str::len);
        let cmd = Command::SendEvent(Box::new(OutgoingEvent {
            event: event.to_owned(),
            data,
            channel: channel.map(str::to_owned),
            bytes,
        }));
        self.tx.send_event(cmd, bytes)
    }

    /// Test hook: makes the connection task panic, to check that it recovers (the socket is
    /// dropped, an error reported, and the client reconnects). Not part of the API.
    #[doc(hidden)]
    pub fn provoke_panic(&self) {
        self.send(Command::Panic);
    }

    /// Ends the connection task now, closing the socket, whatever other clones exist.
    pub fn shutdown(&self) {
        self.send(Command::Shutdown);
    }

    /// A handle that does not keep the connection task alive.
    pub fn downgrade(&self) -> WeakClient {
        WeakClient {
            tx: self.tx.downgrade(),
        }
    }
}

/// A [`Client`] handle that does not keep the task alive; for shutting clients down in bulk.
#[derive(Clone)]
pub struct WeakClient {
    tx: WeakSender<Command>,
}

impl fmt::Debug for WeakClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakClient")
            .field("alive", &self.is_alive())
            .finish()
    }
}

impl WeakClient {
    /// Shuts the client down if it still runs. Returns false if it had already ended.
    pub fn shutdown(&self) -> bool {
        self.tx.send(Command::Shutdown)
    }

    /// Whether the client's task may still be running.
    pub fn is_alive(&self) -> bool {
        self.tx.is_alive()
    }
}
