//! The server handle, its shared state and the accept loop.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::connection::{self, Outgoing};
use crate::http_link::Sessions;
use crate::http_session::Limits;
use crate::state::{self, Delivery, Hub};
use crate::tls::Tls;
use crate::{AppConfig, HandshakeMode, HttpRequest, Received, ServerOptions, Transport};

/// A running Pusher-protocol server on loopback.
///
/// Cheap to clone; every clone drives the same server. When the last clone
/// is dropped the server stops listening and drops its connections.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use pusher_test_server::{ServerOptions, TestServer};
/// let server = TestServer::start(ServerOptions::default()).await?;
/// println!("ws://{}:{}/app/{}", server.host(), server.port(), server.app().key);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TestServer {
    handle: Arc<Handle>,
}

/// Owned by the clones; stops the server when the last one goes.
struct Handle {
    inner: Arc<Inner>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Ok(mut listening) = self.inner.listening.try_lock() {
            if let Some(listening) = listening.take() {
                let _ = listening.shutdown.send(());
            }
        }
    }
}

/// A send queue and kill switch for one connection.
pub(crate) struct Peer {
    pub tx: mpsc::UnboundedSender<Outgoing>,
    pub kill: Arc<Notify>,
}

/// State behind one lock.
pub(crate) struct Shared {
    pub hub: Hub,
    pub peers: HashMap<String, Peer>,
    pub received: Vec<Received>,
    /// Every request that was no WebSocket upgrade, in arrival order.
    pub http_requests: Vec<HttpRequest>,
}

impl Shared {
    /// Queues each delivery on its connection; unknown ids are skipped.
    pub fn deliver(&self, deliveries: Vec<Delivery>) {
        for delivery in deliveries {
            if let Some(peer) = self.peers.get(&delivery.socket_id) {
                let _ = peer.tx.send(Outgoing::Text(delivery.text.into()));
            }
        }
    }
}

/// The accept loop currently running.
struct Listening {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// Everything the handle and the connection tasks share.
pub(crate) struct Inner {
    pub apps: Vec<AppConfig>,
    pub host: String,
    pub port: u16,
    pub activity_timeout: u64,
    pub encryption_master_key: [u8; 32],
    /// Set in TLS mode; the same across restarts.
    pub tls: Option<Tls>,
    shared: Mutex<Shared>,
    /// Bumped on every state change; `wait_for` watches it.
    pub changes: watch::Sender<()>,
    pub silent: watch::Sender<bool>,
    /// Every connection stops reading and writing ([`TestServer::set_stalled`]).
    pub stalled: watch::Sender<bool>,
    pub handshake: Mutex<HandshakeMode>,
    pub upgrade: Mutex<crate::UpgradeAnswer>,
    /// Whether the HTTP transports are served ([`TestServer::set_http_transports`]).
    http_enabled: AtomicBool,
    /// Timings and sizes of HTTP sessions.
    pub http_limits: Limits,
    /// Open HTTP sessions.
    pub sessions: Sessions,
    next_socket: AtomicU64,
    listening: tokio::sync::Mutex<Option<Listening>>,
}

impl TestServer {
    /// Binds `options.host:options.port` and starts accepting connections on
    /// the current tokio runtime; returns as soon as the socket is bound.
    /// With [`ServerOptions::tls`] a fresh certificate is made first.
    pub async fn start(options: ServerOptions) -> io::Result<TestServer> {
        if options.apps.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "ServerOptions::apps must name at least one app",
            ));
        }
        let tls = if options.tls {
            Some(Tls::generate(&options.host)?)
        } else {
            None
        };
        let listener = TcpListener::bind((options.host.as_str(), options.port)).await?;
        let port = listener.local_addr()?.port();
        let inner = Arc::new(Inner {
            apps: options.apps.clone(),
            host: options.host,
            port,
            activity_timeout: options.activity_timeout,
            encryption_master_key: options.encryption_master_key,
            tls,
            shared: Mutex::new(Shared {
                hub: Hub::new(options.apps).with_subscription_count(options.subscription_count),
                peers: HashMap::new(),
                received: Vec::new(),
                http_requests: Vec::new(),
            }),
            changes: watch::Sender::new(()),
            silent: watch::Sender::new(false),
            stalled: watch::Sender::new(false),
            handshake: Mutex::new(HandshakeMode::Normal),
            upgrade: Mutex::new(crate::UpgradeAnswer::Normal),
            http_enabled: AtomicBool::new(options.http_transports),
            http_limits: Limits::new(options.http_heartbeat, options.http_disconnect_delay),
            sessions: Sessions::default(),
            next_socket: AtomicU64::new(1),
            listening: tokio::sync::Mutex::new(None),
        });
        *inner.listening.lock().await = Some(spawn_accept_loop(inner.clone(), listener));
        Ok(TestServer {
            handle: Arc::new(Handle { inner }),
        })
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.handle.inner
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.inner().port
    }

    /// The host the server is bound to.
    pub fn host(&self) -> &str {
        &self.inner().host
    }

    /// Whether the server speaks `wss://` ([`ServerOptions::tls`]).
    pub fn is_tls(&self) -> bool {
        self.inner().tls.is_some()
    }

    /// In TLS mode, the server's self-signed certificate in PEM; it is also
    /// the CA a client must trust. `None` for a plain `ws://` server.
    pub fn certificate_pem(&self) -> Option<String> {
        self.inner().tls.as_ref().map(|tls| tls.pem.clone())
    }

    /// The apps the server accepts.
    pub fn apps(&self) -> Vec<AppConfig> {
        self.inner().apps.clone()
    }

    /// The first app.
    pub fn app(&self) -> AppConfig {
        self.inner().apps.first().cloned().unwrap_or_default()
    }

    /// Stops listening (the port is freed) and drops every connection
    /// without a close frame. Calling it again does nothing. Cached events
    /// of cache channels survive a stop and restart.
    pub async fn stop(&self) {
        let mut listening = self.inner().listening.lock().await;
        if let Some(running) = listening.take() {
            let _ = running.shutdown.send(());
            let _ = running.task.await;
        }
        drop(listening);
        let mut shared = self.inner().shared();
        shared.hub.clear();
        // Closes every HTTP session's queue too, which ends its task.
        shared.peers.clear();
        drop(shared);
        self.inner().sessions.clear();
        self.inner().changed();
    }

    /// Turns the HTTP transports (`xhr_streaming`, `xhr_polling`) on or off for requests from
    /// now on ([`ServerOptions::http_transports`]). Off, every request that is no WebSocket
    /// upgrade is answered `404` (and still recorded in
    /// [`http_requests`](Self::http_requests)); open sessions carry on.
    pub fn set_http_transports(&self, enabled: bool) {
        self.inner().http_enabled.store(enabled, Ordering::SeqCst);
    }

    /// Listens again on the same port after [`stop`](Self::stop). Does
    /// nothing if the server is already listening. In TLS mode the same
    /// certificate is served.
    pub async fn restart(&self) -> io::Result<()> {
        let mut listening = self.inner().listening.lock().await;
        if listening.is_some() {
            return Ok(());
        }
        let inner = &self.handle.inner;
        let listener = TcpListener::bind((inner.host.as_str(), inner.port)).await?;
        *listening = Some(spawn_accept_loop(inner.clone(), listener));
        Ok(())
    }
}

fn spawn_accept_loop(inner: Arc<Inner>, listener: TcpListener) -> Listening {
    let (shutdown, stop) = oneshot::channel();
    let task = tokio::spawn(accept_loop(inner, listener, stop));
    Listening { shutdown, task }
}

/// Accepts connections until told to stop, then drops the listener and
/// every connection task.
async fn accept_loop(inner: Arc<Inner>, listener: TcpListener, mut stop: oneshot::Receiver<()>) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                if let Ok((tcp, _)) = accepted {
                    let _ = tcp.set_nodelay(true);
                    tasks.spawn(connection::serve(inner.clone(), tcp));
                }
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    tasks.shutdown().await;
}

impl Inner {
    /// The shared state, locked.
    pub fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes `wait_for` waiters.
    pub fn changed(&self) {
        self.changes.send_modify(|_| {});
    }

    /// The mode for a connection opening now.
    pub fn handshake_mode(&self) -> HandshakeMode {
        self.handshake
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether `key` names an app.
    pub fn knows_key(&self, key: &str) -> bool {
        self.apps.iter().any(|app| app.key == key)
    }

    /// Whether the HTTP transports are served.
    pub fn http_enabled(&self) -> bool {
        self.http_enabled.load(Ordering::SeqCst)
    }

    /// Records a request that was no WebSocket upgrade.
    pub fn record_http(&self, method: &str, path: &str) {
        self.shared().http_requests.push(HttpRequest {
            method: method.to_owned(),
            path: path.to_owned(),
        });
        self.changed();
    }

    /// Adds a connection; returns its new socket id.
    pub fn register(
        &self,
        app_key: &str,
        path: &str,
        headers: Vec<(String, String)>,
        tx: mpsc::UnboundedSender<Outgoing>,
        kill: Arc<Notify>,
        transport: Transport,
    ) -> String {
        let socket_id = state::socket_id(self.next_socket.fetch_add(1, Ordering::Relaxed));
        let mut shared = self.shared();
        shared.hub.connect(&socket_id, app_key, path);
        shared.hub.set_headers(&socket_id, headers);
        shared.hub.set_transport(&socket_id, transport);
        shared.peers.insert(socket_id.clone(), Peer { tx, kill });
        drop(shared);
        self.changed();
        socket_id
    }

    /// Removes a connection that ended; a no-op if it is already gone.
    pub fn unregister(&self, socket_id: &str) {
        let mut shared = self.shared();
        shared.peers.remove(socket_id);
        let deliveries = shared.hub.disconnect(socket_id);
        shared.deliver(deliveries);
        drop(shared);
        self.changed();
    }

    /// Records a frame from a client and, if `act`, handles it.
    pub fn receive(&self, socket_id: &str, frame: crate::ReceivedFrame, act: bool) {
        let mut shared = self.shared();
        if act {
            if let crate::ReceivedFrame::Text(text) = &frame {
                let deliveries = shared.hub.handle_text(socket_id, text);
                shared.deliver(deliveries);
            }
        }
        shared.received.push(Received {
            socket_id: socket_id.to_owned(),
            frame,
        });
        drop(shared);
        self.changed();
    }

    /// The socket ids `target` selects: one (if open) or all.
    fn targets(shared: &Shared, target: Option<&str>) -> Vec<String> {
        match target {
            Some(id) if shared.peers.contains_key(id) => vec![id.to_owned()],
            Some(_) => Vec::new(),
            None => shared
                .hub
                .connections()
                .into_iter()
                .map(|c| c.socket_id)
                .collect(),
        }
    }

    /// Queues `make()` on one connection or all; returns how many took it.
    pub fn send_each(&self, target: Option<&str>, make: impl Fn() -> Outgoing) -> usize {
        let shared = self.shared();
        Self::targets(&shared, target)
            .iter()
            .filter_map(|id| shared.peers.get(id))
            .filter(|peer| peer.tx.send(make()).is_ok())
            .count()
    }

    /// Sends an event frame to every subscriber of `channel` and, for a cache
    /// channel, keeps it for later subscribers (under one lock, so a
    /// subscriber gets it exactly once); returns how many took it.
    pub fn publish(&self, channel: &str, text: String) -> usize {
        let mut shared = self.shared();
        shared.hub.remember(channel, &text);
        let text = Utf8Bytes::from(text);
        shared
            .hub
            .subscribers(channel)
            .iter()
            .filter_map(|id| shared.peers.get(id))
            .filter(|peer| peer.tx.send(Outgoing::Text(text.clone())).is_ok())
            .count()
    }

    /// Queues `make()` on every subscriber of `channel`; returns how many took it.
    pub fn send_subscribers(&self, channel: &str, make: impl Fn() -> Outgoing) -> usize {
        let shared = self.shared();
        shared
            .hub
            .subscribers(channel)
            .iter()
            .filter_map(|id| shared.peers.get(id))
            .filter(|peer| peer.tx.send(make()).is_ok())
            .count()
    }

    /// Drops one connection or all without a close frame.
    pub fn drop_connections(&self, target: Option<&str>) -> usize {
        let mut shared = self.shared();
        let ids = Self::targets(&shared, target);
        let mut deliveries = Vec::new();
        for id in &ids {
            if let Some(peer) = shared.peers.remove(id) {
                peer.kill.notify_one();
            }
            deliveries.extend(shared.hub.disconnect(id));
        }
        shared.deliver(deliveries);
        drop(shared);
        self.changed();
        ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    /// The napi binding moves the server and its futures across threads.
    #[test]
    fn handle_and_futures_are_send() {
        assert_send_sync::<TestServer>();
        let _ = |server: TestServer| {
            assert_send(&TestServer::start(ServerOptions::default()));
            assert_send(&server.stop());
            assert_send(&server.restart());
            assert_send(&server.wait_for(|s| s.port() > 0, std::time::Duration::ZERO));
        };
    }
}
