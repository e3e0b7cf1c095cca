//! The connection's socket, whichever transport carries it: a WebSocket, or a session of
//! pusher-js's HTTP transports. The socket loop sees one shape: frames in, frames out.

use crate::error::ConnectionError;
use crate::http_socket::{HttpSocket, Inbound};
use crate::websocket::{ReadEnd, WebSocket};
use crate::ws_error::WebSocketError;
use crate::ws_frame::Incoming;
use std::io;
use std::task::{Context, Poll};

/// An open socket.
pub(crate) enum Socket {
    /// A WebSocket (`ws`/`wss`).
    Ws(WebSocket),
    /// An HTTP session (`xhr_streaming`/`xhr_polling`); boxed, being rare and larger.
    Http(Box<HttpSocket>),
}

/// How reading what arrived ended, when it cannot go on.
pub(crate) enum SocketEnd {
    /// The server closed, with its code (if any) and reason.
    Closed {
        /// The close code.
        code: Option<u16>,
        /// The reason.
        reason: String,
    },
    /// The server broke a WebSocket rule; the close frame for it is queued.
    Failed(WebSocketError),
    /// The HTTP session's answer could not be read.
    Broken(ConnectionError),
}

impl From<ReadEnd> for SocketEnd {
    fn from(end: ReadEnd) -> Self {
        match end {
            ReadEnd::Closed { code, reason } => SocketEnd::Closed { code, reason },
            ReadEnd::Failed(e) => SocketEnd::Failed(e),
        }
    }
}

impl Socket {
    /// Waits for bytes; 0 means the server has closed the stream.
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        match self {
            Socket::Ws(ws) => ws.poll_read(cx),
            Socket::Http(http) => http.poll_read(cx),
        }
    }

    /// [`Socket::poll_read`] if bytes are already there.
    pub(crate) fn try_read(&mut self) -> Option<io::Result<usize>> {
        use futures_util::FutureExt;
        std::future::poll_fn(|cx| self.poll_read(cx)).now_or_never()
    }

    /// Hands `on` each message (and liveness signal) complete so far, until it returns false.
    pub(crate) fn frames(
        &mut self,
        mut on: impl FnMut(Incoming<'_>) -> bool,
    ) -> Result<(), SocketEnd> {
        let http = match self {
            Socket::Ws(ws) => return ws.frames(on).map_err(SocketEnd::from),
            Socket::Http(http) => http,
        };
        while let Some(inbound) = http.next_inbound() {
            let go_on = match inbound {
                Inbound::Message(text) => on(Incoming::Text(&text)),
                Inbound::Heartbeat => on(Incoming::Pong),
                Inbound::Closed(code, reason) => {
                    return Err(SocketEnd::Closed {
                        code: Some(code),
                        reason,
                    })
                }
                Inbound::Broken(e) => return Err(SocketEnd::Broken(e)),
            };
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// Whether anything read waits to be handed over (frames that came with the opening).
    pub(crate) fn buffered(&self) -> usize {
        match self {
            Socket::Ws(ws) => ws.buffered(),
            Socket::Http(http) => http.buffered(),
        }
    }

    /// Lets go of read buffers holding nothing unfinished.
    pub(crate) fn release_idle_read_buffer(&mut self) {
        match self {
            Socket::Ws(ws) => ws.release_idle_read_buffer(),
            Socket::Http(http) => http.release_idle_read_buffer(),
        }
    }

    /// Queues a text frame.
    pub(crate) fn send_text(&mut self, text: &str) {
        match self {
            Socket::Ws(ws) => ws.send_text(text),
            Socket::Http(http) => http.send_text(text),
        }
    }

    /// Whether frames wait to be written.
    pub(crate) fn wants_flush(&self) -> bool {
        match self {
            Socket::Ws(ws) => ws.wants_flush(),
            Socket::Http(http) => http.wants_flush(),
        }
    }

    /// Bytes not yet taken by the server.
    pub(crate) fn unwritten(&self) -> usize {
        match self {
            Socket::Ws(ws) => ws.unwritten(),
            Socket::Http(http) => http.unwritten(),
        }
    }

    /// Writes what waits, as far as the server takes it.
    pub(crate) fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Socket::Ws(ws) => ws.poll_write_out(cx),
            Socket::Http(http) => http.poll_write_out(cx),
        }
    }

    /// Closes: a WebSocket sends its close frame and waits for the answer; an HTTP session
    /// has no close message (pusher-js only drops its requests), so its requests are dropped.
    pub(crate) async fn close(self, code: u16) {
        match self {
            Socket::Ws(ws) => ws.close(code).await,
            Socket::Http(http) => drop(http),
        }
    }
}
