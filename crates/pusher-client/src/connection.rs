//! The socket loop: one tokio task per client owning its socket (a WebSocket, or a session of
//! the HTTP transports), driving the [`Machine`].
//!
//! Each turn polls everything the connection waits on together, as async-nats's connection
//! handler does: the socket's pending writes, commands, the socket being opened, frames,
//! authorizations and the machine's next deadline. Writing is one of those things, never a
//! step that must finish first, so a server that stops reading cannot hold back the pong
//! deadline, `disconnect()` or shutdown. Events the user sends are taken only while the
//! write buffer is below [`WRITE_HIGH_WATER`]; until then they wait in the command queue,
//! bounded in bytes (`commands.rs`).
//!
//! A panic in a turn (here, in the machine, or in an authorization future) is caught: the
//! socket is dropped, an error reported, and the machine retries after a back-off.

use crate::auth::{AuthError, ChannelAuth, SharedAuthorizer, UserAuth};
use crate::backlog::Backlog;
use crate::client::Command;
use crate::commands::{Receiver, MAX_QUEUED_SEND_BYTES};
use crate::error::{ConnectionError, Failure};
use crate::event::{Batch, ConnectionState, Event, EventSink};
use crate::options::ClientOptions;
use crate::socket::{Socket, SocketEnd};
use crate::state::{Action, Input, Machine};
use crate::transport_plan::{self, Dialer};
use crate::ws_error::WebSocketErrorKind;
use crate::ws_frame::Incoming;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use std::any::Any;
use std::future::{poll_fn, Future};
use std::io;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, Sleep};

/// A socket being opened (TCP, proxy, TLS, upgrade).
type SocketOpenFuture = Pin<Box<dyn Future<Output = Result<Socket, ConnectionError>> + Send>>;
/// An authorization request in flight.
type AuthFuture = Pin<Box<dyn Future<Output = AuthDone> + Send>>;
/// Ready once a full backlog has room again.
type BacklogRoomFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A finished authorization, with what it was for.
enum AuthDone {
    Channel {
        channel: String,
        socket_id: String,
        result: Result<ChannelAuth, AuthError>,
    },
    User {
        socket_id: String,
        result: Result<UserAuth, AuthError>,
    },
}

/// Frames read in one turn before the batch is delivered (the last read is used up whole).
const MAX_FRAMES_PER_TURN: usize = 512;
/// Bytes read in one turn before the batch is delivered: keeps a batch's text under V8's
/// large-object size (128 KiB), where strings are cheapest to make and to collect.
const MAX_BYTES_PER_TURN: usize = 64 * 1024;
/// Commands taken in one turn.
const MAX_COMMANDS_PER_TURN: usize = 256;
/// Unwritten bytes above which no more sent events are taken from the queue.
pub(crate) const WRITE_HIGH_WATER: usize = 64 * 1024;
/// Unwritten bytes at which the server is taken for dead. Sent events can take the buffer
/// past the high-water mark by one event, which the queue's bound keeps under
/// [`MAX_QUEUED_SEND_BYTES`]; only the engine's own frames (pongs, subscriptions) add to
/// that, and never this much.
const WRITE_HARD_LIMIT: usize = 2 * WRITE_HIGH_WATER + MAX_QUEUED_SEND_BYTES;
/// Turns in a row that may panic before the task gives up (and reports `failed`).
const MAX_FAULTS_IN_A_ROW: u32 = 3;

/// What the socket loop of one client owns: the machine, the socket, the futures in flight
/// and the batch being gathered.
struct SocketLoop {
    machine: Machine,
    socket: Option<Socket>,
    opening: Option<SocketOpenFuture>,
    /// Transports of the attempt being opened that failed while others still try.
    opening_failures: Option<UnboundedReceiver<ConnectionError>>,
    sink: Option<Box<dyn EventSink>>,
    backlog: Option<Arc<Backlog>>,
    /// Waiting for room in a full backlog.
    backlog_room: Option<BacklogRoomFuture>,
    authorizer: Option<SharedAuthorizer>,
    authorizing: FuturesUnordered<AuthFuture>,
    events: Vec<Event>,
    actions: Vec<Action>,
    epoch: u64,
}

/// The connection task of one client: turns until shutdown, or until every handle is gone.
pub(crate) async fn run(options: ClientOptions, mut commands: Receiver<Command>) {
    let mut socket_loop = SocketLoop {
        machine: Machine::new(options, Instant::now().into_std()),
        socket: None,
        opening: None,
        opening_failures: None,
        sink: None,
        backlog: None,
        backlog_room: None,
        authorizer: None,
        authorizing: FuturesUnordered::new(),
        events: Vec::new(),
        actions: Vec::new(),
        epoch: 0,
    };
    let timer = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(timer);
    let mut faults = 0;
    loop {
        let turn = AssertUnwindSafe(socket_loop.turn(&mut commands, timer.as_mut()))
            .catch_unwind()
            .await;
        match turn {
            Ok(true) => faults = 0,
            Ok(false) => break,
            Err(panic) => {
                faults += 1;
                if !socket_loop.recover(&*panic, faults) {
                    break;
                }
            }
        }
    }
    socket_loop.close_socket(1000);
}

/// The text of a panic's payload.
impl SocketLoop {
    /// Carries out what the last turn produced, then waits for something to happen. False
    /// ends the task.
    async fn turn(&mut self, commands: &mut Receiver<Command>, mut timer: Pin<&mut Sleep>) -> bool {
        if !self.apply_actions_and_deliver() {
            return false;
        }
        poll_fn(|cx| self.poll_once(cx, commands, timer.as_mut())).await
    }

    /// After a panic in a turn: drops the socket and whatever was in flight, tells the
    /// machine (which reports it and retries), and delivers. False when the faults keep
    /// coming: the client is then reported `failed` and the task ends.
    fn recover(&mut self, panic: &(dyn Any + Send), faults: u32) -> bool {
        let why = crate::error::panic_message(panic).to_owned();
        // Whatever the panic interrupted may be half done: start the connection afresh.
        self.socket = None;
        self.opening = None;
        self.opening_failures = None;
        self.backlog_room = None;
        self.authorizing = FuturesUnordered::new();
        self.actions.clear();
        if faults < MAX_FAULTS_IN_A_ROW {
            let handled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.input(Input::Fault(&why));
            }));
            if handled.is_ok() {
                return true;
            }
        }
        // The machine itself cannot be trusted any more: report and stop.
        let failed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let previous = self.machine.state();
            self.machine = Machine::new(self.machine.options().clone(), Instant::now().into_std());
            let err = ConnectionError::socket(
                Failure::Internal,
                format!("internal error, the client stopped: {why}"),
            );
            self.events.push(Event::Error(err));
            self.events.push(Event::StateChange {
                previous,
                current: ConnectionState::Failed,
                socket_id: None,
            });
            self.deliver();
        }));
        drop(failed);
        self.sink = None;
        false
    }

    /// One poll of everything the connection waits on. Ready (true) once something happened
    /// that the machine or the user must hear of; ready (false) when the task must end.
    fn poll_once(
        &mut self,
        cx: &mut Context<'_>,
        commands: &mut Receiver<Command>,
        mut timer: Pin<&mut Sleep>,
    ) -> Poll<bool> {
        let mut happened = self.poll_write(cx);
        // Commands. Events the user sends only while the write buffer has room: they wait in
        // the bounded queue meanwhile; everything else is taken at once.
        for _ in 0..MAX_COMMANDS_PER_TURN {
            let room = self
                .socket
                .as_ref()
                .is_none_or(|socket| socket.unwritten() < WRITE_HIGH_WATER);
            match commands.poll_recv(cx, room) {
                Poll::Ready(Some(cmd)) => {
                    happened = true;
                    if !self.apply_command(cmd) {
                        return Poll::Ready(false);
                    }
                    // Frames go to the write buffer now, so the next command sees its size.
                    self.apply_actions();
                }
                Poll::Ready(None) => return Poll::Ready(false),
                Poll::Pending => break,
            }
        }
        if self.poll_write(cx) {
            happened = true;
        }
        while let Some(Poll::Ready(Some(e))) =
            self.opening_failures.as_mut().map(|f| f.poll_recv(cx))
        {
            happened = true;
            self.input(Input::CandidateFailed(e));
        }
        if let Some(opening) = self.opening.as_mut() {
            if let Poll::Ready(opened) = opening.as_mut().poll(cx) {
                happened = true;
                self.opening = None;
                self.opening_failures = None;
                self.socket_opened(opened);
            }
        }
        // A consumer that is behind: read nothing (and judge no silence) until it catches up.
        let reading = self.poll_backlog(cx, &mut happened);
        if reading && self.poll_reads(cx) {
            happened = true;
        }
        while let Poll::Ready(Some(done)) = self.authorizing.poll_next_unpin(cx) {
            happened = true;
            self.auth_finished(done);
        }
        if reading {
            if let Some(deadline) = self.machine.poll_timeout().map(Instant::from_std) {
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                if timer.as_mut().poll(cx).is_ready() {
                    happened = true;
                    self.machine.handle_timeout(Instant::now().into_std());
                }
            }
        }
        if happened {
            Poll::Ready(true)
        } else {
            Poll::Pending
        }
    }

    /// Writes what waits, as far as the socket takes it. True when the socket broke.
    fn poll_write(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(socket) = self.socket.as_mut().filter(|socket| socket.wants_flush()) else {
            return false;
        };
        let err = match socket.poll_write_out(cx) {
            Poll::Pending if socket.unwritten() >= WRITE_HARD_LIMIT => ConnectionError::socket(
                Failure::Backpressure,
                format!(
                    "the server has not read {} bytes sent to it",
                    socket.unwritten()
                ),
            ),
            Poll::Pending | Poll::Ready(Ok(())) => return false,
            Poll::Ready(Err(e)) => ConnectionError::socket(Failure::Lost, e.to_string()),
        };
        self.socket = None;
        self.input(Input::SocketLost(err));
        true
    }

    /// Whether the consumer has room for more events; while it has none, waits for it.
    fn poll_backlog(&mut self, cx: &mut Context<'_>, happened: &mut bool) -> bool {
        if self.backlog_room.is_none() {
            match self.backlog.clone().filter(|b| b.is_full()) {
                Some(full) => self.backlog_room = Some(Box::pin(async move { full.room().await })),
                None => return true,
            }
        }
        let room = self.backlog_room.as_mut().expect("just set");
        if room.as_mut().poll(cx).is_pending() {
            return false;
        }
        self.backlog_room = None;
        *happened = true;
        self.input(Input::Activity);
        true
    }

    /// Reads what the socket has, up to a turn's worth. True when anything was read.
    fn poll_reads(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(socket) = self.socket.as_mut() else {
            return false;
        };
        let Poll::Ready(read) = socket.poll_read(cx) else {
            return false;
        };
        let mut bytes = read.as_ref().map_or(0, |n| *n);
        let mut frames = self.handle_read(read);
        while frames < MAX_FRAMES_PER_TURN && bytes < MAX_BYTES_PER_TURN {
            let Some(read) = self.socket.as_mut().and_then(Socket::try_read) else {
                break;
            };
            bytes += read.as_ref().map_or(0, |n| *n);
            frames += self.handle_read(read);
        }
        if let Some(socket) = self.socket.as_mut() {
            socket.release_idle_read_buffer();
        }
        true
    }

    fn socket_opened(&mut self, opened: Result<Socket, ConnectionError>) {
        match opened {
            Ok(socket) => {
                // Frames may have come in the same read as the upgrade's answer.
                let early = socket.buffered();
                self.socket = Some(socket);
                self.input(Input::SocketOpened);
                if early > 0 {
                    self.handle_read(Ok(early));
                }
            }
            Err(e) => self.input(Input::SocketFailed(e)),
        }
    }

    fn input(&mut self, input: Input<'_>) {
        self.machine.handle(input, Instant::now().into_std());
    }

    /// Applies one command; false ends the task.
    fn apply_command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Connect(sink, authorizer) => {
                if !self.end_epoch() {
                    return false;
                }
                self.epoch += 1;
                self.backlog = sink.backlog();
                self.backlog_room = None;
                self.sink = Some(sink);
                self.authorizer = authorizer;
                self.input(Input::Connect);
            }
            Command::Signin => self.input(Input::Signin),
            Command::RetryNow => {
                if !self.machine.state().is_terminal() {
                    self.input(Input::Connect);
                }
            }
            Command::Disconnect => {
                if !self.end_epoch() {
                    return false;
                }
                self.epoch += 1;
                self.input(Input::Disconnect);
            }
            Command::Subscribe(c) => self.input(Input::Subscribe(&c)),
            Command::Unsubscribe(c) => self.input(Input::Unsubscribe(&c)),
            Command::SendEvent(e) => self.input(Input::SendEvent {
                event: &e.event,
                data: e.data.as_deref(),
                channel: e.channel.as_deref(),
            }),
            Command::SendRefused => {
                self.events.push(Event::Error(ConnectionError::socket(
                    Failure::Backpressure,
                    format!(
                        "event not sent: more than {} KiB of events wait for the server to \
                         read them",
                        MAX_QUEUED_SEND_BYTES / 1024
                    ),
                )));
            }
            Command::Panic => panic!("provoked by a test"),
            Command::Shutdown => return false,
        }
        true
    }

    fn auth_finished(&mut self, done: AuthDone) {
        match done {
            AuthDone::Channel {
                channel,
                socket_id,
                result,
            } => self.input(Input::ChannelAuthorized {
                channel: &channel,
                socket_id: &socket_id,
                result,
            }),
            AuthDone::User { socket_id, result } => self.input(Input::UserAuthenticated {
                socket_id: &socket_id,
                result,
            }),
        }
    }

    /// Starts an authorization; it runs beside the others and the socket.
    fn start_authorization(&mut self, action: Action) {
        let authorizer = self.authorizer.clone();
        let fut: AuthFuture = match action {
            Action::AuthorizeChannel { channel, socket_id } => {
                let request = match &authorizer {
                    Some(a) => a.authorize_channel(&socket_id, &channel),
                    None => crate::auth::not_configured("authorizer"),
                };
                Box::pin(async move {
                    AuthDone::Channel {
                        result: request.await,
                        channel,
                        socket_id,
                    }
                })
            }
            Action::AuthenticateUser { socket_id } => {
                let request = match &authorizer {
                    Some(a) => a.authenticate_user(&socket_id),
                    None => crate::auth::not_configured("authorizer"),
                };
                Box::pin(async move {
                    AuthDone::User {
                        result: request.await,
                        socket_id,
                    }
                })
            }
            _ => return,
        };
        self.authorizing.push(fut);
    }

    /// Feeds the frames that a read completed to the machine; returns how many there were.
    fn handle_read(&mut self, read: io::Result<usize>) -> usize {
        let err = match read {
            Ok(0) => {
                ConnectionError::socket(Failure::Lost, "connection closed without a close frame")
            }
            Err(e) => ConnectionError::socket(Failure::Lost, e.to_string()),
            Ok(_) => {
                let SocketLoop {
                    socket, machine, ..
                } = self;
                let socket = socket.as_mut().expect("a read came from this socket");
                let now = Instant::now().into_std();
                let mut frames = 0;
                let end = socket.frames(|frame| {
                    frames += 1;
                    let input = match frame {
                        Incoming::Text(text) => Input::Text(text),
                        Incoming::Binary => Input::Binary,
                        _ => Input::Activity,
                    };
                    machine.handle(input, now);
                    true
                });
                match end {
                    Ok(()) => return frames,
                    Err(SocketEnd::Closed { code, reason }) => {
                        self.close_socket(1000);
                        self.input(Input::SocketClosed {
                            code,
                            reason: &reason,
                        });
                        return frames;
                    }
                    Err(SocketEnd::Broken(e)) => e,
                    Err(SocketEnd::Failed(e)) => {
                        // Sends the close frame for the broken rule before letting go.
                        self.close_socket(e.close_code().unwrap_or(1002));
                        let failure = match e.kind() {
                            WebSocketErrorKind::TooLarge => Failure::TooLarge,
                            _ => Failure::Protocol,
                        };
                        ConnectionError::socket(failure, e.to_string())
                    }
                }
            }
        };
        self.socket = None;
        self.input(Input::SocketLost(err));
        0
    }

    /// Carries out the machine's actions (frames to send are queued and written by
    /// [`SocketLoop::poll_write`]) and delivers the batch. False ends the task.
    fn apply_actions_and_deliver(&mut self) -> bool {
        self.apply_actions();
        // Between turns a connection holds no action buffers: thousands of idle ones add up.
        self.actions = Vec::new();
        self.machine.shrink_actions(0);
        self.deliver()
    }

    /// Carries out the machine's actions; events are gathered for [`SocketLoop::deliver`].
    fn apply_actions(&mut self) {
        loop {
            self.machine.drain_actions_into(&mut self.actions);
            if self.actions.is_empty() {
                break;
            }
            let mut actions = std::mem::take(&mut self.actions);
            for action in actions.drain(..) {
                match action {
                    Action::Open(url) => {
                        self.close_socket(1000);
                        let options = self.machine.options();
                        let steps = transport_plan::plan(options, url);
                        let (failures, failed) = tokio::sync::mpsc::unbounded_channel();
                        self.opening_failures = Some(failed);
                        // Within the attempt's deadline, like the rest of the opening.
                        self.opening = Some(Box::pin(transport_plan::open(
                            Dialer::new(options),
                            steps,
                            failures,
                        )));
                    }
                    Action::Close(code) => {
                        self.opening = None;
                        self.opening_failures = None;
                        self.close_socket(code);
                    }
                    Action::Send(text) => {
                        if let Some(socket) = self.socket.as_mut() {
                            socket.send_text(&text);
                        }
                    }
                    Action::Emit(e) => self.events.push(e),
                    a @ (Action::AuthorizeChannel { .. } | Action::AuthenticateUser { .. }) => {
                        self.start_authorization(a)
                    }
                }
            }
            self.actions = actions;
        }
    }

    /// Delivers what the current epoch produced before the epoch changes: a `disconnect()`
    /// and a `connect()` taken in one turn must not deliver the first one's events as the
    /// second's (JS ignores only batches of epochs it has left).
    fn end_epoch(&mut self) -> bool {
        self.apply_actions();
        self.deliver()
    }

    fn deliver(&mut self) -> bool {
        if !self.events.is_empty() {
            let events = std::mem::take(&mut self.events);
            if let Some(sink) = self.sink.as_mut() {
                if !sink.deliver(Batch {
                    events,
                    epoch: self.epoch,
                }) {
                    return false;
                }
            }
        }
        if self.machine.state().is_terminal() {
            // Not trying to connect: let the consumer go (for Node, the process may exit).
            self.sink = None;
            self.backlog = None;
            self.backlog_room = None;
            self.authorizer = None;
            self.authorizing = FuturesUnordered::new();
        }
        true
    }

    /// Closes the current socket in the background, without waiting for the peer.
    fn close_socket(&mut self, code: u16) {
        if let Some(socket) = self.socket.take() {
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), socket.close(code)).await;
            });
        }
    }
}
