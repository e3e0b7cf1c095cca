//! TLS mode: `wss://` with a self-signed certificate made at start.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use pusher_test_server::{HandshakeMode, ReceivedFrame, ServerOptions, TestServer};
use serde_json::json;
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::{self, Message};

/// The rustls error behind a failed TLS connect.
fn rustls_error(error: &tungstenite::Error) -> &rustls::Error {
    match error {
        tungstenite::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .unwrap_or_else(|| panic!("not a rustls error: {io:?}")),
        other => panic!("expected a TLS I/O error, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_server_has_no_certificate() {
    let server = start().await;
    assert!(!server.is_tls());
    assert_eq!(server.certificate_pem(), None);
}

#[tokio::test]
async fn trusted_client_connects_and_speaks_the_protocol() {
    let server = start_tls().await;
    assert!(server.is_tls());
    let pem = server.certificate_pem().expect("a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let mut client = Client::connect_tls(&server).await;
    assert_eq!(server.connections()[0].socket_id, client.socket_id);
    assert_eq!(server.connections()[0].path, app_path(&server));
    client.subscribe("news").await;
    assert_eq!(server.trigger("news", "headline", r#"{"n":1}"#), 1);
    let event = client.expect_event("headline").await;
    assert_eq!(data(&event), json!({"n":1}));
    client.ping_pong().await;
    let id = client.socket_id.clone();
    assert!(server
        .received()
        .iter()
        .any(|r| r.socket_id == id && r.frame.event().as_deref() == Some("pusher:subscribe")));
}

#[tokio::test]
async fn certificate_covers_localhost_too() {
    let server = start_tls().await;
    let ws = try_open_tls(
        &server,
        "localhost",
        &app_path(&server),
        trusting_server(&server),
    )
    .await
    .expect("localhost is a subject alt name");
    let client = Client::handshake(ws).await;
    assert!(!client.socket_id.is_empty());
}

#[tokio::test]
async fn untrusted_certificate_fails_the_handshake() {
    let server = start_tls().await;
    let other = start_tls().await;
    assert_ne!(
        server.certificate_pem(),
        other.certificate_pem(),
        "fresh per start"
    );

    let error = try_open_tls(
        &server,
        "127.0.0.1",
        &app_path(&server),
        trusting_server(&other),
    )
    .await
    .expect_err("the certificate is not trusted");
    assert!(
        matches!(
            rustls_error(&error),
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{error:?}"
    );

    // Trusted, but not for this name.
    let error = try_open_tls(
        &server,
        "example.com",
        &app_path(&server),
        trusting_server(&server),
    )
    .await
    .expect_err("the certificate does not name example.com");
    assert!(
        matches!(rustls_error(&error), rustls::Error::InvalidCertificate(_)),
        "{error:?}"
    );
    assert!(server.connections().is_empty());

    // The failures did not disturb the server.
    Client::connect_tls(&server).await;
}

#[tokio::test]
async fn plain_client_cannot_use_a_tls_server() {
    let server = start_tls().await;
    let result = timeout(TIMEOUT, connect_async(url(&server, &app_path(&server))))
        .await
        .expect("refused in time");
    assert!(result.is_err());
    assert!(server.connections().is_empty());
}

#[tokio::test]
async fn restart_keeps_the_certificate() {
    let server = start_tls().await;
    let port = server.port();
    let pem = server.certificate_pem().unwrap();
    let mut client = Client::connect_tls(&server).await;

    server.stop().await;
    expect_abrupt_end(&mut client.ws).await;
    server.restart().await.unwrap();
    assert_eq!(server.port(), port);
    assert_eq!(server.certificate_pem().as_deref(), Some(pem.as_str()));
    let ws = try_open_tls(&server, "127.0.0.1", &app_path(&server), trusting(&pem))
        .await
        .expect("the old certificate is still served");
    Client::handshake(ws).await;
}

#[tokio::test]
async fn close_codes_over_tls_end_cleanly() {
    let server = start_tls().await;
    let mut client = Client::connect_tls(&server).await;
    assert_eq!(
        server.close(Some(&client.socket_id), 4200, "reconnect now"),
        1
    );
    assert_eq!(
        expect_close(&mut client.ws).await,
        (4200, "reconnect now".to_owned())
    );
    // tungstenite answers the close; the server then ends TLS with
    // close_notify, so the stream ends cleanly, as over plain TCP.
    let end = timeout(TIMEOUT, client.ws.next())
        .await
        .expect("ends in time");
    assert!(end.is_none(), "expected a clean end, got {end:?}");
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .unwrap();
    let id = client.socket_id.clone();
    assert!(server
        .received()
        .iter()
        .any(|r| r.socket_id == id && r.frame == ReceivedFrame::Close(Some(4200))));
}

#[tokio::test]
async fn drop_over_tls_is_abrupt() {
    let server = start_tls().await;
    let mut one = Client::connect_tls(&server).await;
    let mut two = Client::connect_tls(&server).await;
    assert_eq!(server.drop_connections(Some(&one.socket_id)), 1);
    expect_abrupt_end(&mut one.ws).await;
    assert_eq!(server.connections().len(), 1);
    two.ping_pong().await;
    assert_eq!(server.drop_connections(None), 1);
    expect_abrupt_end(&mut two.ws).await;
    assert!(server.connections().is_empty());
}

#[tokio::test]
async fn silence_over_tls_answers_nothing_until_lifted() {
    let server = start_tls().await;
    let mut client = Client::connect_tls(&server).await;
    client.subscribe("news").await;
    server.set_silent(true);

    client.send(json!({"event":"pusher:ping","data":{}})).await;
    client.ws.send(Message::Ping("x".into())).await.unwrap();
    let id = client.socket_id.clone();
    server
        .wait_for(
            |s| {
                s.received()
                    .iter()
                    .any(|r| r.socket_id == id && r.frame == ReceivedFrame::Ping)
            },
            TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(server.trigger("news", "queued", "1"), 1);

    server.set_silent(false);
    // The swallowed pong and pusher:pong left the TLS session intact: the
    // next frame is the queued event, and the socket keeps working.
    let event = client.next_json().await;
    assert_eq!(event["event"], "queued");
    client.ping_pong().await;
}

#[tokio::test]
async fn handshake_modes_and_refusals_over_tls() {
    let server = start_tls().await;
    server.set_handshake(HandshakeMode::Close {
        code: 4009,
        reason: "Connection not authorized".into(),
    });
    let mut ws = open_tls(&server, &app_path(&server)).await;
    assert_eq!(
        expect_close(&mut ws).await,
        (4009, "Connection not authorized".to_owned())
    );
    expect_abrupt_end(&mut ws).await;

    server.set_handshake(HandshakeMode::Normal);
    let mut ws = open_tls(&server, "/app/nope?protocol=7").await;
    let error = next_json(&mut ws).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4001);
    assert_eq!(expect_close(&mut ws).await.0, 4001);
}

#[tokio::test]
async fn tls_on_an_ipv6_loopback_host() {
    let Ok(server) = TestServer::start(ServerOptions {
        host: "::1".into(),
        tls: true,
        ..ServerOptions::default()
    })
    .await
    else {
        return; // no IPv6 loopback here
    };
    let ws = try_open_tls(
        &server,
        "[::1]",
        &app_path(&server),
        trusting_server(&server),
    )
    .await
    .expect("the bound address is a subject alt name");
    Client::handshake(ws).await;
}
