//! Unit tests for the hub: frames in, deliveries out.

use serde_json::{json, Value};

use super::*;

const A: &str = "1.1";
const B: &str = "2.2";

fn hub() -> Hub {
    let mut hub = Hub::new(vec![AppConfig::default()]);
    hub.connect(A, "test-key", "/app/test-key");
    hub.connect(B, "test-key", "/app/test-key");
    hub
}

fn frame(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn data(text: &str) -> Value {
    let frame = frame(text);
    match &frame["data"] {
        Value::String(inner) => serde_json::from_str(inner).unwrap(),
        other => other.clone(),
    }
}

fn send(hub: &mut Hub, socket_id: &str, value: Value) -> Vec<Delivery> {
    hub.handle_text(socket_id, &value.to_string())
}

fn subscribe(hub: &mut Hub, socket_id: &str, channel: &str) -> Vec<Delivery> {
    let app = AppConfig::default();
    let request = match ChannelKind::of(channel) {
        ChannelKind::Private => {
            json!({"channel": channel, "auth": auth::channel_auth(&app, socket_id, channel, None)})
        }
        _ => json!({ "channel": channel }),
    };
    send(
        hub,
        socket_id,
        json!({"event":"pusher:subscribe","data":request}),
    )
}

fn join(hub: &mut Hub, socket_id: &str, channel: &str, user: Value) -> Vec<Delivery> {
    let channel_data = json!({"user_id": user, "user_info": {"n": 1}}).to_string();
    let auth = auth::channel_auth(
        &AppConfig::default(),
        socket_id,
        channel,
        Some(&channel_data),
    );
    let request = json!({"channel": channel, "auth": auth, "channel_data": channel_data});
    send(
        hub,
        socket_id,
        json!({"event":"pusher:subscribe","data":request}),
    )
}

#[test]
fn routes_paths() {
    assert_eq!(app_key_from_path("/app/key?protocol=7"), Some("key"));
    assert_eq!(app_key_from_path("/ws/app/key"), Some("key"));
    assert_eq!(app_key_from_path("/app/"), None);
    assert_eq!(app_key_from_path("/apps/key"), None);
    assert_eq!(app_key_from_path("/app/key/extra"), None);
    assert_eq!(app_key_from_path("/"), None);
}

#[test]
fn socket_ids_are_unique_digit_pairs() {
    let ids: Vec<String> = (0..1000).map(socket_id).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    for id in ids {
        let (a, b) = id.split_once('.').unwrap();
        assert!(
            a.chars().chain(b.chars()).all(|c| c.is_ascii_digit()),
            "{id}"
        );
    }
}

#[test]
fn ping_gets_pong() {
    let mut hub = hub();
    let out = send(&mut hub, A, json!({"event":"pusher:ping","data":{}}));
    assert_eq!(out, vec![to(A, frames::pong())]);
}

#[test]
fn malformed_and_unknown_frames_are_ignored() {
    let mut hub = hub();
    assert!(hub.handle_text(A, "{not json").is_empty());
    assert!(hub.handle_text(A, r#"{"event":"whatever"}"#).is_empty());
    assert!(hub
        .handle_text(A, r#"{"event":"pusher:subscribe","data":7}"#)
        .is_empty());
    assert!(hub
        .handle_text("9.9", r#"{"event":"pusher:ping"}"#)
        .is_empty());
}

#[test]
fn public_subscribe_accepts_string_data_and_is_idempotent() {
    let mut hub = hub();
    let request = json!({"channel":"news"}).to_string();
    let out = send(
        &mut hub,
        A,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(out.len(), 1);
    assert_eq!(
        frame(&out[0].text)["event"],
        "pusher_internal:subscription_succeeded"
    );
    assert_eq!(data(&out[0].text), json!({}));
    let again = subscribe(&mut hub, A, "news");
    assert_eq!(again, out);
    assert_eq!(hub.subscribers("news"), vec![A.to_owned()]);
    assert_eq!(hub.connections()[0].subscriptions, vec!["news".to_owned()]);
}

#[test]
fn private_subscribe_checks_the_signature() {
    let mut hub = hub();
    let out = subscribe(&mut hub, A, "private-a");
    assert_eq!(
        frame(&out[0].text)["event"],
        "pusher_internal:subscription_succeeded"
    );

    let bad = json!({"channel":"private-b","auth":"test-key:00"});
    let out = send(&mut hub, A, json!({"event":"pusher:subscribe","data":bad}));
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");
    assert_eq!(frame(&out[0].text)["channel"], "private-b");
    let error = data(&out[0].text);
    assert_eq!(error["type"], "AuthError");
    assert_eq!(error["status"], 401);
    assert!(error["error"]
        .as_str()
        .unwrap()
        .starts_with("Invalid signature"));

    let missing = json!({"channel":"private-c"});
    let out = send(
        &mut hub,
        A,
        json!({"event":"pusher:subscribe","data":missing}),
    );
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");
    assert!(hub.subscribers("private-b").is_empty());
    assert!(hub.subscribers("private-c").is_empty());

    // A signature for another socket does not work.
    let stolen = auth::channel_auth(&AppConfig::default(), B, "private-d", None);
    let request = json!({"channel":"private-d","auth":stolen});
    let out = send(
        &mut hub,
        A,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");
}

#[test]
fn presence_members_come_and_go() {
    let mut hub = hub();
    let out = join(&mut hub, A, "presence-room", json!(10));
    assert_eq!(out.len(), 1);
    assert_eq!(
        data(&out[0].text),
        json!({"presence":{"ids":["10"],"hash":{"10":{"n":1}},"count":1}})
    );

    let out = join(&mut hub, B, "presence-room", json!("bob"));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].socket_id, B);
    assert_eq!(data(&out[0].text)["presence"]["count"], 2);
    assert_eq!(out[1].socket_id, A);
    assert_eq!(frame(&out[1].text)["event"], "pusher_internal:member_added");
    assert_eq!(
        data(&out[1].text),
        json!({"user_id":"bob","user_info":{"n":1}})
    );
    assert_eq!(
        hub.members("presence-room"),
        vec![
            ("10".to_owned(), json!({"n":1})),
            ("bob".to_owned(), json!({"n":1}))
        ]
    );

    let leave = json!({"event":"pusher:unsubscribe","data":{"channel":"presence-room"}});
    let out = send(&mut hub, B, leave.clone());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, A);
    assert_eq!(
        frame(&out[0].text)["event"],
        "pusher_internal:member_removed"
    );
    assert_eq!(data(&out[0].text), json!({"user_id":"bob"}));
    assert!(send(&mut hub, B, leave).is_empty());

    let out = join(&mut hub, B, "presence-room", json!("bob"));
    assert_eq!(out.len(), 2);
    let out = hub.disconnect(B);
    assert_eq!(out.len(), 1);
    assert_eq!(
        frame(&out[0].text)["event"],
        "pusher_internal:member_removed"
    );
    assert!(hub.disconnect(B).is_empty());
}

#[test]
fn same_user_on_two_connections_is_one_member() {
    let mut hub = hub();
    join(&mut hub, A, "presence-room", json!("u"));
    let out = join(&mut hub, B, "presence-room", json!("u"));
    assert_eq!(out.len(), 1, "no member_added for a second connection");
    assert_eq!(hub.members("presence-room").len(), 1);
    assert!(hub.disconnect(B).is_empty(), "user still there via A");
    assert_eq!(hub.members("presence-room").len(), 1);
}

#[test]
fn presence_needs_valid_channel_data() {
    let mut hub = hub();
    let channel_data = json!({"user_info": {}}).to_string();
    let auth = auth::channel_auth(&AppConfig::default(), A, "presence-x", Some(&channel_data));
    let request = json!({"channel":"presence-x","auth":auth,"channel_data":channel_data});
    let out = send(
        &mut hub,
        A,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");

    let auth = auth::channel_auth(&AppConfig::default(), A, "presence-x", None);
    let request = json!({"channel":"presence-x","auth":auth});
    let out = send(
        &mut hub,
        A,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");
    assert!(hub.members("presence-x").is_empty());
}

fn signin(hub: &mut Hub, socket_id: &str, user_data: &str) -> Vec<Delivery> {
    let auth = auth::user_auth(&AppConfig::default(), socket_id, user_data);
    let request = json!({"auth": auth, "user_data": user_data});
    send(
        hub,
        socket_id,
        json!({"event":"pusher:signin","data":request}),
    )
}

#[test]
fn signin_and_user_channel() {
    let mut hub = hub();
    let out = subscribe(&mut hub, A, "#server-to-user-42");
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");

    let user_data = r#"{"id":"42","user_info":{"name":"x"}}"#;
    let out = signin(&mut hub, A, user_data);
    assert_eq!(frame(&out[0].text)["event"], "pusher:signin_success");
    assert_eq!(data(&out[0].text), json!({ "user_data": user_data }));
    assert_eq!(hub.connections()[0].user_id.as_deref(), Some("42"));

    let out = subscribe(&mut hub, A, "#server-to-user-42");
    assert_eq!(
        frame(&out[0].text)["event"],
        "pusher_internal:subscription_succeeded"
    );
    assert_eq!(hub.subscribers("#server-to-user-42"), vec![A.to_owned()]);

    let out = signin(&mut hub, A, r#"{"id":"43"}"#);
    assert_eq!(data(&out[0].text)["code"], 4009, "already signed in as 42");
}

#[test]
fn signin_failures_are_4009_errors() {
    let mut hub = hub();
    let request = json!({"auth":"test-key:bad","user_data":r#"{"id":"1"}"#});
    let out = send(&mut hub, A, json!({"event":"pusher:signin","data":request}));
    let error = frame(&out[0].text);
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4009);

    for user_data in [r#"{"id":""}"#, r#"{"id":5}"#, r#"{"name":"x"}"#, "nope"] {
        let out = signin(&mut hub, A, user_data);
        assert_eq!(frame(&out[0].text)["data"]["code"], 4009, "{user_data}");
    }
    assert_eq!(hub.connections()[0].user_id, None);
}

#[test]
fn client_events_reach_the_others() {
    let mut hub = hub();
    subscribe(&mut hub, A, "private-chat");
    subscribe(&mut hub, B, "private-chat");
    let event = json!({"event":"client-hi","channel":"private-chat","data":{"x":1}});
    let out = send(&mut hub, A, event);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, B);
    assert_eq!(
        frame(&out[0].text),
        json!({"event":"client-hi","channel":"private-chat","data":"{\"x\":1}"})
    );

    join(&mut hub, A, "presence-room", json!("a"));
    join(&mut hub, B, "presence-room", json!("b"));
    let event = json!({"event":"client-hi","channel":"presence-room","data":"text"});
    let out = send(&mut hub, B, event);
    assert_eq!(out.len(), 1);
    assert_eq!(frame(&out[0].text)["user_id"], "b");
    assert_eq!(frame(&out[0].text)["data"], "text");
}

#[test]
fn client_events_rejected() {
    let mut hub = hub();
    subscribe(&mut hub, A, "public");
    subscribe(&mut hub, A, "private-encrypted-x");
    for event in [
        json!({"event":"client-x","channel":"public","data":{}}),
        json!({"event":"client-x","channel":"private-encrypted-x","data":{}}),
        json!({"event":"client-x","channel":"private-not-mine","data":{}}),
        json!({"event":"client-x","data":{}}),
    ] {
        let out = send(&mut hub, A, event.clone());
        assert_eq!(out.len(), 1, "{event}");
        let error = frame(&out[0].text);
        assert_eq!(error["event"], "pusher:error");
        assert_eq!(error["data"]["code"], Value::Null);
    }
}

#[test]
fn apps_are_separate() {
    let other = AppConfig::new("2", "other-key", "other-secret");
    let mut hub = Hub::new(vec![AppConfig::default(), other]);
    hub.connect(A, "test-key", "/app/test-key");
    hub.connect(B, "other-key", "/app/other-key");
    subscribe(&mut hub, A, "news");
    let request = json!({"channel":"news"});
    send(
        &mut hub,
        B,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(hub.subscribers("news").len(), 2);
    // B's signature is checked against its own app's secret.
    let auth = auth::channel_auth(&AppConfig::default(), B, "private-x", None);
    let request = json!({"channel":"private-x","auth":auth});
    let out = send(
        &mut hub,
        B,
        json!({"event":"pusher:subscribe","data":request}),
    );
    assert_eq!(frame(&out[0].text)["event"], "pusher:subscription_error");
}

const C: &str = "3.3";

fn events(out: &[Delivery], socket_id: &str) -> Vec<Value> {
    out.iter()
        .filter(|d| d.socket_id == socket_id)
        .map(|d| frame(&d.text))
        .collect()
}

fn count_of(frame: &Value) -> Value {
    assert_eq!(
        frame["event"], "pusher_internal:subscription_count",
        "{frame}"
    );
    let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
    data["subscription_count"].clone()
}

#[test]
fn subscription_counts_follow_subscribes_and_leaves() {
    let mut hub = hub().with_subscription_count(true);
    hub.connect(C, "test-key", "/app/test-key");

    let out = subscribe(&mut hub, A, "news");
    let a = events(&out, A);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["event"], "pusher_internal:subscription_succeeded");
    assert_eq!(a[1]["channel"], "news");
    assert_eq!(count_of(&a[1]), 1);

    let out = subscribe(&mut hub, B, "news");
    assert_eq!(out.len(), 3);
    let b = events(&out, B);
    assert_eq!(b[0]["event"], "pusher_internal:subscription_succeeded");
    assert_eq!(count_of(&b[1]), 2);
    assert_eq!(count_of(&events(&out, A)[0]), 2);

    let out = subscribe(&mut hub, C, "private-room");
    assert_eq!(count_of(&events(&out, C)[1]), 1);
    let out = subscribe(&mut hub, C, "news");
    assert_eq!(out.len(), 4);

    // A repeated subscribe changes nothing, so no counts.
    let out = subscribe(&mut hub, C, "news");
    assert_eq!(out.len(), 1);

    let leave = json!({"event":"pusher:unsubscribe","data":{"channel":"news"}});
    let out = send(&mut hub, B, leave.clone());
    assert_eq!(out.len(), 2);
    assert!(events(&out, B).is_empty());
    assert_eq!(count_of(&events(&out, A)[0]), 2);
    assert_eq!(count_of(&events(&out, C)[0]), 2);
    assert!(
        send(&mut hub, B, leave).is_empty(),
        "not subscribed any more"
    );

    // Disconnecting C updates news; private-room empties and says nothing.
    let out = hub.disconnect(C);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, A);
    assert_eq!(count_of(&frame(&out[0].text)), 1);

    // The last subscriber leaving sends nothing.
    assert!(hub.disconnect(A).is_empty());
}

#[test]
fn subscription_counts_skip_presence_user_channels_and_failures() {
    let mut hub = hub().with_subscription_count(true);
    assert_eq!(join(&mut hub, A, "presence-room", json!("a")).len(), 1);
    assert_eq!(
        join(&mut hub, B, "presence-cache-room", json!("b")).len(),
        2
    );
    let bad = json!({"channel":"private-x","auth":"test-key:00"});
    let out = send(&mut hub, A, json!({"event":"pusher:subscribe","data":bad}));
    assert_eq!(out.len(), 1);
    signin(&mut hub, A, r#"{"id":"a"}"#);
    assert_eq!(subscribe(&mut hub, A, "#server-to-user-a").len(), 1);
}

#[test]
fn subscription_counts_are_off_by_default() {
    let mut hub = hub();
    assert_eq!(subscribe(&mut hub, A, "news").len(), 1);
    assert_eq!(subscribe(&mut hub, B, "news").len(), 1);
    assert!(hub.disconnect(B).is_empty());
}

#[test]
fn cache_channels_replay_the_last_event_or_miss() {
    let mut hub = hub();
    assert!(is_cache_channel("cache-a"));
    assert!(is_cache_channel("private-cache-a"));
    assert!(is_cache_channel("private-encrypted-cache-a"));
    assert!(is_cache_channel("presence-cache-a"));
    assert!(!is_cache_channel("news-cache-a"));
    assert!(!is_cache_channel("private-encrypted-a"));

    let out = subscribe(&mut hub, A, "cache-a");
    assert_eq!(out.len(), 2);
    assert_eq!(
        frame(&out[1].text),
        json!({"event":"pusher:cache_miss","channel":"cache-a"})
    );

    // Pushes on ordinary channels are not kept.
    hub.remember("news", &frames::event("news", "e", "1", None));
    assert_eq!(hub.cached("news"), None);

    hub.remember("cache-a", &frames::event("cache-a", "first", "1", None));
    let last = frames::event("cache-a", "second", r#"{"n":2}"#, None);
    hub.remember("cache-a", &last);
    let out = subscribe(&mut hub, B, "cache-a");
    assert_eq!(out.len(), 2);
    assert_eq!(out[1], to(B, last.clone()));

    // Survives the channel emptying and `clear`.
    hub.disconnect(A);
    hub.disconnect(B);
    hub.clear();
    hub.connect(C, "test-key", "/app/test-key");
    let out = subscribe(&mut hub, C, "cache-a");
    assert_eq!(out[1], to(C, last));

    // A repeated subscribe only confirms.
    assert_eq!(subscribe(&mut hub, C, "cache-a").len(), 1);

    // Private and presence variants too; failures get no cache frame.
    let out = subscribe(&mut hub, C, "private-cache-b");
    assert_eq!(frame(&out[1].text)["event"], "pusher:cache_miss");
    let out = join(&mut hub, C, "presence-cache-c", json!("c"));
    assert_eq!(frame(&out[1].text)["event"], "pusher:cache_miss");
    let bad = json!({"channel":"private-cache-z","auth":"test-key:00"});
    let out = send(&mut hub, C, json!({"event":"pusher:subscribe","data":bad}));
    assert_eq!(out.len(), 1);
}

#[test]
fn cache_frame_comes_before_counts_and_member_added() {
    let mut hub = hub().with_subscription_count(true);
    subscribe(&mut hub, A, "cache-a");
    let out = subscribe(&mut hub, B, "cache-a");
    let b = events(&out, B);
    let names: Vec<&str> = b.iter().map(|f| f["event"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "pusher_internal:subscription_succeeded",
            "pusher:cache_miss",
            "pusher_internal:subscription_count"
        ]
    );
}

fn watchlist_of(frame: &Value) -> (String, Vec<String>) {
    assert_eq!(
        frame["event"], "pusher_internal:watchlist_events",
        "{frame}"
    );
    assert!(frame.get("channel").is_none());
    let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
    let events = data["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let ids = events[0]["user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    (events[0]["name"].as_str().unwrap().to_owned(), ids)
}

#[test]
fn watchlist_online_and_offline_transitions() {
    let mut hub = hub();
    hub.connect(C, "test-key", "/app/test-key");
    const D: &str = "4.4";
    hub.connect(D, "test-key", "/app/test-key");

    // A watches u2 and u3; nobody is online yet: only signin_success.
    let out = signin(
        &mut hub,
        A,
        r#"{"id":"u1","watchlist":["u2","u3",7,"u2",null]}"#,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(frame(&out[0].text)["event"], "pusher:signin_success");

    // u2 comes online on B: A hears about it; B (not watching) gets only success.
    let out = signin(&mut hub, B, r#"{"id":"u2"}"#);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].socket_id, B);
    assert_eq!(out[1].socket_id, A);
    assert_eq!(
        watchlist_of(&frame(&out[1].text)),
        ("online".to_owned(), vec!["u2".to_owned()])
    );

    // u2 on a second connection: already online, nothing for A.
    let out = signin(&mut hub, C, r#"{"id":"u2"}"#);
    assert_eq!(out.len(), 1);
    // Signing in again as the same user is no transition either.
    let out = signin(&mut hub, C, r#"{"id":"u2"}"#);
    assert_eq!(out.len(), 1);

    // D watches u2 and numeric id 7: gets the already-online list right after success.
    let out = signin(&mut hub, D, r#"{"id":"u4","watchlist":["7","u2","u1"]}"#);
    assert_eq!(out.len(), 2);
    assert_eq!(frame(&out[0].text)["event"], "pusher:signin_success");
    assert_eq!(out[1].socket_id, D);
    assert_eq!(
        watchlist_of(&frame(&out[1].text)),
        ("online".to_owned(), vec!["u2".to_owned(), "u1".to_owned()])
    );

    // One of u2's two connections leaves: still online.
    assert!(hub.disconnect(B).is_empty());
    // The last one leaves: A and D (oldest first) hear it went offline.
    let out = hub.disconnect(C);
    assert_eq!(out.len(), 2);
    assert_eq!(
        (out[0].socket_id.as_str(), out[1].socket_id.as_str()),
        (A, D)
    );
    for delivery in &out {
        assert_eq!(
            watchlist_of(&frame(&delivery.text)),
            ("offline".to_owned(), vec!["u2".to_owned()])
        );
    }

    // u1 (watched by D) goes offline.
    let out = hub.disconnect(A);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, D);
    assert_eq!(watchlist_of(&frame(&out[0].text)).0, "offline");
}

#[test]
fn watchlists_stay_within_an_app_and_need_a_signed_in_watcher() {
    let other = AppConfig::new("2", "other-key", "other-secret");
    let mut hub = Hub::new(vec![AppConfig::default(), other.clone()]);
    hub.connect(A, "test-key", "/app/test-key");
    hub.connect(B, "other-key", "/app/other-key");
    signin(&mut hub, A, r#"{"id":"u1","watchlist":["u2"]}"#);
    let user_data = r#"{"id":"u2"}"#;
    let auth = auth::user_auth(&other, B, user_data);
    let out = send(
        &mut hub,
        B,
        json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}),
    );
    assert_eq!(out.len(), 1, "u2 of another app is someone else");

    // A failed signin leaves no watchlist behind.
    hub.connect(C, "test-key", "/app/test-key");
    let request = json!({"auth":"test-key:bad","user_data":r#"{"id":"u9","watchlist":["u3"]}"#});
    send(&mut hub, C, json!({"event":"pusher:signin","data":request}));
    hub.connect("4.4", "test-key", "/app/test-key");
    let out = signin(&mut hub, "4.4", r#"{"id":"u3"}"#);
    assert_eq!(out.len(), 1);
}

#[test]
fn client_events_refused_on_encrypted_cache_channels() {
    let mut hub = hub();
    subscribe(&mut hub, A, "private-encrypted-cache-x");
    subscribe(&mut hub, B, "private-encrypted-cache-x");
    let event = json!({"event":"client-x","channel":"private-encrypted-cache-x","data":{}});
    let out = send(&mut hub, A, event);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, A);
    assert_eq!(frame(&out[0].text)["event"], "pusher:error");
}

#[test]
fn client_events_on_cache_channels_are_relayed_not_cached() {
    let mut hub = hub();
    subscribe(&mut hub, A, "private-cache-x");
    subscribe(&mut hub, B, "private-cache-x");
    let event = json!({"event":"client-x","channel":"private-cache-x","data":"hi"});
    let out = send(&mut hub, A, event);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].socket_id, B);
    assert_eq!(hub.cached("private-cache-x"), None);
}
