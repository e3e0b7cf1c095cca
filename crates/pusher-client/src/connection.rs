//! The socket loop: one tokio task per client owning the WebSocket, driving the [`Machine`].
//!
//! It waits on commands, the socket being opened, frames and the machine's next deadline,
//! feeds each to the machine, carries out the actions, and delivers the events of one turn
//! as one batch.

use crate::auth::{AuthError, ChannelAuth, SharedAuthorizer, UserAuth};
use crate::backlog::Backlog;
use crate::client::Command;
use crate::event::{Batch, Event, EventSink};
use crate::options::ClientOptions;
use crate::proxy::Proxy;
use crate::state::{Action, Input, Machine};
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Opening = Pin<Box<dyn Future<Output = Result<Ws, String>> + Send>>;
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

/// Frames read in one turn before the batch is delivered.
const MAX_FRAMES_PER_TURN: usize = 512;
/// Action slots an idle connection keeps between turns.
const SPARE_ACTIONS: usize = 16;
/// Commands taken in one turn.
const MAX_COMMANDS_PER_TURN: usize = 256;

struct Loop {
    machine: Machine,
    ws_config: WebSocketConfig,
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<Proxy>,
    ws: Option<Ws>,
    opening: Option<Opening>,
    sink: Option<Box<dyn EventSink>>,
    backlog: Option<Arc<Backlog>>,
    authorizer: Option<SharedAuthorizer>,
    authorizing: FuturesUnordered<Authorizing>,
    events: Vec<Event>,
    actions: Vec<Action>,
    epoch: u64,
}

pub(crate) async fn run(options: ClientOptions, mut commands: mpsc::UnboundedReceiver<Command>) {
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(options.max_message_size))
        .max_frame_size(Some(options.max_message_size))
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let tls = options.tls();
    let mut lp = Loop {
        tls,
        proxy: options.proxy.clone(),
        machine: Machine::new(options, Instant::now().into_std()),
        ws_config,
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
        if !lp.carry_out().await {
            break;
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
                        Ok(cmd) => if !lp.command(cmd) { lp.close_socket(1000); return; },
                        Err(_) => break,
                    }
                }
            }
            opened = async { lp.opening.as_mut().expect("guarded").await }, if lp.opening.is_some() => {
                lp.opening = None;
                match opened {
                    Ok(ws) => {
                        lp.ws = Some(ws);
                        lp.input(Input::SocketOpened);
                    }
                    Err(e) => lp.input(Input::SocketFailed(&e)),
                }
            }
            msg = async { lp.ws.as_mut().expect("guarded").next().await }, if lp.ws.is_some() && reading => {
                lp.frame(msg);
                for _ in 1..MAX_FRAMES_PER_TURN {
                    let Some(ws) = lp.ws.as_mut() else { break };
                    match ws.next().now_or_never() {
                        Some(msg) => lp.frame(msg),
                        None => break,
                    }
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

    fn frame(&mut self, msg: Option<Result<WsMessage, tungstenite::Error>>) {
        match msg {
            Some(Ok(WsMessage::Text(text))) => self.input(Input::Text(text.as_str())),
            Some(Ok(WsMessage::Binary(_))) => self.input(Input::Binary),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => self.input(Input::Activity),
            Some(Ok(WsMessage::Close(frame))) => {
                let (code, reason) = frame.map_or((None, String::new()), |f| {
                    (Some(u16::from(f.code)), f.reason.to_string())
                });
                self.close_socket(1000);
                self.input(Input::SocketClosed {
                    code,
                    reason: &reason,
                });
            }
            Some(Ok(WsMessage::Frame(_))) => {}
            Some(Err(e)) => {
                self.ws = None;
                let reason = match e {
                    tungstenite::Error::Capacity(c) => format!("frame too large: {c}"),
                    e => e.to_string(),
                };
                self.input(Input::SocketClosed {
                    code: None,
                    reason: &reason,
                });
            }
            None => {
                self.ws = None;
                self.input(Input::SocketClosed {
                    code: None,
                    reason: "connection closed without a close frame",
                });
            }
        }
    }

    /// Carries out the machine's actions and delivers the batch. False ends the task.
    async fn carry_out(&mut self) -> bool {
        let mut flush = false;
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
                        self.opening = Some(Box::pin(open(
                            url,
                            self.ws_config,
                            self.tls.clone(),
                            self.proxy.clone(),
                        )));
                    }
                    Action::Close(code) => {
                        self.opening = None;
                        self.close_socket(code);
                    }
                    Action::Send(text) => {
                        if let Some(ws) = self.ws.as_mut() {
                            if let Err(e) = ws.feed(WsMessage::text(text)).await {
                                self.ws = None;
                                let reason = e.to_string();
                                self.input(Input::SocketClosed {
                                    code: None,
                                    reason: &reason,
                                });
                            } else {
                                flush = true;
                            }
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
        // A burst must not leave an idle connection holding its peak capacity.
        if self.actions.capacity() > SPARE_ACTIONS {
            self.actions.shrink_to(SPARE_ACTIONS);
        }
        self.machine.shrink_actions(SPARE_ACTIONS);
        if flush {
            if let Some(ws) = self.ws.as_mut() {
                if let Err(e) = ws.flush().await {
                    self.ws = None;
                    let reason = e.to_string();
                    self.input(Input::SocketClosed {
                        code: None,
                        reason: &reason,
                    });
                    return Box::pin(self.carry_out()).await;
                }
            }
        }
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
            self.authorizer = None;
            self.authorizing = FuturesUnordered::new();
        }
        true
    }

    /// Closes the current socket in the background, without waiting for the peer.
    fn close_socket(&mut self, code: u16) {
        if let Some(mut ws) = self.ws.take() {
            tokio::spawn(async move {
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: "".into(),
                };
                let _ = tokio::time::timeout(Duration::from_secs(2), async {
                    let _ = ws.close(Some(frame)).await;
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
            });
        }
    }
}

/// TCP, TLS when the URL asks for it, then the WebSocket upgrade.
async fn open(
    url: String,
    config: WebSocketConfig,
    tls_config: Arc<rustls::ClientConfig>,
    proxy: Option<Proxy>,
) -> Result<Ws, String> {
    use tungstenite::client::IntoClientRequest;
    let request = url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("invalid URL {url}: {e}"))?;
    let uri = request.uri();
    let tls = uri.scheme_str() == Some("wss");
    let host = uri
        .host()
        .ok_or_else(|| format!("no host in {url}"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let tcp = match proxy.filter(|p| p.applies_to(&host)) {
        Some(p) => p.connect(&host, port).await?,
        None => TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?,
    };
    let _ = tcp.set_nodelay(true);
    let connector = if tls {
        Connector::Rustls(tls_config)
    } else {
        Connector::Plain
    };
    let (ws, _response) = tokio_tungstenite::client_async_tls_with_config(
        request,
        tcp,
        Some(config),
        Some(connector),
    )
    .await
    .map_err(|e| format!("WebSocket handshake with {host}:{port} failed: {e}"))?;
    Ok(ws)
}
