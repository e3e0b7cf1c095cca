//! One client WebSocket: opened over TCP (through a proxy, under TLS, as the URL and options
//! say), the server's frames read, ours written, closed.
//!
//! Its shape is about memory: an idle connection holds no read or write buffer. A read lands
//! in a buffer on the stack; only bytes not yet used by complete frames are kept, and those
//! are let go of at the end of each turn once nothing is left over.

use crate::error::{ConnectionError, Failure};
use crate::proxy::Proxy;
use crate::transport::Transport;
use crate::ws_codec::Codec;
pub(crate) use crate::ws_codec::ReadEnd;
use crate::ws_error::{WebSocketError, WebSocketErrorKind};
use crate::ws_frame::Incoming;
use crate::ws_handshake::{self, Target};
use std::io;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Bytes read from the socket at most at once.
const READ_CHUNK: usize = 16 * 1024;

/// An open client WebSocket: the socket, and its bytes (see [`Codec`]).
pub(crate) struct WebSocket {
    io: Transport,
    codec: Codec,
}

impl WebSocket {
    /// TCP (or a `CONNECT` tunnel through `proxy`), TLS when the URL is `wss://`, then the
    /// upgrade. Each error says what failed ([`Failure`]) in a sentence for the user.
    pub(crate) async fn open(
        url: &str,
        headers: &[(String, String)],
        max_message: usize,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<Proxy>,
    ) -> Result<WebSocket, ConnectionError> {
        let target =
            Target::parse(url).map_err(|e| ConnectionError::socket(Failure::Connect, e))?;
        let io = crate::dial::dial(&target, tls, proxy.as_ref()).await?;
        let mut ws = WebSocket {
            io,
            codec: Codec::new(max_message),
        };
        if let Err(why) = ws.upgrade(&target, headers).await {
            let (host, port) = (&target.host, target.port);
            let message = format!("WebSocket handshake with {host}:{port} failed: {why}");
            // An HTTP status says the most; it may have come without the rest of the head.
            let status = why
                .status()
                .or_else(|| ws_handshake::response_status(ws.codec.pending()))
                .filter(|&s| s != 101);
            return Err(match status {
                Some(status) => {
                    ConnectionError::socket(Failure::HttpStatus, message).with_code(status.into())
                }
                None => ConnectionError::socket(Failure::Handshake, message),
            });
        }
        Ok(ws)
    }

    async fn upgrade(
        &mut self,
        target: &Target,
        headers: &[(String, String)],
    ) -> Result<(), WebSocketError> {
        let lost =
            |e: io::Error| WebSocketError::with(WebSocketErrorKind::NoResponse, e.to_string());
        let key = ws_handshake::key();
        self.io
            .write_all(target.request(&key, headers).as_bytes())
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

    /// [`WebSocket::read`], polled.
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
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
    pub(crate) fn release_idle_read_buffer(&mut self) {
        self.codec.release_idle_read_buffer();
    }

    /// Queues a text frame; [`WebSocket::flush`] sends it. Nothing is sent after a close.
    pub(crate) fn send_text(&mut self, text: &str) {
        self.codec.send_text(text);
    }

    /// Whether frames wait to be written.
    pub(crate) fn wants_flush(&self) -> bool {
        self.codec.wants_flush()
    }

    /// Bytes of frames waiting to be written.
    pub(crate) fn unwritten(&self) -> usize {
        self.codec.unwritten().len()
    }

    /// Writes queued frames as far as the socket takes them; ready once every one is written
    /// and flushed (the buffer then let go of), pending while the socket is full. Any part
    /// written stays written: the socket loop may stop polling this at any point.
    pub(crate) fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.codec.unwritten().is_empty() {
            let out = self.codec.unwritten();
            let n = ready!(std::pin::Pin::new(&mut self.io).poll_write(cx, out))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.codec.written(n);
        }
        ready!(std::pin::Pin::new(&mut self.io).poll_flush(cx))?;
        self.codec.take_out();
        Poll::Ready(Ok(()))
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
            self.release_idle_read_buffer();
        }
        let _ = self.io.shutdown().await;
    }
}
