//! A minimal Pusher client for the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use pusher_test_server::{auth, ServerOptions, TestServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{
    client_async_tls_with_config, connect_async, Connector, MaybeTlsStream, WebSocketStream,
};

/// The longest any single wait in these tests may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A server on a free port with default options.
pub async fn start() -> TestServer {
    TestServer::start(ServerOptions::default())
        .await
        .expect("server starts")
}

/// A server on a free port in TLS mode (`wss://`).
pub async fn start_tls() -> TestServer {
    TestServer::start(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    })
    .await
    .expect("TLS server starts")
}

/// A client TLS configuration (ring provider) whose only trusted root is
/// the certificate in `pem`.
pub fn trusting(pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots
            .add(cert.expect("PEM certificate"))
            .expect("usable root");
    }
    assert!(!roots.is_empty(), "no certificate in {pem}");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the defaults")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// A TLS configuration trusting only the server's own certificate.
pub fn trusting_server(server: &TestServer) -> Arc<rustls::ClientConfig> {
    trusting(&server.certificate_pem().expect("a TLS server"))
}

/// Opens `wss://<name>:port<path>` over a TCP connection to the server's
/// host, verifying the certificate for `name` with `config`; fails after
/// [`TIMEOUT`].
pub async fn try_open_tls(
    server: &TestServer,
    name: &str,
    path: &str,
    config: Arc<rustls::ClientConfig>,
) -> Result<Ws, tungstenite::Error> {
    let url = format!("wss://{name}:{}{path}", server.port());
    let connect = async {
        let tcp = TcpStream::connect((server.host(), server.port())).await?;
        let (ws, _) =
            client_async_tls_with_config(url, tcp, None, Some(Connector::Rustls(config))).await?;
        Ok::<Ws, tungstenite::Error>(ws)
    };
    timeout(TIMEOUT, connect)
        .await
        .expect("TLS connect finished in time")
}

/// Opens `wss://host:port<path>` trusting only the server's certificate.
pub async fn open_tls(server: &TestServer, path: &str) -> Ws {
    try_open_tls(server, server.host(), path, trusting_server(server))
        .await
        .expect("connected over TLS")
}

/// `ws://host:port<path>`.
pub fn url(server: &TestServer, path: &str) -> String {
    format!("ws://{}:{}{}", server.host(), server.port(), path)
}

/// Opens a WebSocket to `path`.
pub async fn open(server: &TestServer, path: &str) -> Ws {
    timeout(TIMEOUT, connect_async(url(server, path)))
        .await
        .expect("connected in time")
        .expect("connected")
        .0
}

/// The default client path for the server's first app.
pub fn app_path(server: &TestServer) -> String {
    format!("/app/{}?protocol=7&client=test&version=1", server.app().key)
}

/// `data` decoded: a JSON string is parsed, anything else returned as is.
pub fn data(frame: &Value) -> Value {
    match &frame["data"] {
        Value::String(text) => serde_json::from_str(text).expect("data holds JSON"),
        other => other.clone(),
    }
}

/// Reads the next message, failing after [`TIMEOUT`].
pub async fn next(ws: &mut Ws) -> Message {
    timeout(TIMEOUT, ws.next())
        .await
        .expect("a message in time")
        .expect("socket still open")
        .expect("no socket error")
}

/// Reads the next message as Pusher JSON.
pub async fn next_json(ws: &mut Ws) -> Value {
    match next(ws).await {
        Message::Text(text) => serde_json::from_str(&text).expect("JSON frame"),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

/// Reads until the socket ends; panics if a close frame or anything else arrives first.
pub async fn expect_abrupt_end(ws: &mut Ws) {
    match timeout(TIMEOUT, ws.next())
        .await
        .expect("the socket ends in time")
    {
        None | Some(Err(_)) => {}
        Some(Ok(message)) => panic!("expected the socket to drop, got {message:?}"),
    }
}

/// Reads a close frame and returns its code and reason.
pub async fn expect_close(ws: &mut Ws) -> (u16, String) {
    match next(ws).await {
        Message::Close(Some(frame)) => (u16::from(frame.code), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

/// A connected Pusher client.
pub struct Client {
    /// The socket.
    pub ws: Ws,
    /// The id from `pusher:connection_established`.
    pub socket_id: String,
}

impl Client {
    /// Connects to the server's first app and reads the handshake.
    pub async fn connect(server: &TestServer) -> Client {
        Client::handshake(open(server, &app_path(server)).await).await
    }

    /// Connects over TLS (trusting only the server's certificate) and reads
    /// the handshake.
    pub async fn connect_tls(server: &TestServer) -> Client {
        Client::handshake(open_tls(server, &app_path(server)).await).await
    }

    /// Reads `pusher:connection_established` from a fresh socket.
    pub async fn handshake(mut ws: Ws) -> Client {
        let first = next_json(&mut ws).await;
        assert_eq!(first["event"], "pusher:connection_established", "{first}");
        let socket_id = data(&first)["socket_id"]
            .as_str()
            .expect("socket_id")
            .to_owned();
        Client { ws, socket_id }
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("sent");
    }

    /// The next JSON frame.
    pub async fn next_json(&mut self) -> Value {
        next_json(&mut self.ws).await
    }

    /// The next JSON frame, which must be `event`.
    pub async fn expect_event(&mut self, event: &str) -> Value {
        let frame = self.next_json().await;
        assert_eq!(frame["event"], event, "{frame}");
        frame
    }

    /// Sends `pusher:ping` and requires `pusher:pong` as the very next frame,
    /// which shows nothing else was sent to this client in between.
    pub async fn ping_pong(&mut self) {
        self.send(json!({"event":"pusher:ping","data":{}})).await;
        self.expect_event("pusher:pong").await;
    }

    /// Subscribes with an optional auth and channel data; returns the reply.
    pub async fn subscribe_with(
        &mut self,
        channel: &str,
        auth: Option<String>,
        channel_data: Option<&str>,
    ) -> Value {
        let mut request = json!({ "channel": channel });
        if let Some(auth) = auth {
            request["auth"] = json!(auth);
        }
        if let Some(channel_data) = channel_data {
            request["channel_data"] = json!(channel_data);
        }
        self.send(json!({"event":"pusher:subscribe","data":request}))
            .await;
        self.next_json().await
    }

    /// Subscribes to a public channel and checks it succeeded.
    pub async fn subscribe(&mut self, channel: &str) {
        let reply = self.subscribe_with(channel, None, None).await;
        assert_eq!(
            reply["event"], "pusher_internal:subscription_succeeded",
            "{reply}"
        );
    }

    /// Subscribes to a private channel with a correct signature.
    pub async fn subscribe_private(&mut self, server: &TestServer, channel: &str) {
        let auth = auth::channel_auth(&server.app(), &self.socket_id, channel, None);
        let reply = self.subscribe_with(channel, Some(auth), None).await;
        assert_eq!(
            reply["event"], "pusher_internal:subscription_succeeded",
            "{reply}"
        );
    }

    /// Joins a presence channel as `user_id`; returns the decoded success data.
    pub async fn join(&mut self, server: &TestServer, channel: &str, user_id: Value) -> Value {
        let channel_data = json!({"user_id": user_id, "user_info": {"name": "x"}}).to_string();
        let auth = auth::channel_auth(&server.app(), &self.socket_id, channel, Some(&channel_data));
        let reply = self
            .subscribe_with(channel, Some(auth), Some(&channel_data))
            .await;
        assert_eq!(
            reply["event"], "pusher_internal:subscription_succeeded",
            "{reply}"
        );
        data(&reply)
    }
}

impl Client {
    /// Signs in with `user_data` correctly signed; returns the `signin_success` frame.
    pub async fn signin(&mut self, server: &TestServer, user_data: &str) -> Value {
        let auth = auth::user_auth(&server.app(), &self.socket_id, user_data);
        self.send(json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}))
            .await;
        self.expect_event("pusher:signin_success").await
    }
}
