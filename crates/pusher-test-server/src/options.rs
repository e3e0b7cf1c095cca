//! Server configuration: the apps it hosts and where it listens.

use std::fmt;
use std::time::Duration;

/// One Pusher app the server accepts connections for.
///
/// `Debug` shows the id and key but hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The app id (only informational here).
    pub app_id: String,
    /// The public key clients put in the URL path (`/app/<key>`).
    pub key: String,
    /// The secret used to check channel and user signatures.
    pub secret: String,
}

impl AppConfig {
    /// Builds an app from its id, key and secret.
    pub fn new(
        app_id: impl Into<String>,
        key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self {
            app_id: app_id.into(),
            key: key.into(),
            secret: secret.into(),
        }
    }
}

impl Default for AppConfig {
    /// App `"1"` with key `"test-key"` and secret `"test-secret"`.
    fn default() -> Self {
        Self::new("1", "test-key", "test-secret")
    }
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppConfig")
            .field("app_id", &self.app_id)
            .field("key", &self.key)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// How to start a [`TestServer`](crate::TestServer).
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The apps whose keys are accepted; must not be empty.
    /// Defaults to one [`AppConfig::default()`].
    pub apps: Vec<AppConfig>,
    /// The address to bind; defaults to `"127.0.0.1"`.
    pub host: String,
    /// The port to bind; `0` (the default) picks a free port.
    pub port: u16,
    /// Seconds announced as `activity_timeout` in `pusher:connection_established`;
    /// defaults to 120.
    pub activity_timeout: u64,
    /// Whether subscribers of non-presence channels get
    /// `pusher_internal:subscription_count` whenever their channel's number of
    /// subscribers changes (Pusher's per-app "subscription count" toggle);
    /// defaults to `false`.
    pub subscription_count: bool,
    /// The master key that per-channel keys of `private-encrypted-` channels
    /// are derived from (see [`encryption::shared_secret`](crate::encryption::shared_secret));
    /// defaults to [`DEFAULT_ENCRYPTION_MASTER_KEY`].
    pub encryption_master_key: [u8; 32],
    /// Whether to serve `wss://` instead of `ws://` (on the same single port);
    /// defaults to `false`. When set, [`TestServer::start`](crate::TestServer::start)
    /// makes a fresh self-signed certificate for `127.0.0.1` (an IP address
    /// name), `localhost` and, if it is another concrete address or name,
    /// [`host`](Self::host). A client must trust
    /// [`TestServer::certificate_pem`](crate::TestServer::certificate_pem)
    /// as its CA. [`restart`](crate::TestServer::restart) keeps the certificate.
    pub tls: bool,
    /// Whether the port also serves Pusher's HTTP transports, `xhr_streaming` and
    /// `xhr_polling`, as pusher-js falls back to them (under any `httpPath`, in TLS mode over
    /// TLS); defaults to `true`. See
    /// [`TestServer::set_http_transports`](crate::TestServer::set_http_transports).
    pub http_transports: bool,
    /// How long an HTTP receive request may go without a line before it gets a heartbeat
    /// (`h`); defaults to 25 s.
    pub http_heartbeat: Duration,
    /// How long an HTTP session lives with no receive request open before the server counts
    /// its client gone (and unregisters it); defaults to 5 s.
    pub http_disconnect_delay: Duration,
}

/// The default [`ServerOptions::encryption_master_key`]: the 32 ASCII bytes
/// `pusher-test-server-master-key-01`.
pub const DEFAULT_ENCRYPTION_MASTER_KEY: [u8; 32] = *b"pusher-test-server-master-key-01";

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            apps: vec![AppConfig::default()],
            host: "127.0.0.1".to_owned(),
            port: 0,
            activity_timeout: 120,
            subscription_count: false,
            encryption_master_key: DEFAULT_ENCRYPTION_MASTER_KEY,
            tls: false,
            http_transports: true,
            http_heartbeat: Duration::from_secs(25),
            http_disconnect_delay: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", AppConfig::new("7", "k", "very-secret"));
        assert!(text.contains("\"k\""));
        assert!(!text.contains("very-secret"));
    }

    #[test]
    fn defaults() {
        let options = ServerOptions::default();
        assert_eq!(
            options.apps,
            vec![AppConfig::new("1", "test-key", "test-secret")]
        );
        assert_eq!(options.host, "127.0.0.1");
        assert_eq!(options.port, 0);
        assert_eq!(options.activity_timeout, 120);
        assert!(!options.subscription_count);
        assert!(!options.tls);
        assert!(options.http_transports);
        assert_eq!(options.http_heartbeat, Duration::from_secs(25));
        assert_eq!(options.http_disconnect_delay, Duration::from_secs(5));
        assert_eq!(
            &options.encryption_master_key,
            b"pusher-test-server-master-key-01"
        );
    }
}
