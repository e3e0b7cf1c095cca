//! Errors, one type per layer, each with a stable kind.

use serde_json::json;

/// The kind of a connection-level error, named as pusher-js names its error events.
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

/// A connection-level error, reported as an [`crate::Event::Error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct ConnectionError {
    /// What kind of error it is.
    pub kind: ConnectionErrorKind,
    /// The Pusher error or close code, when there is one.
    pub code: Option<i64>,
    /// A human-readable message.
    pub message: String,
    /// The offending frame, for parse errors (cut to 1 KiB).
    pub data: Option<String>,
}

impl ConnectionError {
    /// An error of `kind` with a message.
    pub fn new(kind: ConnectionErrorKind, message: impl Into<String>) -> Self {
        ConnectionError {
            kind,
            code: None,
            message: message.into(),
            data: None,
        }
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

    /// The error as the object pusher-js passes to `connection.bind('error', …)`.
    pub fn to_pusher_js(&self) -> serde_json::Value {
        match self.kind {
            ConnectionErrorKind::PusherError => json!({
                "type": "PusherError",
                "data": { "code": self.code, "message": self.message },
            }),
            ConnectionErrorKind::WebSocketError => json!({
                "type": "WebSocketError",
                "error": { "type": "WebSocketError", "message": self.message },
            }),
            ConnectionErrorKind::HandshakeError => json!({
                "type": "HandshakeError",
                "error": self.message,
            }),
            ConnectionErrorKind::MessageParseError => json!({
                "type": "MessageParseError",
                "error": self.message,
                "data": self.data,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pusher_js_shapes() {
        let e = ConnectionError::pusher(Some(4001), "App key not found");
        assert_eq!(
            e.to_pusher_js(),
            json!({"type":"PusherError","data":{"code":4001,"message":"App key not found"}})
        );
        let e = ConnectionError::pusher(None, "x");
        assert_eq!(e.to_pusher_js()["data"]["code"], serde_json::Value::Null);
        let e = ConnectionError::new(ConnectionErrorKind::HandshakeError, "Invalid handshake");
        assert_eq!(
            e.to_pusher_js(),
            json!({"type":"HandshakeError","error":"Invalid handshake"})
        );
        let e = ConnectionError::parse("bad", "xyz");
        assert_eq!(e.to_pusher_js()["data"], "xyz");
    }

    #[test]
    fn parse_error_cuts_long_frames_on_char_boundaries() {
        let long = "é".repeat(2000);
        let e = ConnectionError::parse("bad", &long);
        assert!(e.data.unwrap().len() <= 1024);
    }
}
