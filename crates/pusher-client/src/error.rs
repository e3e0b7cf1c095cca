//! Errors, one type per layer, each with a stable kind.

/// The kind of a connection-level error, named as pusher-js names its error events.
///
/// This is the `type` JS sees; [`Failure`] says more precisely what went wrong.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionErrorKind {
    /// The server sent `pusher:error`, or closed with a Pusher close code.
    PusherError,
    /// The socket failed: DNS, TCP, TLS, the upgrade, or a dropped connection.
    WebSocketError,
    /// The first frame was not a valid `pusher:connection_established`.
    HandshakeError,
    /// A frame could not be decoded (not JSON, not an object, binary, or too large).
    MessageParseError,
}

impl ConnectionErrorKind {
    /// The `type` string pusher-js uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionErrorKind::PusherError => "PusherError",
            ConnectionErrorKind::WebSocketError => "WebSocketError",
            ConnectionErrorKind::HandshakeError => "HandshakeError",
            ConnectionErrorKind::MessageParseError => "MessageParseError",
        }
    }
}

/// What failed, one kind per failure below (and in) the Pusher protocol, for code that
/// must tell failures apart without reading messages.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// The TCP connection could not be made (name resolution, refused, unreachable).
    Connect,
    /// The HTTP proxy: its setting is malformed, it cannot be reached, or it refused the
    /// tunnel.
    Proxy,
    /// The TLS handshake failed (untrusted certificate, wrong name, protocol).
    Tls,
    /// The upgrade request was answered with an HTTP status other than 101; the status is
    /// in [`ConnectionError::code`].
    HttpStatus,
    /// The WebSocket upgrade answer is unacceptable, or the Pusher handshake (the first
    /// frame, `pusher:connection_established`) is missing, malformed or wrong.
    Handshake,
    /// The server broke the WebSocket protocol.
    Protocol,
    /// A frame or message larger than the limit.
    TooLarge,
    /// No connection within the attempt timeout.
    Timeout,
    /// An open connection ended without a close frame (reset, end of stream, write error).
    Lost,
    /// The server closed the connection with a close frame.
    Closed,
    /// No reconnection attempt left (`max_reconnection_attempts`).
    GaveUp,
    /// The server reported an error (`pusher:error`).
    Server,
    /// A frame could not be decoded (not JSON, not an object, binary).
    Parse,
    /// Outgoing data passed its bound: the event was not queued.
    Backpressure,
    /// A fault in the engine itself (a panic); the connection was restarted.
    Internal,
}

/// A connection-level error, reported as an [`crate::Event::Error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct ConnectionError {
    /// What kind of error it is, as pusher-js names it.
    pub kind: ConnectionErrorKind,
    /// What failed.
    pub failure: Failure,
    /// The Pusher error or close code, or the HTTP status ([`Failure::HttpStatus`]).
    pub code: Option<i64>,
    /// A human-readable message.
    pub message: String,
    /// The offending frame, for parse errors (cut to 1 KiB).
    pub data: Option<String>,
}

impl ConnectionError {
    /// An error of `kind` with a message.
    ///
    /// The failure is the one the kind usually means; [`ConnectionError::failed`] sets it.
    pub fn new(kind: ConnectionErrorKind, message: impl Into<String>) -> Self {
        ConnectionError {
            kind,
            failure: match kind {
                ConnectionErrorKind::PusherError => Failure::Server,
                ConnectionErrorKind::WebSocketError => Failure::Lost,
                ConnectionErrorKind::HandshakeError => Failure::Handshake,
                ConnectionErrorKind::MessageParseError => Failure::Parse,
            },
            code: None,
            message: message.into(),
            data: None,
        }
    }

    /// A `WebSocketError` (the socket's failures, as pusher-js reports them) for `failure`.
    pub fn socket(failure: Failure, message: impl Into<String>) -> Self {
        ConnectionError::new(ConnectionErrorKind::WebSocketError, message).failed(failure)
    }

    /// The same error with `failure` as what failed.
    pub fn failed(mut self, failure: Failure) -> Self {
        self.failure = failure;
        self
    }

    /// The same error with a code (see [`ConnectionError::code`]).
    pub fn with_code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }

    /// A `PusherError` with a code (which may be absent, as servers send `code: null`).
    pub fn pusher(code: Option<i64>, message: impl Into<String>) -> Self {
        ConnectionError {
            code,
            ..ConnectionError::new(ConnectionErrorKind::PusherError, message)
        }
    }

    /// A `MessageParseError` carrying the frame that failed.
    pub fn parse(message: impl Into<String>, frame: &str) -> Self {
        let mut end = frame.len().min(1024);
        while !frame.is_char_boundary(end) {
            end -= 1;
        }
        ConnectionError {
            data: Some(frame[..end].to_owned()),
            ..ConnectionError::new(ConnectionErrorKind::MessageParseError, message)
        }
    }
}

/// The text of a caught panic's payload (`"a panic"` when it is not text), for the error
/// that reports it.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "a panic"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_default_from_the_kind_and_can_be_set() {
        assert_eq!(ConnectionError::pusher(None, "x").failure, Failure::Server);
        let e = ConnectionError::socket(Failure::HttpStatus, "HTTP error: 503").with_code(503);
        assert_eq!(
            (e.kind, e.failure),
            (ConnectionErrorKind::WebSocketError, Failure::HttpStatus)
        );
        assert_eq!(ConnectionError::parse("bad", "x").failure, Failure::Parse);
        let e = ConnectionError::new(ConnectionErrorKind::HandshakeError, "no");
        assert_eq!(e.failure, Failure::Handshake);
    }

    #[test]
    fn parse_error_cuts_long_frames_on_char_boundaries() {
        let long = "é".repeat(2000);
        let e = ConnectionError::parse("bad", &long);
        assert!(e.data.unwrap().len() <= 1024);
    }
}
