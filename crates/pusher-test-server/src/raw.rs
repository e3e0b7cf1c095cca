//! Faults below the Pusher protocol: a scripted answer to the WebSocket upgrade request, and
//! raw bytes written after it, for testing a client's WebSocket layer.

use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Response};
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue, StatusCode};

use crate::connection::Outgoing;
use crate::TestServer;

/// How the server answers the upgrade request of connections opened from now on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum UpgradeAnswer {
    /// A correct `101 Switching Protocols`.
    #[default]
    Normal,
    /// The `101` with these headers set (replacing any of the same name), e.g.
    /// `Sec-WebSocket-Extensions: permessage-deflate`, `Sec-WebSocket-Protocol: chat`,
    /// or a wrong `Sec-WebSocket-Accept`. The server then carries on as if the client had
    /// accepted it.
    Headers(Vec<(String, String)>),
    /// No upgrade: an HTTP response with this status and an empty body.
    Status(u16),
}

impl UpgradeAnswer {
    /// Applies the script to the `101` tungstenite is about to send.
    #[allow(clippy::result_large_err)] // the error type is tungstenite's `Callback`'s
    pub(crate) fn apply(&self, mut response: Response) -> Result<Response, ErrorResponse> {
        match self {
            UpgradeAnswer::Normal => Ok(response),
            UpgradeAnswer::Headers(headers) => {
                for (name, value) in headers {
                    let (Ok(name), Ok(value)) = (
                        HeaderName::from_bytes(name.as_bytes()),
                        HeaderValue::from_str(value),
                    ) else {
                        panic!("invalid scripted header {name}: {value}");
                    };
                    response.headers_mut().insert(name, value);
                }
                Ok(response)
            }
            UpgradeAnswer::Status(status) => {
                let mut refusal = ErrorResponse::new(None);
                *refusal.status_mut() =
                    StatusCode::from_u16(*status).expect("a valid HTTP status code");
                Err(refusal)
            }
        }
    }
}

impl TestServer {
    /// Sets how connections opened from now on are answered when they ask to upgrade.
    pub fn set_upgrade_answer(&self, answer: UpgradeAnswer) {
        *self
            .inner()
            .upgrade
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = answer;
    }

    /// Writes `bytes` as they are, between whole frames, to one connection
    /// (`Some(socket_id)`) or all (`None`); returns how many were written to. Use it for
    /// frames that a WebSocket server would never send (masked, fragmented control frames,
    /// bad UTF-8, forbidden close codes). The server's own WebSocket state does not know
    /// about them.
    pub fn send_bytes(&self, socket_id: Option<&str>, bytes: &[u8]) -> usize {
        self.inner()
            .send_each(socket_id, || Outgoing::Raw(bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_answers_change_the_101_or_refuse_it() {
        let ok = || Response::builder().status(101).body(()).unwrap();
        assert_eq!(UpgradeAnswer::Normal.apply(ok()).unwrap().status(), 101);
        let headers = UpgradeAnswer::Headers(vec![(
            "Sec-WebSocket-Extensions".into(),
            "permessage-deflate".into(),
        )]);
        let answered = headers.apply(ok()).unwrap();
        assert_eq!(
            answered.headers()["sec-websocket-extensions"],
            "permessage-deflate"
        );
        let refused = UpgradeAnswer::Status(503).apply(ok()).unwrap_err();
        assert_eq!(refused.status(), 503);
    }
}
