//! Fault injection: closes, drops, silence, restarts and broken handshakes.

mod common;

use common::*;
use futures_util::SinkExt;
use pusher_test_server::{HandshakeMode, ReceivedFrame};
use serde_json::{json, Value};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn close_sends_the_code() {
    let server = start().await;
    let mut one = Client::connect(&server).await;
    let mut two = Client::connect(&server).await;
    let mut three = Client::connect(&server).await;
    assert_eq!(server.close(Some(&one.socket_id), 4200, "reconnect now"), 1);
    assert_eq!(
        expect_close(&mut one.ws).await,
        (4200, "reconnect now".to_owned())
    );
    // tungstenite answers the close for us when we keep reading.
    expect_abrupt_end(&mut one.ws).await;
    server
        .wait_for(|s| s.connections().len() == 2, TIMEOUT)
        .await
        .unwrap();

    assert_eq!(server.close(None, 4001, ""), 2);
    assert_eq!(expect_close(&mut two.ws).await.0, 4001);
    assert_eq!(expect_close(&mut three.ws).await.0, 4001);
    let id = one.socket_id.clone();
    assert!(server
        .received()
        .iter()
        .any(|r| r.socket_id == id && r.frame == ReceivedFrame::Close(Some(4200))));
}

#[tokio::test]
async fn drop_cuts_the_socket_without_a_close_frame() {
    let server = start().await;
    let mut one = Client::connect(&server).await;
    let mut two = Client::connect(&server).await;
    one.join(&server, "presence-room", json!("one")).await;
    two.join(&server, "presence-room", json!("two")).await;
    one.expect_event("pusher_internal:member_added").await;

    assert_eq!(server.drop_connections(Some(&two.socket_id)), 1);
    assert_eq!(server.connections().len(), 1, "removed at once");
    expect_abrupt_end(&mut two.ws).await;
    let removed = one.expect_event("pusher_internal:member_removed").await;
    assert_eq!(data(&removed)["user_id"], "two");

    assert_eq!(server.drop_connections(Some("0.0")), 0);
    assert_eq!(server.drop_connections(None), 1);
    expect_abrupt_end(&mut one.ws).await;
    assert!(server.connections().is_empty());
}

#[tokio::test]
async fn silence_answers_nothing_until_lifted() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
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
    // The first frame after silence is the queued event: neither the
    // pusher:ping nor the WebSocket ping got an answer.
    let event = client.next_json().await;
    assert_eq!(event["event"], "queued");
    client.ping_pong().await;
}

#[tokio::test]
async fn silence_applies_to_new_connections_after_their_handshake() {
    let server = start().await;
    server.set_silent(true);
    let mut client = Client::connect(&server).await;
    client.send(json!({"event":"pusher:ping","data":{}})).await;
    let id = client.socket_id.clone();
    server
        .wait_for(
            |s| {
                s.received()
                    .iter()
                    .any(|r| r.socket_id == id && r.frame.event().is_some())
            },
            TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(server.send_raw(Some(&id), "marker"), 1);
    server.set_silent(false);
    assert_eq!(next(&mut client.ws).await, Message::text("marker"));
    client.ping_pong().await;
}

#[tokio::test]
async fn stop_and_restart_on_the_same_port() {
    let server = start().await;
    let port = server.port();
    let mut client = Client::connect(&server).await;
    let old_id = client.socket_id.clone();

    server.stop().await;
    server.stop().await; // idempotent
    expect_abrupt_end(&mut client.ws).await;
    assert!(server.connections().is_empty());
    assert!(connect_async(url(&server, &app_path(&server)))
        .await
        .is_err());

    server.restart().await.unwrap();
    server.restart().await.unwrap(); // already listening: no-op
    assert_eq!(server.port(), port);
    let again = Client::connect(&server).await;
    assert_ne!(again.socket_id, old_id);
    assert_eq!(server.connections().len(), 1);
}

#[tokio::test]
async fn handshake_without_activity_timeout() {
    let server = start().await;
    server.set_handshake(HandshakeMode::NoActivityTimeout);
    let mut ws = open(&server, &app_path(&server)).await;
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["event"], "pusher:connection_established");
    let established = data(&frame);
    assert!(established["socket_id"].is_string());
    assert!(
        established.get("activity_timeout").is_none(),
        "{established}"
    );
}

#[tokio::test]
async fn handshake_with_invalid_first_frame() {
    let server = start().await;
    server.set_handshake(HandshakeMode::InvalidFirstFrame);
    let mut ws = open(&server, &app_path(&server)).await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"event":"hello","data":"{}"})
    );
}

#[tokio::test]
async fn handshake_with_error_keeps_the_socket_open() {
    let server = start().await;
    server.set_handshake(HandshakeMode::Error {
        code: Some(4100),
        message: "Over capacity".into(),
    });
    let mut ws = open(&server, &app_path(&server)).await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({"event":"pusher:error","data":{"code":4100,"message":"Over capacity"}})
    );
    ws.send(Message::text(r#"{"event":"pusher:ping","data":{}}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["event"], "pusher:pong");

    server.set_handshake(HandshakeMode::Error {
        code: None,
        message: "odd".into(),
    });
    let mut ws = open(&server, &app_path(&server)).await;
    assert_eq!(next_json(&mut ws).await["data"]["code"], Value::Null);
}

#[tokio::test]
async fn handshake_with_close() {
    let server = start().await;
    server.set_handshake(HandshakeMode::Close {
        code: 4009,
        reason: "Connection not authorized".into(),
    });
    let mut ws = open(&server, &app_path(&server)).await;
    assert_eq!(
        expect_close(&mut ws).await,
        (4009, "Connection not authorized".to_owned())
    );
    expect_abrupt_end(&mut ws).await;
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .unwrap();

    // Only new connections are affected by a mode change.
    server.set_handshake(HandshakeMode::Normal);
    Client::connect(&server).await;
}

#[tokio::test]
async fn silent_handshake_sends_nothing() {
    let server = start().await;
    server.set_handshake(HandshakeMode::Silent);
    let mut ws = open(&server, &app_path(&server)).await;
    ws.send(Message::text(r#"{"event":"pusher:ping","data":{}}"#))
        .await
        .unwrap();
    ws.send(Message::Ping("x".into())).await.unwrap();
    server
        .wait_for(
            |s| s.received().iter().any(|r| r.frame == ReceivedFrame::Ping),
            TIMEOUT,
        )
        .await
        .unwrap();
    let id = server.connections()[0].socket_id.clone();
    assert_eq!(server.send_raw(Some(&id), "never"), 1);
    // Everything the server might have written would come before the drop.
    server.drop_connections(Some(&id));
    expect_abrupt_end(&mut ws).await;
}

#[tokio::test]
async fn silent_handshake_notices_the_client_leaving() {
    let server = start().await;
    server.set_handshake(HandshakeMode::Silent);
    let mut ws = open(&server, &app_path(&server)).await;
    server
        .wait_for(|s| s.connections().len() == 1, TIMEOUT)
        .await
        .unwrap();
    drop(ws.close(None).await);
    drop(ws);
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .unwrap();
}
