//! `NativeClient`: the JS-facing handle of one `pusher_client::Client`.
//!
//! Internal to the package: `lib/pusher.js` builds the pusher-js API on top of it.

use crate::authorizer::{
    pairs, AuthSettings, BindingAuthorizer, JsAuthFn, JsAuthorize, NativeAuth,
};
use crate::batch::{BatchSink, Progress};
use crate::delivery::BatchDelivery;
use crate::ws_headers::{JsHeaders, JsHeadersProvider};
use crate::{cleanup, runtime, test_hooks};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use pusher_client::handshake_headers::HandshakeHeaders;
use pusher_client::proxy::Proxy;
use pusher_client::{Client, ClientOptions, HttpEndpoint, Transports};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Connection options as `lib/options.js` read them from the option table; an absent one
/// keeps the engine's default.
#[napi(object)]
pub struct NativeOptions {
    /// The cluster name (`ws-<cluster>.pusher.com`).
    pub cluster: String,
    /// Use `wss://`.
    pub use_tls: bool,
    /// For a plain client: try `wss://` too when `ws://` attempts fail.
    pub tls_fallback: bool,
    /// Host overriding the cluster's.
    pub ws_host: Option<String>,
    /// Port for `ws://`.
    pub ws_port: Option<u32>,
    /// Port for `wss://`.
    pub wss_port: Option<u32>,
    /// Path before `/app/<key>`.
    pub ws_path: Option<String>,
    /// Milliseconds of silence before a ping.
    pub activity_timeout: Option<f64>,
    /// Milliseconds to wait for a pong.
    pub pong_timeout: Option<f64>,
    /// Milliseconds without a connection before `unavailable`.
    pub unavailable_timeout: Option<f64>,
    /// Largest frame accepted, in bytes.
    pub max_message_size: Option<f64>,
    /// Retries allowed in a row (`maxReconnectionAttempts`); absent: no limit.
    pub max_reconnection_attempts: Option<u32>,
    /// The back-off's cap in seconds (`maxReconnectGapInSeconds`).
    pub max_reconnect_gap_in_seconds: Option<f64>,
    /// How to authorize channels and users.
    pub auth: NativeAuth,
    /// Extra trusted certificates (PEM), for private CAs and self-signed servers.
    pub ca: Option<String>,
    /// Certificates from `NODE_EXTRA_CA_CERTS` (PEM); blocks that cannot be used are skipped.
    pub extra_ca: Option<String>,
    /// An HTTP proxy for the WebSocket and auth requests.
    pub proxy: Option<NativeProxy>,
    /// Fixed extra headers on the upgrade request, as `[name, value]` pairs.
    pub ws_headers: Option<Vec<Vec<String>>>,
    /// The transports allowed.
    pub transports: NativeTransports,
    /// Where the HTTP transports go; absent: they are never tried.
    pub http: Option<NativeHttpEndpoint>,
}

/// The transports a client may use, as pusher-js names them.
#[napi(object)]
pub struct NativeTransports {
    /// The WebSocket.
    pub ws: bool,
    /// HTTP streaming.
    pub xhr_streaming: bool,
    /// HTTP long polling.
    pub xhr_polling: bool,
}

/// Where pusher-js's HTTP transports go (`httpHost`, `httpPort`, `httpsPort`, `httpPath`).
#[napi(object)]
pub struct NativeHttpEndpoint {
    /// The host.
    pub host: String,
    /// The port without TLS.
    pub http_port: u32,
    /// The port with TLS.
    pub https_port: u32,
    /// The path before `/app/<key>`.
    pub path: String,
}

/// An HTTP proxy: its URL, the hosts that bypass it, and where the setting came from.
#[napi(object)]
pub struct NativeProxy {
    /// `http://[user:pass@]host:port`.
    pub url: String,
    /// `NO_PROXY` syntax.
    pub no_proxy: String,
    /// The option or variable it came from, for error messages: `Pusher option "proxy"`
    /// for the option (a malformed one throws), anything else names an environment variable
    /// (a malformed one is reported as an `error` event on every attempt to connect).
    pub source: String,
}

/// How `lib/options.js` names the `proxy` option in [`NativeProxy::source`]; any other
/// source is an environment variable.
const OPTION_SOURCE: &str = "Pusher option";

fn log_switch() -> Arc<AtomicBool> {
    static SWITCH: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    SWITCH
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone()
}

/// Turns the engine's log lines on or off for every client (`Pusher.logToConsole`, `Pusher.log`).
#[napi(catch_unwind)]
pub fn set_logging(on: bool) {
    log_switch().store(on, Ordering::Relaxed);
}

fn ms(v: f64) -> Duration {
    Duration::from_millis(v.max(0.0) as u64)
}

/// One connection to a Pusher-protocol server.
#[napi]
pub struct NativeClient {
    client: Client,
    id: u32,
    url: String,
    auth: Arc<AuthSettings>,
}

#[napi]
impl NativeClient {
    /// Starts the connection task; nothing is sent until `connect`.
    ///
    /// `wsHeaders` (when the app gave a function) is asked at every connection attempt for
    /// more upgrade headers, as `[name, value]` pairs.
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "key: string, options: NativeOptions, wsHeaders?: () => Promise<string[][]>"
    )]
    pub fn new(
        env: Env,
        key: String,
        options: NativeOptions,
        ws_headers: Option<JsHeaders<'_>>,
    ) -> Result<Self> {
        test_hooks::check("NativeClient.constructor");
        let mut opts = ClientOptions::new(key)
            .cluster(options.cluster)
            .use_tls(options.use_tls)
            .tls_fallback(options.tls_fallback)
            .log_switch(log_switch());
        if let Some(host) = options.ws_host {
            opts = opts.host(host);
        }
        if let Some(port) = options.ws_port {
            opts = opts.ws_port(port as u16);
        }
        if let Some(port) = options.wss_port {
            opts = opts.wss_port(port as u16);
        }
        if let Some(path) = options.ws_path {
            opts = opts.path(path);
        }
        if let Some(v) = options.activity_timeout {
            opts = opts.activity_timeout(ms(v));
        }
        if let Some(v) = options.pong_timeout {
            opts = opts.pong_timeout(ms(v));
        }
        if let Some(v) = options.unavailable_timeout {
            opts = opts.unavailable_timeout(ms(v));
        }
        if let Some(v) = options.max_message_size {
            opts = opts.max_message_size(v as usize);
        }
        opts = opts.max_reconnection_attempts(options.max_reconnection_attempts);
        let t = &options.transports;
        opts = opts
            .transports(Transports {
                ws: t.ws,
                xhr_streaming: t.xhr_streaming,
                xhr_polling: t.xhr_polling,
            })
            .http_endpoint(options.http.map(|h| HttpEndpoint {
                host: h.host,
                http_port: h.http_port as u16,
                https_port: h.https_port as u16,
                path: h.path,
            }));
        let mut headers = HandshakeHeaders::fixed(pairs(options.ws_headers.unwrap_or_default()))
            .map_err(|e| {
                Error::new(
                    Status::InvalidArg,
                    format!("Invalid Pusher option \"wsHeaders\": {e}"),
                )
            })?;
        if let Some(f) = ws_headers {
            headers = headers.with_provider(Arc::new(JsHeadersProvider::new(f)?));
        }
        opts = opts.handshake_headers(headers);
        if let Some(v) = options.max_reconnect_gap_in_seconds {
            opts = opts.max_reconnect_gap(ms(v * 1000.0));
        }
        let tls =
            pusher_client::tls::config_with(options.ca.as_deref(), options.extra_ca.as_deref())
                .map_err(|e| {
                    Error::new(
                        Status::InvalidArg,
                        format!("Invalid Pusher option \"ca\": {e}"),
                    )
                })?;
        opts = opts.tls_config(tls.clone());
        let proxy = match &options.proxy {
            Some(p) => match Proxy::new(&p.url, &p.no_proxy) {
                Ok(proxy) => Some(proxy),
                // The user's own option: a clear Error now.
                Err(e) if p.source.starts_with(OPTION_SOURCE) => {
                    return Err(Error::new(
                        Status::InvalidArg,
                        format!("Invalid {}: {e}", p.source),
                    ))
                }
                // The environment's: no throw where pusher-js would not throw; every attempt
                // to connect fails with an `error` event naming the variable instead (never a
                // connection around the proxy).
                Err(e) => Some(Proxy::unusable(
                    format!("Invalid {}: {e}", p.source),
                    &p.no_proxy,
                )),
            },
            None => None,
        };
        if let Some(p) = &proxy {
            opts = opts.proxy(p.clone());
        }
        let url = opts.url();
        let auth = Arc::new(AuthSettings::new(options.auth, tls, proxy.as_ref()));
        let client = Client::with_runtime(opts, &runtime::handle());
        cleanup::register(&env, client.downgrade())?;
        static NEXT_ID: AtomicU32 = AtomicU32::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Ok(NativeClient {
            client,
            id,
            url,
            auth,
        })
    }

    /// This client's number in the `deliver(client, …)` calls (see `BatchDelivery`).
    #[napi(catch_unwind, getter)]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The WebSocket URL this client connects to.
    #[napi(catch_unwind, getter)]
    pub fn url(&self) -> String {
        test_hooks::check("NativeClient.url");
        self.url.clone()
    }

    /// Connects; batches of events go through `delivery` until the client stops trying.
    /// While it tries or is connected, it keeps Node's event loop alive.
    /// `authorize(kind, socketId, channelName)` answers authorizations that need JS.
    #[napi(
        catch_unwind,
        ts_args_type = "delivery: BatchDelivery, authorize?: (kind: 'channel' | 'user', socketId: string, channelName?: string) => Promise<JsAuthAnswer>"
    )]
    pub fn connect(
        &self,
        env: Env,
        delivery: &BatchDelivery,
        authorize: Option<JsAuthorize<'_>>,
    ) -> Result<()> {
        let progress = Arc::new(Progress::default());
        let sink = BatchSink::new(&env, delivery, self.id, progress.clone())?;
        let js: Option<JsAuthFn> = match authorize {
            Some(f) => Some(
                f.build_threadsafe_function()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .build()?,
            ),
            None => None,
        };
        let authorizer = BindingAuthorizer::new(self.auth.clone(), js, progress);
        self.client
            .connect_with_authorizer(Box::new(sink), Arc::new(authorizer));
        Ok(())
    }

    /// Signs the user in once connected, and after every reconnect.
    #[napi(catch_unwind)]
    pub fn signin(&self) {
        self.client.signin();
    }

    /// While waiting to retry, tries now; otherwise does nothing.
    #[napi(catch_unwind)]
    pub fn retry_now(&self) {
        self.client.retry_now();
    }

    /// Disconnects; the process may exit once the last batch is delivered.
    #[napi(catch_unwind)]
    pub fn disconnect(&self) {
        self.client.disconnect();
    }

    /// Subscribes to a channel (now, or once connected).
    #[napi(catch_unwind)]
    pub fn subscribe(&self, channel: String) {
        test_hooks::check("NativeClient.subscribe");
        self.client.subscribe(&channel);
    }

    /// Unsubscribes from a channel.
    #[napi(catch_unwind)]
    pub fn unsubscribe(&self, channel: String) {
        self.client.unsubscribe(&channel);
    }

    /// Sends an event; `data` is JSON text. False when it was not queued: more than
    /// `MAX_QUEUED_SEND_BYTES` (1 MiB) of events wait for a server that does not read them
    /// (an `error` event then says so, once per run of refusals).
    #[napi(catch_unwind)]
    pub fn send_event(&self, event: String, data: Option<String>, channel: Option<String>) -> bool {
        self.client.send_event(&event, data, channel.as_deref())
    }

    /// Test hook: the engine's socket loop panics; it must recover. Not part of the API.
    #[doc(hidden)]
    #[napi(catch_unwind, js_name = "__provokePanic")]
    pub fn provoke_panic(&self) {
        self.client.provoke_panic();
    }

    /// Ends the connection task for good.
    #[napi(catch_unwind)]
    pub fn shutdown(&self) {
        self.client.shutdown();
    }
}
