//! Subscription counts, cache channels, watchlists and encrypted channels
//! over real sockets.

mod common;

use common::*;
use pusher_test_server::{auth, encryption, ServerOptions, TestServer};
use serde_json::{json, Value};

async fn start_with(options: ServerOptions) -> TestServer {
    TestServer::start(options).await.expect("server starts")
}

/// The decoded `subscription_count` of the next frame, which must be one for `channel`.
async fn expect_count(client: &mut Client, channel: &str) -> u64 {
    let frame = client
        .expect_event("pusher_internal:subscription_count")
        .await;
    assert_eq!(frame["channel"], channel, "{frame}");
    data(&frame)["subscription_count"]
        .as_u64()
        .expect("a count")
}

/// The next frame as a watchlist event: `(name, user_ids)`.
async fn expect_watchlist(client: &mut Client) -> (String, Vec<String>) {
    let frame = client
        .expect_event("pusher_internal:watchlist_events")
        .await;
    assert!(frame.get("channel").is_none(), "{frame}");
    let events = data(&frame)["events"].clone();
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{frame}");
    let ids = events[0]["user_ids"]
        .as_array()
        .expect("user_ids")
        .iter()
        .map(|id| id.as_str().expect("string id").to_owned())
        .collect();
    (events[0]["name"].as_str().expect("name").to_owned(), ids)
}

#[tokio::test]
async fn subscription_counts_when_enabled() {
    let server = start_with(ServerOptions {
        subscription_count: true,
        ..ServerOptions::default()
    })
    .await;
    let mut alice = Client::connect(&server).await;
    let mut bob = Client::connect(&server).await;
    let mut carol = Client::connect(&server).await;

    alice.subscribe("news").await;
    let frame = alice.next_json().await;
    assert_eq!(
        frame,
        json!({"event":"pusher_internal:subscription_count","channel":"news","data":"{\"subscription_count\":1}"})
    );

    bob.subscribe_private(&server, "private-news").await;
    assert_eq!(expect_count(&mut bob, "private-news").await, 1);
    bob.subscribe("news").await;
    assert_eq!(expect_count(&mut bob, "news").await, 2);
    assert_eq!(expect_count(&mut alice, "news").await, 2);

    carol.subscribe("news").await;
    assert_eq!(expect_count(&mut carol, "news").await, 3);
    assert_eq!(expect_count(&mut alice, "news").await, 3);
    assert_eq!(expect_count(&mut bob, "news").await, 3);

    bob.send(json!({"event":"pusher:unsubscribe","data":{"channel":"news"}}))
        .await;
    assert_eq!(expect_count(&mut alice, "news").await, 2);
    assert_eq!(expect_count(&mut carol, "news").await, 2);

    // A client going away counts too.
    carol.ws.close(None).await.expect("close sent");
    assert_eq!(expect_count(&mut alice, "news").await, 1);
    server.drop_connections(Some(&alice.socket_id));
    bob.ping_pong().await; // nothing for bob: he left news, private-news unchanged

    // Presence channels never get counts.
    let mut dave = Client::connect(&server).await;
    dave.join(&server, "presence-room", json!("d")).await;
    bob.join(&server, "presence-room", json!("b")).await;
    dave.expect_event("pusher_internal:member_added").await;
    dave.ping_pong().await;
    bob.ping_pong().await;
}

#[tokio::test]
async fn subscription_counts_are_off_by_default() {
    let server = start().await;
    let mut alice = Client::connect(&server).await;
    let mut bob = Client::connect(&server).await;
    alice.subscribe("news").await;
    bob.subscribe("news").await;
    alice.ping_pong().await;
    bob.ping_pong().await;
}

#[tokio::test]
async fn cache_channels_replay_the_last_event() {
    let server = start().await;
    let mut alice = Client::connect(&server).await;
    alice.subscribe("cache-prices").await;
    let miss = alice.next_json().await;
    assert_eq!(
        miss,
        json!({"event":"pusher:cache_miss","channel":"cache-prices"})
    );

    assert_eq!(server.trigger("cache-prices", "tick", "1"), 1);
    assert_eq!(
        server.trigger_json("cache-prices", "tick", &json!({"price": 2})),
        1
    );
    assert_eq!(alice.expect_event("tick").await["data"], "1");
    let last = alice.expect_event("tick").await;
    assert_eq!(last["data"], "{\"price\":2}");

    // A later subscriber gets the last event right after succeeding.
    let mut bob = Client::connect(&server).await;
    bob.subscribe("cache-prices").await;
    assert_eq!(bob.next_json().await, last);
    bob.ping_pong().await;

    // Kept with no subscribers at all, and pushed when nobody listens.
    server.drop_connections(None);
    assert_eq!(server.trigger("private-cache-x", "e", "kept"), 0);
    let mut carol = Client::connect(&server).await;
    carol.subscribe("cache-prices").await;
    assert_eq!(carol.next_json().await, last);
    carol.subscribe_private(&server, "private-cache-x").await;
    assert_eq!(
        carol.next_json().await,
        json!({"event":"e","channel":"private-cache-x","data":"kept"})
    );

    // Presence cache channels: a miss after the members.
    carol.join(&server, "presence-cache-room", json!("c")).await;
    carol.expect_event("pusher:cache_miss").await;

    // Ordinary channels replay nothing.
    server.trigger("news", "e", "x");
    carol.subscribe("news").await;
    carol.ping_pong().await;
}

#[tokio::test]
async fn cache_frame_comes_before_the_count() {
    let server = start_with(ServerOptions {
        subscription_count: true,
        ..ServerOptions::default()
    })
    .await;
    server.trigger("cache-a", "e", "v");
    let mut alice = Client::connect(&server).await;
    alice.subscribe("cache-a").await;
    alice.expect_event("e").await;
    assert_eq!(expect_count(&mut alice, "cache-a").await, 1);
}

#[tokio::test]
async fn watchlist_online_and_offline() {
    let server = start().await;
    let mut alice = Client::connect(&server).await;
    let mut bob = Client::connect(&server).await;
    let mut bob2 = Client::connect(&server).await;
    let mut carol = Client::connect(&server).await;

    alice
        .signin(&server, r#"{"id":"u1","watchlist":["u2","u3"]}"#)
        .await;
    alice.ping_pong().await; // nobody watched is online yet

    bob.signin(&server, r#"{"id":"u2"}"#).await;
    assert_eq!(
        expect_watchlist(&mut alice).await,
        ("online".to_owned(), vec!["u2".to_owned()])
    );
    bob2.signin(&server, r#"{"id":"u2"}"#).await;
    bob.ping_pong().await;

    // Carol watches u1 and u2, both online: told right after signin_success.
    carol
        .signin(&server, r#"{"id":"u3","watchlist":["u1","u2","u9"]}"#)
        .await;
    assert_eq!(
        expect_watchlist(&mut carol).await,
        ("online".to_owned(), vec!["u1".to_owned(), "u2".to_owned()])
    );
    // And alice watches carol (u3).
    assert_eq!(
        expect_watchlist(&mut alice).await,
        ("online".to_owned(), vec!["u3".to_owned()])
    );

    // u2 is online while one of its connections is.
    bob.ws.close(None).await.expect("close sent");
    server
        .wait_for(|s| s.connections().len() == 3, TIMEOUT)
        .await
        .expect("bob gone");
    alice.ping_pong().await;
    server.drop_connections(Some(&bob2.socket_id));
    for watcher in [&mut alice, &mut carol] {
        assert_eq!(
            expect_watchlist(watcher).await,
            ("offline".to_owned(), vec!["u2".to_owned()])
        );
    }

    alice.ws.close(None).await.expect("close sent");
    assert_eq!(
        expect_watchlist(&mut carol).await,
        ("offline".to_owned(), vec!["u1".to_owned()])
    );
}

#[tokio::test]
async fn encrypted_channel_events_decrypt_with_the_shared_secret() {
    let server = start().await;
    let mut alice = Client::connect(&server).await;
    let channel = "private-encrypted-secrets";
    let (auth, shared_secret) = auth::encrypted_channel_auth(
        &server.app(),
        &alice.socket_id,
        channel,
        &server.encryption_master_key(),
    );
    assert_eq!(
        server.encryption_master_key(),
        pusher_test_server::DEFAULT_ENCRYPTION_MASTER_KEY
    );
    let key = encryption::key_from_base64(&shared_secret).expect("a 32-byte key");
    assert_eq!(key, server.shared_secret(channel));
    let reply = alice.subscribe_with(channel, Some(auth), None).await;
    assert_eq!(reply["event"], "pusher_internal:subscription_succeeded");

    assert_eq!(
        server.trigger_encrypted(channel, "secret", r#"{"msg":"hi"}"#),
        1
    );
    let frame = alice.expect_event("secret").await;
    assert_eq!(frame["channel"], channel);
    let wire = frame["data"].as_str().expect("data is a string");
    let sealed: Value = serde_json::from_str(wire).expect("JSON inside");
    assert_eq!(
        sealed.as_object().map(|o| {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            keys
        }),
        Some(vec![&"ciphertext".to_owned(), &"nonce".to_owned()])
    );
    assert_eq!(
        encryption::decrypt(&key, wire).as_deref(),
        Some(r#"{"msg":"hi"}"#)
    );

    // Sent with a rotated key: the client's key no longer opens it.
    let rotated = [42u8; 32];
    server.trigger_encrypted_with_key(channel, "secret", "x", rotated);
    let frame = alice.expect_event("secret").await;
    let wire = frame["data"].as_str().unwrap();
    assert_eq!(encryption::decrypt(&key, wire), None);
    assert_eq!(encryption::decrypt(&rotated, wire).as_deref(), Some("x"));

    // Client events are refused on encrypted channels.
    alice
        .send(json!({"event":"client-x","channel":channel,"data":{}}))
        .await;
    let error = alice.expect_event("pusher:error").await;
    assert!(error["data"]["message"]
        .as_str()
        .unwrap()
        .contains("encrypted"));
    alice.ping_pong().await;
}

#[tokio::test]
async fn encrypted_cache_channels_and_a_custom_master_key() {
    let master = [3u8; 32];
    let server = start_with(ServerOptions {
        encryption_master_key: master,
        ..ServerOptions::default()
    })
    .await;
    let channel = "private-encrypted-cache-vault";
    assert_eq!(
        server.shared_secret(channel),
        encryption::shared_secret(channel, &master)
    );
    server.trigger_encrypted(channel, "state", "cached secret");

    let mut alice = Client::connect(&server).await;
    let (auth, secret) =
        auth::encrypted_channel_auth(&server.app(), &alice.socket_id, channel, &master);
    let reply = alice.subscribe_with(channel, Some(auth), None).await;
    assert_eq!(reply["event"], "pusher_internal:subscription_succeeded");
    let cached = alice.expect_event("state").await;
    let key = encryption::key_from_base64(&secret).unwrap();
    assert_eq!(
        encryption::decrypt(&key, cached["data"].as_str().unwrap()).as_deref(),
        Some("cached secret")
    );
}
