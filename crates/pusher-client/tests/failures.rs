//! Each way a connection attempt or an open connection can fail carries its own
//! [`Failure`] kind, and every one of them is retried. The tests match kinds, never messages.
//! Where `pusher-test-server` cannot misbehave in the way needed, a few lines of raw TCP do.

mod common;

use common::{Events, T};
use pusher_client::{Client, ClientOptions, ConnectionErrorKind, Event, Failure};
use pusher_test_server::ServerOptions;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn options_for(port: u16) -> ClientOptions {
    ClientOptions::new(common::KEY)
        .cluster("test")
        .host("127.0.0.1")
        .ws_port(port)
        .use_tls(false)
}

/// Connects with `options` and returns the first error and whether a retry was scheduled.
async fn first_error(options: ClientOptions) -> pusher_client::ConnectionError {
    let client = Client::new(options);
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    let seen = events
        .wait_for_event("an error", |e| matches!(e, Event::Error(_)), T)
        .await;
    events
        .wait_for_event("a retry", |e| matches!(e, Event::ConnectingIn { .. }), T)
        .await;
    match seen.event {
        Event::Error(e) => e,
        _ => unreachable!(),
    }
}

/// Reads an HTTP request head from `s`; returns its `Sec-WebSocket-Key`.
async fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client hung up");
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8(head).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap_or_default()
        .to_owned()
}

/// A server on loopback that answers every connection with `answer(key)` and then holds it.
async fn raw_server(answer: fn(&str) -> Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let key = read_head(&mut s).await;
                let _ = s.write_all(&answer(&key)).await;
                let mut sink = [0u8; 1024];
                while matches!(s.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    port
}

fn upgraded(key: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        tungstenite::handshake::derive_accept_key(key.as_bytes())
    )
    .into_bytes()
}

#[tokio::test]
async fn a_refused_tcp_connection_is_a_connect_failure() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let e = first_error(options_for(port)).await;
    assert_eq!(
        (e.kind, e.failure),
        (ConnectionErrorKind::WebSocketError, Failure::Connect)
    );
}

#[tokio::test]
async fn an_http_status_instead_of_101_is_an_http_status_failure_with_the_status() {
    let port =
        raw_server(|_| b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec())
            .await;
    let e = first_error(options_for(port)).await;
    assert_eq!((e.failure, e.code), (Failure::HttpStatus, Some(503)));
}

#[tokio::test]
async fn a_101_with_a_wrong_accept_key_is_a_handshake_failure() {
    let port = raw_server(|_| upgraded("not the key")).await;
    assert_eq!(
        first_error(options_for(port)).await.failure,
        Failure::Handshake
    );
}

#[tokio::test]
async fn a_frame_that_breaks_rfc_6455_is_a_protocol_failure() {
    // Reserved bits set on a text frame, with no extension agreed.
    let port = raw_server(|key| [upgraded(key), vec![0xf1, 0x00]].concat()).await;
    assert_eq!(
        first_error(options_for(port)).await.failure,
        Failure::Protocol
    );
}

#[tokio::test]
async fn a_frame_over_the_limit_is_a_too_large_failure() {
    let port = raw_server(|key| [upgraded(key), vec![0x81, 126, 0x10, 0x00]].concat()).await;
    let e = first_error(options_for(port).max_message_size(1024)).await;
    assert_eq!(e.failure, Failure::TooLarge);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_failure() {
    let server = common::server_with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    })
    .await;
    let options = options_for(0).use_tls(true).wss_port(server.port());
    assert_eq!(first_error(options).await.failure, Failure::Tls);
}

#[tokio::test]
async fn an_upgrade_never_answered_times_out_within_the_attempt_timeout() {
    // TCP is accepted, the upgrade request read, and nothing ever comes back.
    let port = raw_server(|_| Vec::new()).await;
    let started = tokio::time::Instant::now();
    let e = first_error(options_for(port).attempt_timeout(Duration::from_millis(300))).await;
    assert_eq!(e.failure, Failure::Timeout);
    assert!(started.elapsed() >= Duration::from_millis(300));
}
