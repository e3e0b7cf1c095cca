//! The protocol as a client sees it: handshake, channels, presence, signin,
//! client events and pushed events.

mod common;

use common::*;
use futures_util::SinkExt;
use pusher_test_server::{auth, ReceivedFrame, ServerOptions, TestServer, WaitTimeout};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn handshake_sends_socket_id_and_activity_timeout() {
    let options = ServerOptions {
        activity_timeout: 30,
        ..ServerOptions::default()
    };
    let server = TestServer::start(options).await.unwrap();
    let path = "/app/test-key?protocol=7&client=node-native&version=0.1.0";
    let mut ws = open(&server, path).await;
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["event"], "pusher:connection_established");
    assert!(frame["data"].is_string(), "data is double encoded: {frame}");
    let established = data(&frame);
    assert_eq!(established["activity_timeout"], 30);
    let socket_id = established["socket_id"].as_str().unwrap();
    let (a, b) = socket_id.split_once('.').unwrap();
    assert!(a.chars().chain(b.chars()).all(|c| c.is_ascii_digit()));

    let connections = server.connections();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].socket_id, socket_id);
    assert_eq!(connections[0].app_key, "test-key");
    assert_eq!(connections[0].path, path);
    assert!(connections[0].subscriptions.is_empty());
    assert_eq!(connections[0].user_id, None);
}

#[tokio::test]
async fn prefixed_paths_work_and_socket_ids_differ() {
    let server = start().await;
    let mut ws = open(&server, "/ws/app/test-key").await;
    let first = data(&next_json(&mut ws).await)["socket_id"].clone();
    let second = Client::connect(&server).await;
    assert_ne!(first, json!(second.socket_id));
    let paths: Vec<String> = server.connections().into_iter().map(|c| c.path).collect();
    assert_eq!(paths[0], "/ws/app/test-key");
}

#[tokio::test]
async fn unknown_key_is_refused_with_4001() {
    let server = start().await;
    let mut ws = open(&server, "/app/nope?protocol=7").await;
    let error = next_json(&mut ws).await;
    assert_eq!(
        error,
        json!({"event":"pusher:error","data":{"code":4001,"message":"App key nope not in this cluster"}})
    );
    let (code, _) = expect_close(&mut ws).await;
    assert_eq!(code, 4001);
    assert!(server.connections().is_empty());
}

#[tokio::test]
async fn public_subscribe_and_trigger() {
    let server = start().await;
    let mut alice = Client::connect(&server).await;
    let mut bob = Client::connect(&server).await;
    let reply = alice.subscribe_with("news", None, None).await;
    assert_eq!(
        reply,
        json!({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"})
    );
    // Data may also come as a string; subscribing twice is harmless.
    bob.send(json!({"event":"pusher:subscribe","data":"{\"channel\":\"news\"}"}))
        .await;
    bob.expect_event("pusher_internal:subscription_succeeded")
        .await;
    bob.subscribe("news").await;
    assert_eq!(
        server.connections()[1].subscriptions,
        vec!["news".to_owned()]
    );

    assert_eq!(server.trigger("news", "update", r#"{"n":1}"#), 2);
    for client in [&mut alice, &mut bob] {
        let event = client.next_json().await;
        assert_eq!(
            event,
            json!({"event":"update","channel":"news","data":"{\"n\":1}"})
        );
    }
    assert_eq!(server.trigger_json("news", "update", &json!({"n":[2]})), 2);
    assert_eq!(data(&alice.next_json().await), json!({"n":[2]}));
    assert_eq!(server.trigger("elsewhere", "update", "x"), 0);

    alice
        .send(json!({"event":"pusher:unsubscribe","data":{"channel":"news"}}))
        .await;
    let id = alice.socket_id.clone();
    server
        .wait_for(
            |s| {
                s.connections()
                    .iter()
                    .any(|c| c.socket_id == id && c.subscriptions.is_empty())
            },
            TIMEOUT,
        )
        .await
        .unwrap();
    assert_eq!(server.trigger("news", "update", "x"), 1);
}

#[tokio::test]
async fn private_subscribe_checks_signatures() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    client.subscribe_private(&server, "private-ok").await;

    let reply = client
        .subscribe_with("private-bad", Some("test-key:deadbeef".into()), None)
        .await;
    assert_eq!(reply["event"], "pusher:subscription_error");
    assert_eq!(reply["channel"], "private-bad");
    let error = data(&reply);
    assert_eq!(error["type"], "AuthError");
    assert_eq!(error["status"], 401);
    assert!(error["error"]
        .as_str()
        .unwrap()
        .starts_with("Invalid signature"));

    let reply = client.subscribe_with("private-none", None, None).await;
    assert_eq!(reply["event"], "pusher:subscription_error");

    let encrypted = auth::channel_auth(
        &server.app(),
        &client.socket_id,
        "private-encrypted-x",
        None,
    );
    let reply = client
        .subscribe_with("private-encrypted-x", Some(encrypted), None)
        .await;
    assert_eq!(reply["event"], "pusher_internal:subscription_succeeded");

    assert_eq!(
        server.connections()[0].subscriptions,
        vec!["private-ok".to_owned(), "private-encrypted-x".to_owned()]
    );
}

#[tokio::test]
async fn presence_members_join_and_leave() {
    let server = start().await;
    let mut one = Client::connect(&server).await;
    let mut two = Client::connect(&server).await;

    let joined = one.join(&server, "presence-room", json!(10)).await;
    assert_eq!(
        joined,
        json!({"presence":{"ids":["10"],"hash":{"10":{"name":"x"}},"count":1}})
    );
    let joined = two.join(&server, "presence-room", json!("alice")).await;
    assert_eq!(joined["presence"]["count"], 2);
    assert_eq!(joined["presence"]["ids"], json!(["10", "alice"]));

    let added = one.expect_event("pusher_internal:member_added").await;
    assert_eq!(added["channel"], "presence-room");
    assert_eq!(
        data(&added),
        json!({"user_id":"alice","user_info":{"name":"x"}})
    );
    assert_eq!(
        server.members("presence-room"),
        vec![
            ("10".to_owned(), json!({"name":"x"})),
            ("alice".to_owned(), json!({"name":"x"}))
        ]
    );

    two.send(json!({"event":"pusher:unsubscribe","data":{"channel":"presence-room"}}))
        .await;
    let removed = one.expect_event("pusher_internal:member_removed").await;
    assert_eq!(data(&removed), json!({"user_id":"alice"}));
    assert_eq!(server.members("presence-room").len(), 1);

    // Leaving by disconnecting works the same way.
    two.join(&server, "presence-room", json!("alice")).await;
    one.expect_event("pusher_internal:member_added").await;
    two.ws.close(None).await.unwrap();
    let removed = one.expect_event("pusher_internal:member_removed").await;
    assert_eq!(data(&removed)["user_id"], "alice");
    server
        .wait_for(|s| s.connections().len() == 1, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        server.members("presence-room"),
        vec![("10".to_owned(), json!({"name":"x"}))]
    );
}

#[tokio::test]
async fn presence_rejects_a_bad_signature() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    let channel_data = r#"{"user_id":"u"}"#;
    let reply = client
        .subscribe_with(
            "presence-room",
            Some("test-key:00".into()),
            Some(channel_data),
        )
        .await;
    assert_eq!(reply["event"], "pusher:subscription_error");
    assert!(server.members("presence-room").is_empty());
}

#[tokio::test]
async fn client_events_are_relayed_to_others_only() {
    let server = start().await;
    let mut one = Client::connect(&server).await;
    let mut two = Client::connect(&server).await;
    one.subscribe_private(&server, "private-chat").await;
    two.subscribe_private(&server, "private-chat").await;

    one.send(json!({"event":"client-typing","channel":"private-chat","data":{"who":"one"}}))
        .await;
    let relayed = two.next_json().await;
    assert_eq!(
        relayed,
        json!({"event":"client-typing","channel":"private-chat","data":"{\"who\":\"one\"}"})
    );
    one.ping_pong().await; // no echo to the sender

    one.join(&server, "presence-room", json!("u1")).await;
    two.join(&server, "presence-room", json!("u2")).await;
    one.expect_event("pusher_internal:member_added").await;
    two.send(json!({"event":"client-hi","channel":"presence-room","data":"hello"}))
        .await;
    let relayed = one.next_json().await;
    assert_eq!(relayed["user_id"], "u2");
    assert_eq!(relayed["data"], "hello");

    one.subscribe("public").await;
    one.send(json!({"event":"client-x","channel":"public","data":{}}))
        .await;
    let error = one.expect_event("pusher:error").await;
    assert_eq!(error["data"]["code"], Value::Null);
    one.ping_pong().await; // still open
}

#[tokio::test]
async fn signin_and_server_to_user_events() {
    let server = start().await;
    let mut client = Client::connect(&server).await;

    let reply = client
        .subscribe_with("#server-to-user-42", None, None)
        .await;
    assert_eq!(reply["event"], "pusher:subscription_error");

    client
        .send(json!({"event":"pusher:signin","data":{"auth":"test-key:00","user_data":"{\"id\":\"42\"}"}}))
        .await;
    let error = client.expect_event("pusher:error").await;
    assert_eq!(error["data"]["code"], 4009);

    let user_data = r#"{"id":"42","user_info":{"name":"Ada"}}"#;
    let auth = auth::user_auth(&server.app(), &client.socket_id, user_data);
    client
        .send(json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}))
        .await;
    let success = client.expect_event("pusher:signin_success").await;
    assert_eq!(data(&success), json!({ "user_data": user_data }));
    assert_eq!(server.connections()[0].user_id.as_deref(), Some("42"));

    client.subscribe("#server-to-user-42").await;
    assert_eq!(server.send_to_user("42", "note", "hi"), 1);
    let event = client.next_json().await;
    assert_eq!(
        event,
        json!({"event":"note","channel":"#server-to-user-42","data":"hi"})
    );
    assert_eq!(server.send_to_user("43", "note", "hi"), 0);
}

#[tokio::test]
async fn every_frame_is_recorded_and_bad_ones_ignored() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    client.ws.send(Message::text("{not json")).await.unwrap();
    client
        .ws
        .send(Message::binary(vec![1u8, 2, 3]))
        .await
        .unwrap();
    client
        .send(json!({"event":"pusher:subscribe","data":42}))
        .await;
    client.ping_pong().await;

    let received = server.received();
    let id = &client.socket_id;
    assert!(received.iter().all(|r| &r.socket_id == id));
    let frames: Vec<ReceivedFrame> = received.into_iter().map(|r| r.frame).collect();
    assert_eq!(frames[0], ReceivedFrame::Text("{not json".into()));
    assert_eq!(frames[1], ReceivedFrame::Binary(vec![1, 2, 3]));
    assert_eq!(frames[3].event().as_deref(), Some("pusher:ping"));
}

#[tokio::test]
async fn raw_binary_and_ping_frames() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    let id = client.socket_id.clone();
    assert_eq!(server.send_raw(Some(&id), "raw text"), 1);
    assert_eq!(server.send_raw(Some("0.0"), "nobody"), 0);
    assert_eq!(next(&mut client.ws).await, Message::text("raw text"));
    assert_eq!(server.send_binary(None, &[9, 8]), 1);
    assert_eq!(next(&mut client.ws).await, Message::binary(vec![9u8, 8]));

    assert_eq!(server.send_ping(Some(&id)), 1);
    assert!(matches!(next(&mut client.ws).await, Message::Ping(_)));
    // Our next write flushes the pong tungstenite queued for us.
    client.ping_pong().await;
    server
        .wait_for(
            |s| s.received().iter().any(|r| r.frame == ReceivedFrame::Pong),
            TIMEOUT,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn blast_sends_many_copies() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    client.subscribe("bench").await;
    assert_eq!(server.blast("bench", "tick", "payload", 500), 1);
    for _ in 0..500 {
        let frame = client.next_json().await;
        assert_eq!(
            frame,
            json!({"event":"tick","channel":"bench","data":"payload"})
        );
    }
    client.ping_pong().await;
}

#[tokio::test]
async fn wait_for_times_out() {
    let server = start().await;
    let timeout = Duration::from_millis(50);
    let result = server
        .wait_for(|s| s.connections().len() == 1, timeout)
        .await;
    assert_eq!(result, Err(WaitTimeout { timeout }));
    assert!(WaitTimeout { timeout }.to_string().contains("50ms"));
}
