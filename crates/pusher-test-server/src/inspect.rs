//! What a test can look at: connections, received frames, presence members.

use serde_json::Value;

use crate::TestServer;

/// One open connection, as the server sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The socket id sent in `pusher:connection_established`.
    pub socket_id: String,
    /// The app key from the URL path.
    pub app_key: String,
    /// The request path and query as received, e.g.
    /// `/app/test-key?protocol=7&client=node-native&version=0.1.0`; for an HTTP session, its
    /// first receive request's.
    pub path: String,
    /// Subscribed channels, in subscribe order.
    pub subscriptions: Vec<String>,
    /// The user id after a successful `pusher:signin`.
    pub user_id: Option<String>,
    /// The upgrade request's headers (an HTTP session's first receive request's), names in
    /// lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// How the client reaches the server.
    pub transport: Transport,
}

/// How a connection reaches the server: a WebSocket or a session of one of Pusher's HTTP
/// transports (named as in pusher-js's `enabledTransports`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// A WebSocket (`ws` or `wss`).
    WebSocket,
    /// HTTP streaming: `xhr_streaming` receive requests.
    XhrStreaming,
    /// HTTP polling: `xhr` receive requests.
    XhrPolling,
}

impl Transport {
    /// `"ws"`, `"xhr_streaming"` or `"xhr_polling"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebSocket => "ws",
            Self::XhrStreaming => "xhr_streaming",
            Self::XhrPolling => "xhr_polling",
        }
    }
}

/// A request that came in and was no WebSocket upgrade (the HTTP transports' requests, and
/// any other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path and query as sent.
    pub path: String,
}

/// A frame some client sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The sending connection.
    pub socket_id: String,
    /// What it sent.
    pub frame: ReceivedFrame,
}

/// The kinds of WebSocket frame a client can send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceivedFrame {
    /// A text frame, as sent (malformed JSON included).
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A WebSocket ping.
    Ping,
    /// A WebSocket pong.
    Pong,
    /// A close frame and its code, if it had one.
    Close(Option<u16>),
}

impl ReceivedFrame {
    /// The text of a text frame.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The `event` of a text frame holding Pusher JSON.
    pub fn event(&self) -> Option<String> {
        let value: Value = serde_json::from_str(self.as_text()?).ok()?;
        value.get("event")?.as_str().map(str::to_owned)
    }
}

impl TestServer {
    /// Every open connection, oldest first.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.inner().shared().hub.connections()
    }

    /// Every frame received from any client, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.inner().shared().received.clone()
    }

    /// Every request that was no WebSocket upgrade, in arrival order, whether or not the HTTP
    /// transports are on.
    pub fn http_requests(&self) -> Vec<HttpRequest> {
        self.inner().shared().http_requests.clone()
    }

    /// Presence members of `channel` as `(user_id, user_info)`, sorted by user id.
    pub fn members(&self, channel: &str) -> Vec<(String, Value)> {
        self.inner().shared().hub.members(channel)
    }
}
