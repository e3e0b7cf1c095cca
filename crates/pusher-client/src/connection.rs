//! The socket loop: one tokio task per client owning the WebSocket, driving the [`Machine`].
//!
//! It waits on commands, the socket being opened, frames and the machine's next deadline,
//! feeds each to the machine, carries out the actions, and delivers the events of one turn
//! as one batch.

use crate::auth::{AuthError, ChannelAuth, SharedAuthorizer, UserAuth};
use crate::backlog::Backlog;
use crate::client::Command;
use crate::commands::Receiver;
use crate::event::{Batch, Event, EventSink};
use crate::options::ClientOptions;
use crate::state::{Action, Input, Machine};
use crate::websocket::{ReadEnd, WebSocket};
use crate::ws_frame::Incoming;
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

type Opening = Pin<Box<dyn Future<Output = Result<WebSocket, String>> + Send>>;
type Authorizing = Pin<Box<dyn Future<Output = AuthDone> + Send>>;

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

struct Loop {
    machine: Machine,
    ws: Option<WebSocket>,
    opening: Option<Opening>,
    sink: Option<Box<dyn EventSink>>,
    backlog: Option<Arc<Backlog>>,
    authorizer: Option<SharedAuthorizer>,
    authorizing: FuturesUnordered<Authorizing>,
    events: Vec<Event>,
    actions: Vec<Action>,
    epoch: u64,
}

pub(crate) async fn run(options: ClientOptions, mut commands: Receiver) {
    let mut lp = Loop {
        machine: Machine::new(options, Instant::now().into_std()),
        ws: None,
        opening: None,
        sink: None,
        backlog: None,
        authorizer: None,
        authorizing: FuturesUnordered::new(),
        events: Vec::new(),
        actions: Vec::new(),
        epoch: 0,
    };
    loop {
        if !lp.carry_out() {
            break;
        }
        if !lp.flush().await {
            // The socket broke: the machine has actions again.
            continue;
        }
        // A consumer that is behind: read nothing (and judge no silence) until it catches up.
        let backlog = lp.backlog.clone().filter(|b| b.is_full());
        let reading = backlog.is_none();
        let deadline = lp.machine.poll_timeout().map(Instant::from_std);
        tokio::select! {
            _ = async { backlog.as_ref().expect("guarded").room().await }, if !reading => {
                lp.input(Input::Activity);
            }
            cmd = commands.recv() => {
                let Some(cmd) = cmd else { break };
                if !lp.command(cmd) { break; }
                for _ in 0..MAX_COMMANDS_PER_TURN {
                    match commands.try_recv() {
                        Some(cmd) => if !lp.command(cmd) { lp.close_socket(1000); return; },
                        None => break,
                    }
                }
            }
            opened = async { lp.opening.as_mut().expect("guarded").await }, if lp.opening.is_some() => {
                lp.opening = None;
                match opened {
                    Ok(ws) => {
                        // Frames may have come in the same read as the upgrade's answer.
                        let early = ws.buffered();
                        lp.ws = Some(ws);
                        lp.input(Input::SocketOpened);
                        if early > 0 {
                            lp.received(Ok(early));
                        }
                    }
                    Err(e) => lp.input(Input::SocketFailed(&e)),
                }
            }
            read = async { lp.ws.as_mut().expect("guarded").read().await }, if lp.ws.is_some() && reading => {
                let mut bytes = read.as_ref().map_or(0, |n| *n);
                let mut frames = lp.received(read);
                while frames < MAX_FRAMES_PER_TURN && bytes < MAX_BYTES_PER_TURN {
                    let Some(read) = lp.ws.as_mut().and_then(WebSocket::try_read) else { break };
                    bytes += read.as_ref().map_or(0, |n| *n);
                    frames += lp.received(read);
                }
                if let Some(ws) = lp.ws.as_mut() {
                    ws.shed();
                }
            }
            Some(done) = lp.authorizing.next(), if !lp.authorizing.is_empty() => lp.authorized(done),
            _ = sleep_until(deadline), if deadline.is_some() && reading => {
                lp.machine.handle_timeout(Instant::now().into_std());
            }
        }
    }
    lp.close_socket(1000);
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(d) = deadline {
        tokio::time::sleep_until(d).await
    }
}

impl Loop {
    fn input(&mut self, input: Input<'_>) {
        self.machine.handle(input, Instant::now().into_std());
    }

    /// Applies one command; false ends the task.
    fn command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Connect(sink, authorizer) => {
                self.epoch += 1;
                self.backlog = sink.backlog();
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
            Command::Shutdown => return false,
        }
        true
    }

    fn authorized(&mut self, done: AuthDone) {
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
    fn authorize(&mut self, action: Action) {
        let authorizer = self.authorizer.clone();
        let fut: Authorizing = match action {
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
    fn received(&mut self, read: io::Result<usize>) -> usize {
        let reason = match read {
            Ok(0) => "connection closed without a close frame".to_owned(),
            Err(e) => e.to_string(),
            Ok(_) => {
                let Loop { ws, machine, .. } = self;
                let ws = ws.as_mut().expect("a read came from this socket");
                let now = Instant::now().into_std();
                let mut frames = 0;
                let end = ws.frames(|frame| {
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
                    Err(ReadEnd::Closed { code, reason }) => {
                        self.close_socket(1000);
                        self.input(Input::SocketClosed {
                            code,
                            reason: &reason,
                        });
                        return frames;
                    }
                    Err(ReadEnd::Failed(e)) => {
                        // Sends the close frame for the broken rule before letting go.
                        self.close_socket(e.close_code().unwrap_or(1002));
                        e.to_string()
                    }
                }
            }
        };
        self.ws = None;
        self.input(Input::SocketClosed {
            code: None,
            reason: &reason,
        });
        0
    }

    /// Carries out the machine's actions (frames to send are queued, see [`Loop::flush`])
    /// and delivers the batch. False ends the task.
    fn carry_out(&mut self) -> bool {
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
                        let (tls, proxy) = (options.tls(), options.proxy.clone());
                        let max_message = options.max_message_size;
                        self.opening = Some(Box::pin(async move {
                            WebSocket::open(&url, max_message, tls, proxy.map(|p| *p)).await
                        }));
                    }
                    Action::Close(code) => {
                        self.opening = None;
                        self.close_socket(code);
                    }
                    Action::Send(text) => {
                        if let Some(ws) = self.ws.as_mut() {
                            ws.send_text(&text);
                        }
                    }
                    Action::Emit(e) => self.events.push(e),
                    a @ (Action::AuthorizeChannel { .. } | Action::AuthenticateUser { .. }) => {
                        self.authorize(a)
                    }
                }
            }
            self.actions = actions;
        }
        // Between turns a connection holds no action buffers: thousands of idle ones add up.
        self.actions = Vec::new();
        self.machine.shrink_actions(0);
        self.deliver()
    }

    /// Writes what the turn queued. False when the socket broke doing so.
    async fn flush(&mut self) -> bool {
        let Some(ws) = self.ws.as_mut().filter(|ws| ws.wants_flush()) else {
            return true;
        };
        let Err(e) = ws.flush().await else {
            return true;
        };
        self.ws = None;
        let reason = e.to_string();
        self.input(Input::SocketClosed {
            code: None,
            reason: &reason,
        });
        false
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
            self.authorizer = None;
            self.authorizing = FuturesUnordered::new();
        }
        true
    }

    /// Closes the current socket in the background, without waiting for the peer.
    fn close_socket(&mut self, code: u16) {
        if let Some(ws) = self.ws.take() {
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(code)).await;
            });
        }
    }
}
