//! One client WebSocket: opened over TCP (through a proxy, under TLS, as the URL and options
//! say), the server's frames read, ours written, closed.
//!
//! Its shape is about memory: an idle connection holds no read or write buffer. A read lands
//! in a buffer on the stack; only bytes not yet used by complete frames are kept, and those
//! are let go of at the end of each turn once nothing is left over.

use crate::proxy::Proxy;
use crate::transport::Transport;
use crate::ws_codec::Codec;
pub(crate) use crate::ws_codec::ReadEnd;
use crate::ws_error::{WebSocketError, WebSocketErrorKind};
use crate::ws_frame::Incoming;
use crate::ws_handshake::{self, Target};
use futures_util::FutureExt;
use rustls_pki_types::ServerName;
use std::io;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Bytes read from the socket at most at once.
const READ_CHUNK: usize = 16 * 1024;

/// An open client WebSocket: the socket, and its bytes (see [`Codec`]).
pub(crate) struct WebSocket {
    io: Transport,
    codec: Codec,
}

impl WebSocket {
    /// TCP (or a `CONNECT` tunnel through `proxy`), TLS when the URL is `wss://`, then the
    /// upgrade. Errors are sentences for the user.
    pub(crate) async fn open(
        url: &str,
        max_message: usize,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<Proxy>,
    ) -> Result<WebSocket, String> {
        let target = Target::parse(url)?;
        let (host, port) = (target.host.as_str(), target.port);
        let tcp = match proxy.filter(|p| p.applies_to(host)) {
            Some(p) => p.connect(host, port).await?,
            None => TcpStream::connect((host, port))
                .await
                .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?,
        };
        let _ = tcp.set_nodelay(true);
        let io = if target.tls {
            let name = ServerName::try_from(host.to_owned())
                .map_err(|e| format!("invalid TLS server name {host}: {e}"))?;
            let stream = TlsConnector::from(tls)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake with {host}:{port} failed: {e}"))?;
            Transport::Tls(Box::new(stream))
        } else {
            Transport::Plain(tcp)
        };
        let mut ws = WebSocket {
            io,
            codec: Codec::new(max_message),
        };
        ws.upgrade(&target)
            .await
            .map_err(|e| format!("WebSocket handshake with {host}:{port} failed: {e}"))?;
        Ok(ws)
    }

    async fn upgrade(&mut self, target: &Target) -> Result<(), WebSocketError> {
        let lost =
            |e: io::Error| WebSocketError::with(WebSocketErrorKind::NoResponse, e.to_string());
        let key = ws_handshake::key();
        self.io
            .write_all(target.request(&key).as_bytes())
            .await
            .map_err(lost)?;
        self.io.flush().await.map_err(lost)?;
        loop {
            if self.read().await.map_err(lost)? == 0 {
                return Err(WebSocketError::with(
                    WebSocketErrorKind::NoResponse,
                    "the server closed the connection",
                ));
            }
            if let Some(head) = ws_handshake::check_response(self.codec.pending(), &key)? {
                self.codec.consume(head);
                return Ok(());
            }
        }
    }

    /// Waits for bytes and keeps them; 0 means the server has closed the stream. While it
    /// waits, the connection holds no buffer.
    pub(crate) async fn read(&mut self) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.poll_read(cx)).await
    }

    /// [`WebSocket::read`] if bytes are already there.
    pub(crate) fn try_read(&mut self) -> Option<io::Result<usize>> {
        self.read().now_or_never()
    }

    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut chunk = [MaybeUninit::<u8>::uninit(); READ_CHUNK];
        let mut buf = ReadBuf::uninit(&mut chunk);
        ready!(std::pin::Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        self.codec.received(buf.filled());
        Poll::Ready(Ok(buf.filled().len()))
    }

    /// Hands `on` each text message, binary message (as `Incoming::Binary`), ping and pong
    /// complete so far, until it returns false. Pings are answered (see
    /// [`WebSocket::wants_flush`]). A close frame ends reading, and is answered; so does a
    /// broken rule, with the close code for it.
    pub(crate) fn frames(&mut self, on: impl FnMut(Incoming<'_>) -> bool) -> Result<(), ReadEnd> {
        self.codec.frames(on)
    }

    /// Bytes read and kept but not yet used.
    pub(crate) fn buffered(&self) -> usize {
        self.codec.pending().len()
    }

    /// Lets go of the read buffer when nothing is left over in it: between turns an idle
    /// connection keeps no buffer.
    pub(crate) fn shed(&mut self) {
        self.codec.shed();
    }

    /// Queues a text frame; [`WebSocket::flush`] sends it. Nothing is sent after a close.
    pub(crate) fn send_text(&mut self, text: &str) {
        self.codec.send_text(text);
    }

    /// Whether frames wait to be written.
    pub(crate) fn wants_flush(&self) -> bool {
        self.codec.wants_flush()
    }

    /// Writes the queued frames.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        let out = self.codec.take_out();
        self.io.write_all(&out).await?;
        self.io.flush().await
    }

    /// Sends a close frame with `code` (unless one is queued or sent already: the answer to
    /// the server's close, or the code of the rule it broke), then reads until the server
    /// closes too. Bound it with a timeout: a server may never answer.
    pub(crate) async fn close(mut self, code: u16) {
        self.codec.close(code);
        if self.flush().await.is_err() {
            return;
        }
        while let Ok(n) = self.read().await {
            if n == 0 || self.frames(|_| true).is_err() {
                break;
            }
            self.shed();
        }
        let _ = self.io.shutdown().await;
    }
}
