//! Client options: where to connect and how patient to be.

use crate::transports::{HttpEndpoint, Transports};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The version reported in the connection URL's `version` parameter.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// pusher-js's defaults, defined once: the Node binding exports them to JS.
pub mod defaults {
    /// Port for `ws://` (`wsPort`).
    pub const WS_PORT: u16 = 80;
    /// Port for `wss://` (`wssPort`).
    pub const WSS_PORT: u16 = 443;
    /// Milliseconds of silence before a ping (`activityTimeout`).
    pub const ACTIVITY_TIMEOUT_MS: u64 = 120_000;
    /// Milliseconds to wait for the answer to a ping (`pongTimeout`).
    pub const PONG_TIMEOUT_MS: u64 = 30_000;
    /// Milliseconds without a connection before `unavailable` (`unavailableTimeout`).
    pub const UNAVAILABLE_TIMEOUT_MS: u64 = 10_000;
    /// Longest wait for one attempt: TCP, TLS, the upgrade and the handshake frame.
    pub const ATTEMPT_TIMEOUT_MS: u64 = 15_000;
    /// Largest frame accepted from the server, in bytes.
    pub const MAX_MESSAGE_SIZE: usize = 4 << 20;
    /// The back-off's cap in seconds (`maxReconnectGapInSeconds`), before jitter.
    pub const MAX_RECONNECT_GAP_S: u64 = 30;
}

/// How to reach a Pusher-protocol server and how to keep the connection alive.
///
/// Built with chained setters from [`ClientOptions::new`]; every field has the default
/// pusher-js uses.
///
/// ```
/// use pusher_client::ClientOptions;
/// use std::time::Duration;
/// let opts = ClientOptions::new("app-key")
///     .cluster("eu")
///     .activity_timeout(Duration::from_secs(30));
/// assert_eq!(opts.url(), "wss://ws-eu.pusher.com:443/app/app-key?protocol=7&client=pusher-native&version=0.1.0&flash=false");
/// ```
#[derive(Clone)]
pub struct ClientOptions {
    pub(crate) key: String,
    pub(crate) cluster: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) ws_port: u16,
    pub(crate) wss_port: u16,
    pub(crate) path: String,
    pub(crate) use_tls: bool,
    pub(crate) tls_fallback: bool,
    pub(crate) max_reconnection_attempts: Option<u32>,
    pub(crate) max_reconnect_gap: Duration,
    pub(crate) headers: crate::handshake_headers::HandshakeHeaders,
    pub(crate) activity_timeout: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) unavailable_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_message_size: usize,
    pub(crate) client_name: String,
    pub(crate) log: Arc<AtomicBool>,
    pub(crate) seed: u64,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    /// Boxed: rare, and every client carries its options.
    pub(crate) proxy: Option<Box<crate::proxy::Proxy>>,
    pub(crate) transports: Transports,
    /// Boxed, as `proxy`.
    pub(crate) http: Option<Box<HttpEndpoint>>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("key", &self.key)
            .field("url", &self.url())
            .field("activity_timeout", &self.activity_timeout)
            .field("pong_timeout", &self.pong_timeout)
            .field("unavailable_timeout", &self.unavailable_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientOptions {
    /// Options for the app `key`, with pusher-js's defaults (TLS on, cluster `mt1`).
    pub fn new(key: impl Into<String>) -> Self {
        ClientOptions {
            key: key.into(),
            cluster: None,
            host: None,
            ws_port: defaults::WS_PORT,
            wss_port: defaults::WSS_PORT,
            path: String::new(),
            use_tls: true,
            tls_fallback: false,
            max_reconnection_attempts: None,
            max_reconnect_gap: Duration::from_secs(defaults::MAX_RECONNECT_GAP_S),
            headers: Default::default(),
            activity_timeout: Duration::from_millis(defaults::ACTIVITY_TIMEOUT_MS),
            pong_timeout: Duration::from_millis(defaults::PONG_TIMEOUT_MS),
            unavailable_timeout: Duration::from_millis(defaults::UNAVAILABLE_TIMEOUT_MS),
            attempt_timeout: Duration::from_millis(defaults::ATTEMPT_TIMEOUT_MS),
            max_message_size: defaults::MAX_MESSAGE_SIZE,
            client_name: "pusher-native".into(),
            log: Arc::new(AtomicBool::new(false)),
            seed: 0x9e37_79b9_7f4a_7c15,
            tls: None,
            proxy: None,
            transports: Transports::default(),
            http: None,
        }
    }

    /// The cluster, which names the host `ws-<cluster>.pusher.com`.
    pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
        self.cluster = Some(cluster.into());
        self
    }
    /// A host of its own (`wsHost`), overriding the cluster's.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }
    /// The port for plain `ws://` (`wsPort`, default 80).
    pub fn ws_port(mut self, port: u16) -> Self {
        self.ws_port = port;
        self
    }
    /// The port for `wss://` (`wssPort`, default 443).
    pub fn wss_port(mut self, port: u16) -> Self {
        self.wss_port = port;
        self
    }
    /// A path placed before `/app/<key>` (`wsPath`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
    /// Whether to use TLS (`forceTLS`, default true).
    pub fn use_tls(mut self, tls: bool) -> Self {
        self.use_tls = tls;
        self
    }
    /// For a plain (`ws://`) client: when attempts fail before connecting, try `wss://`
    /// every other attempt and keep whichever connects (pusher-js's non-TLS strategy falls
    /// back to `wss` too; it races the two, this alternates them). Default false.
    pub fn tls_fallback(mut self, on: bool) -> Self {
        self.tls_fallback = on;
        self
    }
    /// Retries allowed in a row after a failed attempt or a dropped connection
    /// (`maxReconnectionAttempts`, as in Pusher's Java client): `n` makes at most `n + 1`
    /// attempts in a row; then the client reports why and ends `disconnected`. Default: no
    /// limit.
    pub fn max_reconnection_attempts(mut self, n: Option<u32>) -> Self {
        self.max_reconnection_attempts = n;
        self
    }
    /// The back-off's cap (`maxReconnectGapInSeconds`; 30 s by default), before jitter.
    pub fn max_reconnect_gap(mut self, gap: Duration) -> Self {
        self.max_reconnect_gap = gap;
        self
    }
    /// Extra headers on the WebSocket upgrade request (`wsHeaders`), fixed or asked for at
    /// every attempt; inside a proxy tunnel they travel with the upgrade.
    pub fn handshake_headers(
        mut self,
        headers: crate::handshake_headers::HandshakeHeaders,
    ) -> Self {
        self.headers = headers;
        self
    }
    /// Silence after which the client pings (the server's value wins when smaller).
    pub fn activity_timeout(mut self, d: Duration) -> Self {
        self.activity_timeout = d;
        self
    }
    /// How long to wait for any reply to a ping before reconnecting.
    pub fn pong_timeout(mut self, d: Duration) -> Self {
        self.pong_timeout = d;
        self
    }
    /// Time without a connection after which the state becomes `unavailable`.
    pub fn unavailable_timeout(mut self, d: Duration) -> Self {
        self.unavailable_timeout = d;
        self
    }
    /// Longest wait for one attempt (TCP, TLS, upgrade and handshake frame).
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = d;
        self
    }
    /// Largest frame accepted from the server, in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }
    /// The `client` name sent in the connection URL.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }
    /// Whether to emit [`crate::Event::Log`] lines.
    pub fn log(mut self, on: bool) -> Self {
        self.log = Arc::new(AtomicBool::new(on));
        self
    }
    /// A switch for [`crate::Event::Log`] lines shared with other clients, flipped at any time.
    pub fn log_switch(mut self, switch: Arc<AtomicBool>) -> Self {
        self.log = switch;
        self
    }

    pub(crate) fn logging(&self) -> bool {
        self.log.load(Ordering::Relaxed)
    }
    /// The TLS configuration (default: platform and bundled roots, see [`crate::tls`]).
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    pub(crate) fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.tls.clone().unwrap_or_else(crate::tls::default_config)
    }

    /// An HTTP proxy for the WebSocket (a `CONNECT` tunnel).
    pub fn proxy(mut self, proxy: crate::proxy::Proxy) -> Self {
        self.proxy = Some(Box::new(proxy));
        self
    }

    /// The transports allowed (all by default; the HTTP ones only act with an
    /// [`ClientOptions::http_endpoint`]).
    pub fn transports(mut self, transports: Transports) -> Self {
        self.transports = transports;
        self
    }

    /// Where pusher-js's HTTP fallback transports go; without one (the default) the client
    /// only ever uses the WebSocket.
    pub fn http_endpoint(mut self, endpoint: Option<HttpEndpoint>) -> Self {
        self.http = endpoint.map(Box::new);
        self
    }

    /// Seed for the back-off jitter, so tests can repeat a schedule.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The WebSocket URL, as pusher-js builds it: the port is always explicit.
    pub fn url(&self) -> String {
        self.url_with_tls(self.use_tls)
    }

    /// The WebSocket's host.
    pub(crate) fn ws_host(&self) -> String {
        match (&self.host, &self.cluster) {
            (Some(h), _) => h.clone(),
            (None, Some(c)) => format!("ws-{c}.pusher.com"),
            (None, None) => "ws.pusherapp.com".to_owned(),
        }
    }

    pub(crate) fn url_with_tls(&self, tls: bool) -> String {
        let host = self.ws_host();
        let (scheme, port) = if tls {
            ("wss", self.wss_port)
        } else {
            ("ws", self.ws_port)
        };
        format!(
            "{scheme}://{host}:{port}{}/app/{}?protocol=7&client={}&version={VERSION}&flash=false",
            self.path, self.key, self.client_name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_from_cluster_defaults_to_tls_443() {
        let o = ClientOptions::new("k").cluster("mt1");
        assert_eq!(
            o.url(),
            format!("wss://ws-mt1.pusher.com:443/app/k?protocol=7&client=pusher-native&version={VERSION}&flash=false")
        );
    }

    #[test]
    fn url_with_host_port_path_and_plain_ws() {
        let o = ClientOptions::new("key")
            .cluster("eu")
            .host("127.0.0.1")
            .ws_port(6001)
            .path("/ws")
            .use_tls(false);
        assert_eq!(
            o.url(),
            format!("ws://127.0.0.1:6001/ws/app/key?protocol=7&client=pusher-native&version={VERSION}&flash=false")
        );
        assert!(o
            .url_with_tls(true)
            .starts_with("wss://127.0.0.1:443/ws/app/key?"));
    }

    #[test]
    fn debug_does_not_leak_everything() {
        let s = format!("{:?}", ClientOptions::new("k"));
        assert!(s.contains("ClientOptions"));
    }
}
