//! One client WebSocket: opened over TCP (through a proxy, under TLS, as the URL and options
//! say), the server's frames read, ours written, closed.
//!
//! Its shape is about memory: an idle connection holds no read or write buffer. A read lands
//! in a buffer on the stack; only bytes not yet used by complete frames are kept, and those
//! are let go of at the end of each turn once nothing is left over.

use crate::error::{ConnectionError, Failure};
use crate::proxy::Proxy;
use crate::transport::Transport;
use crate::ws_frame::{self, Incoming, Reader, WsError, OP_CLOSE, OP_PONG, OP_TEXT};
use crate::ws_handshake::{self, Target};
use futures_util::FutureExt;
use ring::rand::{SecureRandom, SystemRandom};
use std::io;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Bytes read from the socket at most at once.
const READ_CHUNK: usize = 16 * 1024;

/// How reading the frames that have arrived ended, when it cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// The server sent a close frame.
    Closed {
        /// Its code, if it had one.
        code: Option<u16>,
        /// Its reason.
        reason: String,
    },
    /// The stream broke the protocol; how.
    Failed(WsError),
}

/// An open client WebSocket.
pub(crate) struct WebSocket {
    io: Transport,
    reader: Reader,
    /// Bytes read but not yet used: the start of a frame still arriving.
    pending: Vec<u8>,
    /// Frames waiting to be written.
    out: Vec<u8>,
    max_message: usize,
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    bytes
}

impl WebSocket {
    /// TCP (or a `CONNECT` tunnel through `proxy`), TLS when the URL is `wss://`, then the
    /// upgrade. Each error says what failed ([`Failure`]) in a sentence for the user.
    pub(crate) async fn open(
        url: &str,
        max_message: usize,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<Proxy>,
    ) -> Result<WebSocket, ConnectionError> {
        let target =
            Target::parse(url).map_err(|e| ConnectionError::socket(Failure::Connect, e))?;
        let io = crate::dial::dial(&target, tls, proxy.as_ref()).await?;
        let mut ws = WebSocket {
            io,
            reader: Reader::default(),
            pending: Vec::new(),
            out: Vec::new(),
            max_message,
        };
        if let Err(why) = ws.upgrade(&target).await {
            let (host, port) = (&target.host, target.port);
            let message = format!("WebSocket handshake with {host}:{port} failed: {why}");
            // The answer's head is still in `pending`: an HTTP status says the most.
            return Err(match ws_handshake::response_status(&ws.pending) {
                Some(status) if status != 101 => {
                    ConnectionError::socket(Failure::HttpStatus, message).with_code(status.into())
                }
                _ => ConnectionError::socket(Failure::Handshake, message),
            });
        }
        Ok(ws)
    }

    async fn upgrade(&mut self, target: &Target) -> Result<(), String> {
        let key = ws_handshake::key(random());
        self.io
            .write_all(target.request(&key).as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.io.flush().await.map_err(|e| e.to_string())?;
        loop {
            if self.read().await.map_err(|e| e.to_string())? == 0 {
                return Err("the server closed the connection".into());
            }
            if let Some(head) = ws_handshake::check_response(&self.pending, &key)? {
                self.pending.drain(..head);
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

    /// [`WebSocket::read`], polled.
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut chunk = [MaybeUninit::<u8>::uninit(); READ_CHUNK];
        let mut buf = ReadBuf::uninit(&mut chunk);
        ready!(std::pin::Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        self.pending.extend_from_slice(buf.filled());
        Poll::Ready(Ok(buf.filled().len()))
    }

    /// Hands `on` each text message, binary message (as `Incoming::Binary`), ping and pong
    /// complete so far, until it returns false. Pings are answered (see
    /// [`WebSocket::wants_flush`]). A close frame or a broken stream ends reading.
    pub(crate) fn frames(
        &mut self,
        mut on: impl FnMut(Incoming<'_>) -> bool,
    ) -> Result<(), ReadEnd> {
        let WebSocket {
            reader,
            pending,
            out,
            max_message,
            ..
        } = self;
        let mut closed = None;
        let used = reader
            .read(pending, *max_message, |frame| match frame {
                Incoming::Ping(payload) => {
                    ws_frame::encode(OP_PONG, payload, random(), out);
                    on(Incoming::Ping(payload))
                }
                Incoming::Close(code, reason) => {
                    closed = Some(ReadEnd::Closed {
                        code,
                        reason: reason.to_owned(),
                    });
                    false
                }
                other => on(other),
            })
            .map_err(ReadEnd::Failed)?;
        pending.drain(..used);
        closed.map_or(Ok(()), Err)
    }

    /// Bytes read and kept but not yet used.
    pub(crate) fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Lets go of the read buffer when nothing is left over in it: between turns an idle
    /// connection keeps no buffer.
    pub(crate) fn shed(&mut self) {
        if self.pending.is_empty() {
            self.pending = Vec::new();
        }
    }

    /// Queues a text frame; [`WebSocket::flush`] sends it.
    pub(crate) fn send_text(&mut self, text: &str) {
        ws_frame::encode(OP_TEXT, text.as_bytes(), random(), &mut self.out);
    }

    /// Whether frames wait to be written.
    pub(crate) fn wants_flush(&self) -> bool {
        !self.out.is_empty()
    }

    /// Bytes of frames waiting to be written.
    pub(crate) fn unwritten(&self) -> usize {
        self.out.len()
    }

    /// Writes queued frames as far as the socket takes them; ready once every one is written
    /// and flushed (the buffer then let go of), pending while the socket is full. Any part
    /// written stays written: the socket loop may stop polling this at any point.
    pub(crate) fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.out.is_empty() {
            let n = ready!(std::pin::Pin::new(&mut self.io).poll_write(cx, &self.out))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.out.drain(..n);
        }
        ready!(std::pin::Pin::new(&mut self.io).poll_flush(cx))?;
        self.out = Vec::new();
        Poll::Ready(Ok(()))
    }

    /// Writes the queued frames.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        let out = std::mem::take(&mut self.out);
        self.io.write_all(&out).await?;
        self.io.flush().await
    }

    /// Sends a close frame with `code`, then reads until the server closes too. Bound it with
    /// a timeout: a server may never answer.
    pub(crate) async fn close(mut self, code: u16) {
        ws_frame::encode(
            OP_CLOSE,
            &ws_frame::close_body(code),
            random(),
            &mut self.out,
        );
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
