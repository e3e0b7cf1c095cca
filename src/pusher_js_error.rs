//! The engine's connection errors as the objects pusher-js passes to
//! `connection.bind('error', …)`: the shapes are pusher-js's, so they live in the binding,
//! not in the engine.

use pusher_client::{ConnectionError, ConnectionErrorKind, Failure};
use serde_json::{json, Value};

/// `error` as pusher-js shapes it for its `type`.
pub(crate) fn to_pusher_js(error: &ConnectionError) -> Value {
    match error.kind {
        // A `pusher:error` in place of the handshake: pusher-js reports it through its
        // transport, wrapped in a WebSocketError.
        ConnectionErrorKind::PusherError if error.failure == Failure::Handshake => json!({
            "type": "WebSocketError",
            "error": {
                "type": "PusherError",
                "data": { "code": error.code, "message": error.message },
            },
        }),
        // A connection lost without a close frame: pusher-js has a code (1006), no message.
        ConnectionErrorKind::PusherError if error.failure == Failure::Lost => json!({
            "type": "PusherError",
            "data": { "code": error.code },
        }),
        ConnectionErrorKind::PusherError => json!({
            "type": "PusherError",
            "data": { "code": error.code, "message": error.message },
        }),
        ConnectionErrorKind::HandshakeError => json!({
            "type": "HandshakeError",
            "error": error.message,
        }),
        ConnectionErrorKind::MessageParseError => json!({
            "type": "MessageParseError",
            "error": error.message,
            "data": error.data,
        }),
        // WebSocketError, and any kind added later: the socket failed. A close with a code
        // that is not the Pusher protocol's (or an HTTP status refusing the upgrade) carries it.
        _ => {
            let mut inner = json!({ "type": "WebSocketError", "message": error.message });
            if let Some(code) = error.code {
                inner["code"] = code.into();
            }
            json!({ "type": "WebSocketError", "error": inner })
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
            to_pusher_js(&e),
            json!({"type":"PusherError","data":{"code":4001,"message":"App key not found"}})
        );
        let e = ConnectionError::pusher(None, "x");
        assert_eq!(to_pusher_js(&e)["data"]["code"], Value::Null);
        let e = ConnectionError::pusher(Some(4001), "App key not found").failed(Failure::Handshake);
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"WebSocketError","error":{"type":"PusherError","data":{"code":4001,"message":"App key not found"}}})
        );
        let e = ConnectionError::new(ConnectionErrorKind::HandshakeError, "Invalid handshake");
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"HandshakeError","error":"Invalid handshake"})
        );
        let e = ConnectionError::pusher(Some(1006), "reset").failed(Failure::Lost);
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"PusherError","data":{"code":1006}})
        );
        let e = ConnectionError::parse("bad", "xyz");
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"MessageParseError","error":"bad","data":"xyz"})
        );
        let e = ConnectionError::socket(Failure::HttpStatus, "HTTP error: 503").with_code(503);
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"WebSocketError","error":{"type":"WebSocketError","message":"HTTP error: 503","code":503}})
        );
        let e = ConnectionError::socket(Failure::Connect, "refused");
        assert_eq!(
            to_pusher_js(&e),
            json!({"type":"WebSocketError","error":{"type":"WebSocketError","message":"refused"}})
        );
    }
}
