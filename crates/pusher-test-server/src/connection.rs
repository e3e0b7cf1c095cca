//! One task per accepted connection. A WebSocket upgrade is upgraded, greeted, then frames
//! are shuttled between the socket and the server state; other HTTP requests go to the HTTP
//! transports (`http_transport`), one after another while the client keeps the connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Notify};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use crate::http_request::{HttpConn, Next};
use crate::http_transport::{self, After};
use crate::mute::MuteStream;
use crate::prefixed::Prefixed;
use crate::server::Inner;
use crate::tls::ServerStream;
use crate::{frames, state, ReceivedFrame, Transport};

type Socket = WebSocketStream<MuteStream<Prefixed<ServerStream>>>;

/// How long a refused connection waits for the client's close reply.
const REFUSE_LINGER: Duration = Duration::from_secs(5);

/// How long a connection that ended normally may take to send its TLS
/// `close_notify` (or TCP FIN).
const TLS_CLOSE_LINGER: Duration = Duration::from_secs(1);

/// The most queued frames written before one flush.
const BATCH: usize = 1024;

/// Something to write to one connection.
pub(crate) enum Outgoing {
    /// A text frame.
    Text(Utf8Bytes),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A WebSocket ping.
    Ping,
    /// A WebSocket close with code and reason.
    Close(u16, String),
    /// The same text frame `n` times.
    Blast(Utf8Bytes, u64),
    /// Bytes written as they are (see [`TestServer::send_bytes`](crate::TestServer::send_bytes)).
    Raw(Vec<u8>),
}

/// Serves one accepted TCP connection (over TLS in TLS mode) until it ends
/// or is killed.
pub(crate) async fn serve(inner: Arc<Inner>, tcp: TcpStream) {
    let kill = Arc::new(Notify::new());
    let mut registered = None;
    tokio::select! {
        _ = kill.notified() => {}
        _ = run(&inner, tcp, &kill, &mut registered) => {}
    }
    if let Some(socket_id) = registered {
        inner.unregister(&socket_id);
    }
}

async fn run(
    inner: &Arc<Inner>,
    tcp: TcpStream,
    kill: &Arc<Notify>,
    registered: &mut Option<String>,
) {
    let muted = Arc::new(AtomicBool::new(false));
    let mut path = String::new();
    let mut headers = Vec::new();
    let upgrade = inner
        .upgrade
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    // The error type is fixed by tungstenite's `Callback`.
    #[allow(clippy::result_large_err)]
    let record_path = |request: &Request, response: Response| {
        path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| request.uri().path().to_owned());
        headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        upgrade.apply(response)
    };
    let stream = match &inner.tls {
        // A client that does not trust the certificate fails here.
        Some(tls) => match tls.acceptor.accept(tcp).await {
            Ok(stream) => ServerStream::Tls(Box::new(stream)),
            Err(_) => return,
        },
        None => ServerStream::Plain(tcp),
    };
    let mut conn = HttpConn::new(stream);
    if !serve_http(inner, &mut conn).await {
        return;
    }
    // tungstenite reads the upgrade again from its first byte.
    let (stream, read) = conn.into_parts();
    // Muting sits above TLS: swallowed frames are never encrypted, so the
    // TLS session stays intact.
    let stream = MuteStream::new(Prefixed::new(read, stream), muted.clone());
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, record_path).await else {
        return;
    };
    let Some(key) = state::app_key_from_path(&path) else {
        refuse(ws, 4005, "Path not found").await;
        return;
    };
    if !inner.knows_key(key) {
        let message = format!("App key {key} not in this cluster");
        refuse(ws, 4001, &message).await;
        return;
    }

    let (tx, rx) = mpsc::unbounded_channel();
    let socket_id = inner.register(key, &path, headers, tx, kill.clone(), Transport::WebSocket);
    *registered = Some(socket_id.clone());

    let opening = inner
        .handshake_mode()
        .opening(&socket_id, inner.activity_timeout);
    for frame in opening.frames {
        if ws.send(Message::text(frame)).await.is_err() {
            return;
        }
    }
    let closing = match opening.close {
        Some((code, reason)) => {
            if ws.send(close_message(code, reason)).await.is_err() {
                return;
            }
            true
        }
        None => false,
    };
    let mut link = Link {
        inner,
        socket_id: &socket_id,
        ws,
        rx,
        muted,
        forced_silent: opening.silent,
        closing,
    };
    link.pump().await;
    let mut ws = link.ws;
    // Gone from the server's view at once, not after the TLS goodbye.
    if let Some(socket_id) = registered.take() {
        inner.unregister(&socket_id);
    }
    finish(&mut ws).await;
}

/// Serves requests that are no WebSocket upgrade (the HTTP transports) for as long as the
/// client keeps the connection; returns `true` when what comes next is for tungstenite (an
/// upgrade, or bytes that are no HTTP this server parses, so its errors stay as they were).
async fn serve_http(inner: &Arc<Inner>, conn: &mut HttpConn<ServerStream>) -> bool {
    loop {
        match conn.next_request().await {
            Next::Head(head) if !head.is_websocket_upgrade() => {
                match http_transport::serve(inner, conn, head).await {
                    After::KeepAlive => {}
                    After::Close => {
                        let closing = conn.stream_mut().shutdown();
                        let _ = tokio::time::timeout(TLS_CLOSE_LINGER, closing).await;
                        return false;
                    }
                    After::Cut => return false,
                }
            }
            Next::Head(_) | Next::NotHttp => return true,
            Next::Closed => return false,
        }
    }
}

/// Ends a connection that finished on its own (not dropped or killed). Over
/// TLS it sends `close_notify` first, so the client sees a clean end of
/// stream as it would over plain TCP; a plain socket is just dropped, as ever.
async fn finish(ws: &mut Socket) {
    let stream = ws.get_mut().get_mut().get_mut();
    if stream.is_tls() {
        let _ = tokio::time::timeout(TLS_CLOSE_LINGER, stream.shutdown()).await;
    }
}

/// An open, registered connection.
struct Link<'a> {
    inner: &'a Inner,
    socket_id: &'a str,
    ws: Socket,
    rx: mpsc::UnboundedReceiver<Outgoing>,
    muted: Arc<AtomicBool>,
    /// Silent for good ([`HandshakeMode::Silent`](crate::HandshakeMode::Silent)).
    forced_silent: bool,
    /// A close frame went out; nothing more is written.
    closing: bool,
}

impl Link<'_> {
    /// Reads, records and answers frames, and writes queued ones, until the
    /// socket ends.
    async fn pump(&mut self) {
        let mut silence = self.inner.silent.subscribe();
        let mut stall = self.inner.stalled.subscribe();
        loop {
            // A stalled connection touches its socket not at all until the stall ends.
            if *stall.borrow_and_update() {
                if stall.wait_for(|stalled| !stalled).await.is_err() {
                    return;
                }
                continue;
            }
            silence.mark_unchanged();
            let silent = self.is_silent(&silence);
            // Between whole frames, and every write of ours is flushed, so
            // only automatic replies (pongs) can be waiting: those are meant
            // to vanish.
            self.muted.store(silent, Ordering::SeqCst);
            tokio::select! {
                incoming = self.ws.next() => match incoming {
                    // Checked again: silence may have begun while waiting.
                    Some(Ok(message)) => self.receive(message, !self.is_silent(&silence)),
                    Some(Err(_)) | None => return,
                },
                queued = self.rx.recv(), if !silent && !self.closing => match queued {
                    Some(first) => {
                        if self.write(first).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                },
                changed = silence.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                changed = stall.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    fn is_silent(&self, silence: &watch::Receiver<bool>) -> bool {
        self.forced_silent || *silence.borrow()
    }

    fn receive(&self, message: Message, act: bool) {
        let frame = match message {
            Message::Text(text) => ReceivedFrame::Text(text.as_str().to_owned()),
            Message::Binary(bytes) => ReceivedFrame::Binary(bytes.to_vec()),
            Message::Ping(_) => ReceivedFrame::Ping,
            Message::Pong(_) => ReceivedFrame::Pong,
            Message::Close(frame) => ReceivedFrame::Close(frame.map(|f| u16::from(f.code))),
            Message::Frame(_) => return,
        };
        self.inner.receive(self.socket_id, frame, act);
    }

    /// Writes `first` and whatever else is queued (up to a batch), then flushes.
    async fn write(&mut self, first: Outgoing) -> Result<(), WsError> {
        let mut next = Some(first);
        let mut written = 0;
        while let Some(outgoing) = next.take() {
            match outgoing {
                Outgoing::Text(text) => self.ws.feed(Message::Text(text)).await?,
                Outgoing::Binary(bytes) => self.ws.feed(Message::binary(bytes)).await?,
                Outgoing::Ping => self.ws.feed(Message::Ping(Default::default())).await?,
                Outgoing::Blast(text, count) => {
                    for _ in 0..count {
                        self.ws.feed(Message::Text(text.clone())).await?;
                    }
                }
                Outgoing::Raw(bytes) => {
                    // After what tungstenite buffered, so frames stay whole and in order.
                    self.ws.flush().await?;
                    self.ws.get_mut().write_all(&bytes).await?;
                }
                Outgoing::Close(code, reason) => {
                    self.ws.feed(close_message(code, reason)).await?;
                    self.closing = true;
                    break;
                }
            }
            written += 1;
            if written < BATCH {
                next = self.rx.try_recv().ok();
            }
        }
        self.ws.flush().await
    }
}

fn close_message(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}

/// Sends `pusher:error` and a close with `code`, then waits a little for
/// the client's close reply.
async fn refuse(mut ws: Socket, code: u16, message: &str) {
    let greeting = Message::text(frames::error(Some(code), message));
    if ws.send(greeting).await.is_err() {
        return;
    }
    if ws
        .send(close_message(code, message.to_owned()))
        .await
        .is_err()
    {
        return;
    }
    let drain = async { while let Some(Ok(_)) = ws.next().await {} };
    let _ = tokio::time::timeout(REFUSE_LINGER, drain).await;
    finish(&mut ws).await;
}
