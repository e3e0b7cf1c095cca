//! Which transports a client may use, and where pusher-js's HTTP transports go.
//!
//! pusher-js falls back from the WebSocket to two HTTP transports, `xhr_streaming` and
//! `xhr_polling`, served by Pusher's hosted service on `sockjs-<cluster>.pusher.com`. No
//! self-hosted Pusher-protocol server serves them, so the engine only tries them where an
//! [`HttpEndpoint`] is given: the binding gives one when the app sets `httpHost` or connects
//! to Pusher's own hosts, never for a self-hosted `wsHost` alone.

/// The transports a client may use, as pusher-js names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transports {
    /// The WebSocket (`ws`, or `wss` under TLS).
    pub ws: bool,
    /// HTTP streaming: one long response carries the server's frames.
    pub xhr_streaming: bool,
    /// HTTP long polling: one response per batch of the server's frames.
    pub xhr_polling: bool,
}

impl Default for Transports {
    fn default() -> Self {
        Transports {
            ws: true,
            xhr_streaming: true,
            xhr_polling: true,
        }
    }
}

/// Where the HTTP transports go: `http[s]://host:port<path>/app/<key>/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpEndpoint {
    /// The host (`sockjs-<cluster>.pusher.com` for Pusher's service).
    pub host: String,
    /// The port without TLS (pusher-js's `httpPort`, 80 by default).
    pub http_port: u16,
    /// The port with TLS (pusher-js's `httpsPort`, 443 by default).
    pub https_port: u16,
    /// The path before `/app/<key>` (pusher-js's `httpPath`, `/pusher` by default).
    pub path: String,
}

impl HttpEndpoint {
    /// Pusher's own endpoint for `cluster` (`sockjs-<cluster>.pusher.com`, ports 80 and 443,
    /// path `/pusher`), as pusher-js derives it.
    pub fn pusher(cluster: Option<&str>) -> HttpEndpoint {
        let host = match cluster {
            Some(c) if !c.is_empty() => format!("sockjs-{c}.pusher.com"),
            _ => "sockjs.pusher.com".to_owned(),
        };
        HttpEndpoint {
            host,
            http_port: 80,
            https_port: 443,
            path: "/pusher".to_owned(),
        }
    }

    /// The session-less base URL, as pusher-js builds it: scheme, host, explicit port, path,
    /// `/app/<key>`, and the query string that every receive request repeats.
    pub(crate) fn base(&self, tls: bool, key: &str, client: &str) -> (String, String) {
        let (scheme, port) = if tls {
            ("https", self.https_port)
        } else {
            ("http", self.http_port)
        };
        (
            format!("{scheme}://{}:{port}{}/app/{key}", self.host, self.path),
            format!(
                "?protocol=7&client={client}&version={}",
                crate::options::VERSION
            ),
        )
    }
}
