//! `TestServer` for JS: a real Pusher-protocol server on loopback (`pusher-native/testing`).

use crate::runtime;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use pusher_test_server as server;
use std::future::Future;
use std::time::Duration;

/// One app the server accepts.
#[napi(object)]
pub struct TestApp {
    /// The app id.
    pub app_id: String,
    /// The app key clients connect with.
    pub key: String,
    /// The secret that signs private and presence subscriptions.
    pub secret: String,
}

/// Options for [`TestServer::start`].
#[napi(object)]
pub struct TestServerOptions {
    /// Apps to accept (default: one app, key `test-key`, secret `test-secret`, id `1`).
    pub apps: Option<Vec<TestApp>>,
    /// Port to listen on (default: a free one).
    pub port: Option<u32>,
    /// `activity_timeout` in seconds sent to clients (default 120).
    pub activity_timeout: Option<u32>,
    /// Send `pusher_internal:subscription_count` to the subscribers of a non-presence channel
    /// whenever its number of subscribers changes (default `false`, as Pusher's per-app toggle).
    pub subscription_count: Option<bool>,
    /// The 32-byte master key that the keys of `private-encrypted-` channels are derived from,
    /// in standard base64 (default: the 32 ASCII bytes `pusher-test-server-master-key-01`).
    pub encryption_master_key_base64: Option<String>,
    /// Serve `wss://` instead of `ws://` on the port (default `false`), with a self-signed
    /// certificate made at start for `127.0.0.1` and `localhost`: trust `certificatePem` as the
    /// client's CA. `restart()` keeps the certificate.
    pub tls: Option<bool>,
    /// Also serve Pusher's HTTP fallback transports, `xhr_streaming` and `xhr_polling`, on the
    /// port, as pusher-js falls back to them (default `true`). See `setHttpTransports`.
    pub http_transports: Option<bool>,
    /// Quiet time in ms after which an HTTP receive request gets a heartbeat (default 25000).
    pub http_heartbeat_ms: Option<u32>,
    /// How long in ms an HTTP session lives with no receive request open before its client
    /// counts as gone (default 5000).
    pub http_disconnect_delay_ms: Option<u32>,
}

/// What a channel authorization endpoint answers: pass it to pusher-js's `authorizer` callback
/// or send it as the JSON body of an auth endpoint.
#[napi(object)]
pub struct TestChannelAuth {
    /// `"<key>:<hex HMAC-SHA256>"`.
    pub auth: String,
    /// For presence channels: the `channelData` that was signed, unchanged.
    #[napi(js_name = "channel_data")]
    pub channel_data: Option<String>,
    /// For `private-encrypted-` channels: the channel's 32-byte key in standard base64.
    #[napi(js_name = "shared_secret")]
    pub shared_secret: Option<String>,
}

/// What a user authentication endpoint answers (for `signin()`).
#[napi(object)]
pub struct TestUserAuth {
    /// `"<key>:<hex HMAC-SHA256>"` of `<socketId>::user::<userData>`.
    pub auth: String,
    /// The `userData` that was signed, unchanged.
    #[napi(js_name = "user_data")]
    pub user_data: String,
}

/// A connected client as the server sees it.
#[napi(object)]
pub struct TestConnection {
    /// Its socket id.
    pub socket_id: String,
    /// The app key it connected with.
    pub app_key: String,
    /// The request path and query it connected to.
    pub path: String,
    /// Channels it is subscribed to, in order.
    pub subscriptions: Vec<String>,
    /// The user it signed in as.
    pub user_id: Option<String>,
    /// Its upgrade request's headers by lower-case name (repeated ones joined with `, `); for
    /// an HTTP session, its first receive request's.
    pub headers: std::collections::HashMap<String, String>,
    /// How it reaches the server: `ws`, `xhr_streaming` or `xhr_polling`.
    #[napi(ts_type = "'ws' | 'xhr_streaming' | 'xhr_polling'")]
    pub transport: String,
}

/// A request that was no WebSocket upgrade.
#[napi(object)]
pub struct TestHttpRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path and query as sent.
    pub path: String,
}

/// How the server answers WebSocket upgrades (see `setUpgradeAnswer`).
#[napi(object)]
pub struct TestUpgradeAnswer {
    /// Refuse the upgrade with this HTTP status.
    pub status: Option<u32>,
    /// Headers set on the `101`, as `[name, value]` pairs.
    pub headers: Option<Vec<Vec<String>>>,
}

/// A frame the server received.
#[napi(object)]
pub struct TestFrame {
    /// The sender's socket id.
    pub socket_id: String,
    /// `text`, `binary`, `ping`, `pong` or `close`.
    pub kind: String,
    /// The text of a text frame.
    pub text: Option<String>,
    /// The event name of a text frame that is a Pusher event.
    pub event: Option<String>,
    /// The close code of a close frame.
    pub code: Option<u32>,
}

/// A presence channel member.
#[napi(object)]
pub struct TestMember {
    /// The user id.
    pub id: String,
    /// The user info.
    pub info: serde_json::Value,
}

/// How the server answers new connections.
#[napi(object)]
pub struct TestHandshake {
    /// `normal`, `noActivityTimeout`, `invalidFirstFrame`, `error`, `close`, `silent` or
    /// `firstFrame`.
    pub mode: String,
    /// For `error` (`pusher:error` code; absent means `null`) and `close` (close code).
    pub code: Option<u32>,
    /// For `error` and `close`; for `firstFrame`, the frame's text.
    pub message: Option<String>,
}

/// A scriptable Pusher-protocol server on `127.0.0.1`, for tests.
#[napi]
pub struct TestServer {
    inner: server::TestServer,
}

fn promise<T, F>(env: &Env, fut: F) -> Result<Object<'_>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = std::result::Result<T, String>> + Send + 'static,
{
    let (deferred, promise) = env.create_deferred::<T, _>()?;
    let rt = runtime::handle();
    // Run as a task of its own, so a panic in it rejects the promise instead of leaving it
    // pending.
    let work = rt.spawn(fut);
    rt.spawn(async move {
        match work.await {
            Ok(Ok(v)) => deferred.resolve(move |_| Ok(v)),
            Ok(Err(e)) => deferred.reject(Error::from_reason(e)),
            Err(e) => deferred.reject(Error::from_reason(format!("internal error: {e}"))),
        }
    });
    Ok(promise)
}

fn timeout(ms: Option<u32>) -> Duration {
    Duration::from_millis(ms.unwrap_or(5_000).into())
}

/// A 32-byte key from base64, or an error naming `what`.
fn key_from_base64(what: &str, text: &str) -> Result<[u8; 32]> {
    server::encryption::key_from_base64(text)
        .map_err(|e| Error::from_reason(format!("{what}: {e}")))
}

fn text(data: serde_json::Value) -> String {
    match data {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[napi]
impl TestServer {
    /// Starts a server on a free port (or `options.port`).
    #[napi(catch_unwind, ts_return_type = "Promise<TestServer>")]
    pub fn start(env: &Env, options: Option<TestServerOptions>) -> Result<Object<'_>> {
        crate::test_hooks::check("TestServer.start");
        let mut opts = server::ServerOptions::default();
        if let Some(o) = options {
            if let Some(apps) = o.apps {
                opts.apps = apps
                    .into_iter()
                    .map(|a| server::AppConfig::new(a.app_id, a.key, a.secret))
                    .collect();
            }
            if let Some(port) = o.port {
                opts.port = u16::try_from(port)
                    .map_err(|_| Error::from_reason(format!("port {port} is not a TCP port")))?;
            }
            if let Some(t) = o.activity_timeout {
                opts.activity_timeout = t.into();
            }
            if let Some(on) = o.subscription_count {
                opts.subscription_count = on;
            }
            if let Some(key) = o.encryption_master_key_base64 {
                opts.encryption_master_key = key_from_base64("encryptionMasterKeyBase64", &key)?;
            }
            if let Some(on) = o.tls {
                opts.tls = on;
            }
            if let Some(on) = o.http_transports {
                opts.http_transports = on;
            }
            if let Some(ms) = o.http_heartbeat_ms {
                opts.http_heartbeat = Duration::from_millis(ms.into());
            }
            if let Some(ms) = o.http_disconnect_delay_ms {
                opts.http_disconnect_delay = Duration::from_millis(ms.into());
            }
        }
        promise(env, async move {
            server::TestServer::start(opts)
                .await
                .map(|inner| TestServer { inner })
                .map_err(|e| format!("cannot start the test server: {e}"))
        })
    }

    /// The port it listens on.
    #[napi(catch_unwind, getter)]
    pub fn port(&self) -> u32 {
        self.inner.port().into()
    }

    /// The host it listens on (`127.0.0.1`).
    #[napi(catch_unwind, getter)]
    pub fn host(&self) -> String {
        self.inner.host().to_owned()
    }

    /// Whether it serves `wss://` (started with `tls: true`).
    #[napi(catch_unwind, getter)]
    pub fn tls(&self) -> bool {
        self.inner.is_tls()
    }

    /// With `tls: true`, its self-signed certificate in PEM (valid for `127.0.0.1` and
    /// `localhost`), which is also the CA a client must trust; `null` otherwise.
    #[napi(catch_unwind, getter)]
    pub fn certificate_pem(&self) -> Option<String> {
        self.inner.certificate_pem()
    }

    /// The apps it accepts; the first is the default.
    #[napi(catch_unwind, getter)]
    pub fn apps(&self) -> Vec<TestApp> {
        self.inner
            .apps()
            .into_iter()
            .map(|a| TestApp {
                app_id: a.app_id,
                key: a.key,
                secret: a.secret,
            })
            .collect()
    }

    /// Stops listening and drops every connection.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn stop<'a>(&self, env: &'a Env) -> Result<Object<'a>> {
        let s = self.inner.clone();
        promise(env, async move {
            s.stop().await;
            Ok(())
        })
    }

    /// Listens again on the same port after `stop()`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn restart<'a>(&self, env: &'a Env) -> Result<Object<'a>> {
        let s = self.inner.clone();
        promise(
            env,
            async move { s.restart().await.map_err(|e| e.to_string()) },
        )
    }

    /// Sends an event to every subscriber of `channel`; returns how many got it.
    /// A string `data` is sent as is, anything else as its JSON. On cache channels
    /// (`cache-`, `private-cache-`, `presence-cache-`, …) the event is also kept and sent to each
    /// later subscriber right after it subscribes (before that, they get `pusher:cache_miss`).
    #[napi(
        catch_unwind,
        ts_args_type = "channel: string, event: string, data?: unknown"
    )]
    pub fn trigger(&self, channel: String, event: String, data: Option<serde_json::Value>) -> u32 {
        let data = data.map(text).unwrap_or_default();
        self.inner.trigger(&channel, &event, &data) as u32
    }

    /// Sends an event on a `private-encrypted-` channel, sealed (NaCl secretbox, random nonce)
    /// under the channel's key, as `{"nonce":"<base64>","ciphertext":"<base64>"}`; returns how
    /// many subscribers got it. A string `data` is encrypted as is, anything else as its JSON.
    /// On `private-encrypted-cache-` channels it is also cached.
    #[napi(
        catch_unwind,
        ts_args_type = "channel: string, event: string, data?: unknown"
    )]
    pub fn trigger_encrypted(
        &self,
        channel: String,
        event: String,
        data: Option<serde_json::Value>,
    ) -> u32 {
        let data = data.map(text).unwrap_or_default();
        self.inner.trigger_encrypted(&channel, &event, &data) as u32
    }

    /// Like `triggerEncrypted`, but sealed under another 32-byte key (standard base64), e.g. a
    /// wrong or rotated one, to exercise decryption failures and key re-fetching.
    #[napi(
        catch_unwind,
        ts_args_type = "channel: string, event: string, data: unknown, keyBase64: string"
    )]
    pub fn trigger_encrypted_with_key(
        &self,
        channel: String,
        event: String,
        data: Option<serde_json::Value>,
        key_base64: String,
    ) -> Result<u32> {
        let key = key_from_base64("keyBase64", &key_base64)?;
        let data = data.map(text).unwrap_or_default();
        Ok(self
            .inner
            .trigger_encrypted_with_key(&channel, &event, &data, key) as u32)
    }

    /// The key of an encrypted channel in standard base64, as the auth endpoint's
    /// `shared_secret`: SHA-256 of the channel name followed by the master key.
    #[napi(catch_unwind)]
    pub fn shared_secret(&self, channel: String) -> String {
        server::encryption::to_base64(&self.inner.shared_secret(&channel))
    }

    /// The master key of encrypted channels, in standard base64.
    #[napi(catch_unwind, getter)]
    pub fn encryption_master_key_base64(&self) -> String {
        server::encryption::to_base64(&self.inner.encryption_master_key())
    }

    /// Signs a channel subscription with the first app's secret: what an auth endpoint returns
    /// for `socketId` and `channel`. Pass `channelData` (the exact JSON string) for presence
    /// channels; `shared_secret` is added for `private-encrypted-` channels.
    #[napi(catch_unwind)]
    pub fn authorize_channel(
        &self,
        socket_id: String,
        channel: String,
        channel_data: Option<String>,
    ) -> TestChannelAuth {
        let app = self.inner.app();
        if channel.starts_with("private-encrypted-") {
            let (auth, secret) = server::auth::encrypted_channel_auth(
                &app,
                &socket_id,
                &channel,
                &self.inner.encryption_master_key(),
            );
            return TestChannelAuth {
                auth,
                channel_data,
                shared_secret: Some(secret),
            };
        }
        let auth = server::auth::channel_auth(&app, &socket_id, &channel, channel_data.as_deref());
        TestChannelAuth {
            auth,
            channel_data,
            shared_secret: None,
        }
    }

    /// Signs a user sign-in with the first app's secret: what a user authentication endpoint
    /// returns for `socketId` and `userData` (the exact JSON string, with `id` and optionally
    /// `user_info` and `watchlist`).
    #[napi(catch_unwind)]
    pub fn authenticate_user(&self, socket_id: String, user_data: String) -> TestUserAuth {
        let auth = server::auth::user_auth(&self.inner.app(), &socket_id, &user_data);
        TestUserAuth { auth, user_data }
    }

    /// Sends `count` copies of an event to each subscriber as fast as possible.
    #[napi(catch_unwind)]
    pub fn blast(&self, channel: String, event: String, data: String, count: u32) -> u32 {
        self.inner.blast(&channel, &event, &data, count.into()) as u32
    }

    /// Sends an event on `#server-to-user-<userId>`.
    #[napi(
        catch_unwind,
        ts_args_type = "userId: string, event: string, data?: unknown"
    )]
    pub fn send_to_user(
        &self,
        user_id: String,
        event: String,
        data: Option<serde_json::Value>,
    ) -> u32 {
        let data = data.map(text).unwrap_or_default();
        self.inner.send_to_user(&user_id, &event, &data) as u32
    }

    /// Sends any text frame, to one connection or all.
    #[napi(catch_unwind)]
    pub fn send_raw(&self, text: String, socket_id: Option<String>) -> u32 {
        self.inner.send_raw(socket_id.as_deref(), &text) as u32
    }

    /// Sends a binary frame, to one connection or all.
    #[napi(catch_unwind)]
    pub fn send_binary(&self, bytes: Uint8Array, socket_id: Option<String>) -> u32 {
        self.inner.send_binary(socket_id.as_deref(), &bytes) as u32
    }

    /// Writes bytes as they are, between whole frames, to one connection or all: for frames
    /// a WebSocket server would never send (masked, fragmented control frames, bad UTF-8,
    /// forbidden close codes).
    #[napi(catch_unwind)]
    pub fn send_bytes(&self, bytes: Uint8Array, socket_id: Option<String>) -> u32 {
        self.inner.send_bytes(socket_id.as_deref(), &bytes) as u32
    }

    /// How to answer the WebSocket upgrade of new connections (HTTP transport requests are
    /// not upgrades, so a refusal is how tests make clients fall back to them): `{status}`
    /// refuses it with that HTTP status; `{headers: [[name, value], …]}` sets those headers on the `101` (an extension
    /// or subprotocol the client never asked for, a wrong `Sec-WebSocket-Accept`); `{}` is
    /// the normal answer.
    #[napi(catch_unwind)]
    pub fn set_upgrade_answer(&self, answer: TestUpgradeAnswer) {
        let answer = match (answer.status, answer.headers) {
            (Some(status), _) => server::UpgradeAnswer::Status(status.min(999) as u16),
            (None, Some(headers)) => {
                server::UpgradeAnswer::Headers(crate::authorizer::pairs(headers))
            }
            (None, None) => server::UpgradeAnswer::Normal,
        };
        self.inner.set_upgrade_answer(answer);
    }

    /// Sends a WebSocket ping, to one connection or all.
    #[napi(catch_unwind)]
    pub fn send_ping(&self, socket_id: Option<String>) -> u32 {
        self.inner.send_ping(socket_id.as_deref()) as u32
    }

    /// Closes connections cleanly with a close code.
    #[napi(catch_unwind)]
    pub fn close(
        &self,
        code: u32,
        reason: Option<String>,
        socket_id: Option<String>,
    ) -> Result<u32> {
        let code = u16::try_from(code)
            .map_err(|_| Error::from_reason(format!("close code {code} out of range")))?;
        Ok(self
            .inner
            .close(socket_id.as_deref(), code, reason.as_deref().unwrap_or("")) as u32)
    }

    /// Drops connections abruptly, with no close frame.
    #[napi(catch_unwind)]
    pub fn drop_connections(&self, socket_id: Option<String>) -> u32 {
        self.inner.drop_connections(socket_id.as_deref()) as u32
    }

    /// Stops (or resumes) reading and writing on every connection.
    #[napi(catch_unwind)]
    pub fn set_silent(&self, silent: bool) {
        self.inner.set_silent(silent);
    }

    /// Stops (or resumes) reading and writing on every connection, as a hung peer: a client
    /// that keeps sending fills the socket's buffers.
    #[napi(catch_unwind)]
    pub fn set_stalled(&self, stalled: bool) {
        self.inner.set_stalled(stalled);
    }

    /// How to answer new connections.
    #[napi(catch_unwind)]
    pub fn set_handshake(&self, handshake: TestHandshake) -> Result<()> {
        use server::HandshakeMode as M;
        let message = handshake.message.unwrap_or_default();
        let code16 = |c: Option<u32>| c.and_then(|c| u16::try_from(c).ok());
        let mode = match handshake.mode.as_str() {
            "normal" => M::Normal,
            "noActivityTimeout" => M::NoActivityTimeout,
            "invalidFirstFrame" => M::InvalidFirstFrame,
            "silent" => M::Silent,
            "firstFrame" => M::FirstFrame(message),
            "error" => M::Error {
                code: code16(handshake.code),
                message,
            },
            "close" => M::Close {
                code: code16(handshake.code).unwrap_or(1000),
                reason: message,
            },
            other => {
                return Err(Error::from_reason(format!(
                    "unknown handshake mode {other:?}: expected normal, noActivityTimeout, \
                     invalidFirstFrame, error, close, silent or firstFrame"
                )))
            }
        };
        self.inner.set_handshake(mode);
        Ok(())
    }

    /// The open connections.
    #[napi(catch_unwind)]
    pub fn connections(&self) -> Vec<TestConnection> {
        crate::test_hooks::check("TestServer.connections");
        self.inner
            .connections()
            .into_iter()
            .map(|c| TestConnection {
                socket_id: c.socket_id,
                app_key: c.app_key,
                path: c.path,
                subscriptions: c.subscriptions,
                user_id: c.user_id,
                headers: joined(c.headers),
                transport: c.transport.as_str().to_owned(),
            })
            .collect()
    }

    /// Every request that was no WebSocket upgrade (the HTTP transports' and any other), in
    /// arrival order, whether or not the HTTP transports are on.
    #[napi(catch_unwind)]
    pub fn http_requests(&self) -> Vec<TestHttpRequest> {
        self.inner
            .http_requests()
            .into_iter()
            .map(|r| TestHttpRequest {
                method: r.method,
                path: r.path,
            })
            .collect()
    }

    /// Turns the HTTP transports on or off for requests from now on; off, every request that is
    /// no WebSocket upgrade gets `404`. Sessions already open carry on.
    #[napi(catch_unwind)]
    pub fn set_http_transports(&self, enabled: bool) {
        self.inner.set_http_transports(enabled);
    }

    /// Every frame received so far, in order.
    #[napi(catch_unwind)]
    pub fn received(&self) -> Vec<TestFrame> {
        use server::ReceivedFrame as F;
        self.inner
            .received()
            .into_iter()
            .map(|r| {
                let event = r.frame.event();
                let (kind, text, code) = match r.frame {
                    F::Text(t) => ("text", Some(t), None),
                    F::Binary(_) => ("binary", None, None),
                    F::Ping => ("ping", None, None),
                    F::Pong => ("pong", None, None),
                    F::Close(c) => ("close", None, c.map(u32::from)),
                };
                TestFrame {
                    socket_id: r.socket_id,
                    kind: kind.into(),
                    text,
                    event,
                    code,
                }
            })
            .collect()
    }

    /// Members of a presence channel, by user id.
    #[napi(catch_unwind)]
    pub fn members(&self, channel: String) -> Vec<TestMember> {
        self.inner
            .members(&channel)
            .into_iter()
            .map(|(id, info)| TestMember { id, info })
            .collect()
    }

    /// Resolves once `count` clients are connected (rejects after `timeoutMs`, default 5000).
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_for_connections<'a>(
        &self,
        env: &'a Env,
        count: u32,
        timeout_ms: Option<u32>,
    ) -> Result<Object<'a>> {
        let count = count as usize;
        self.wait(
            env,
            format!("{count} connection(s)"),
            timeout_ms,
            move |s| s.connections().len() == count,
        )
    }

    /// Resolves once `count` clients (default 1) are subscribed to `channel`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_for_subscribers<'a>(
        &self,
        env: &'a Env,
        channel: String,
        count: Option<u32>,
        timeout_ms: Option<u32>,
    ) -> Result<Object<'a>> {
        let count = count.unwrap_or(1) as usize;
        let what = format!("{count} subscriber(s) of {channel}");
        self.wait(env, what, timeout_ms, move |s| {
            let subscribed = s
                .connections()
                .iter()
                .filter(|c| c.subscriptions.contains(&channel))
                .count();
            subscribed == count
        })
    }

    /// Resolves once the server has received `count` (default 1) frames with this event name.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_for_event<'a>(
        &self,
        env: &'a Env,
        event: String,
        count: Option<u32>,
        timeout_ms: Option<u32>,
    ) -> Result<Object<'a>> {
        let count = count.unwrap_or(1) as usize;
        let what = format!("{count} {event} frame(s)");
        self.wait(env, what, timeout_ms, move |s| {
            let seen = s
                .received()
                .iter()
                .filter(|r| r.frame.event().as_deref() == Some(event.as_str()))
                .count();
            seen >= count
        })
    }

    /// Resolves once the server has recorded `count` (default 1) requests that were no
    /// WebSocket upgrade (see `httpRequests`).
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_for_http_requests<'a>(
        &self,
        env: &'a Env,
        count: Option<u32>,
        timeout_ms: Option<u32>,
    ) -> Result<Object<'a>> {
        let count = count.unwrap_or(1) as usize;
        let what = format!("{count} HTTP request(s)");
        self.wait(env, what, timeout_ms, move |s| {
            s.http_requests().len() >= count
        })
    }

    /// Resolves once the server has received `count` (default 1) frames of a kind: `text`,
    /// `binary`, `ping`, `pong` or `close`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_for_frame<'a>(
        &self,
        env: &'a Env,
        kind: String,
        count: Option<u32>,
        timeout_ms: Option<u32>,
    ) -> Result<Object<'a>> {
        use server::ReceivedFrame as F;
        let count = count.unwrap_or(1) as usize;
        let what = format!("{count} {kind} frame(s)");
        self.wait(env, what, timeout_ms, move |s| {
            let is_kind = |f: &F| match f {
                F::Text(_) => kind == "text",
                F::Binary(_) => kind == "binary",
                F::Ping => kind == "ping",
                F::Pong => kind == "pong",
                F::Close(_) => kind == "close",
            };
            s.received().iter().filter(|r| is_kind(&r.frame)).count() >= count
        })
    }

    /// A promise resolved once `done` holds (checked on every change of the server's state).
    fn wait<'a>(
        &self,
        env: &'a Env,
        what: String,
        timeout_ms: Option<u32>,
        done: impl Fn(&server::TestServer) -> bool + Send + 'static,
    ) -> Result<Object<'a>> {
        let s = self.inner.clone();
        promise(env, async move {
            s.wait_for(done, timeout(timeout_ms))
                .await
                .map_err(|e| format!("waiting for {what}: {e}"))
        })
    }
}

/// Headers by name, repeated ones joined with `, ` (as HTTP allows).
fn joined(headers: Vec<(String, String)>) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for (name, value) in headers {
        out.entry(name)
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    out
}
