//! Subscribing, receiving events, unsubscribing.

mod common;

use common::{connected_client, is_message, is_subscribe, texts_from, wait_subscribed, Events, T};
use pusher_client::{Client, ConnectionState::*, Data, Event, Message};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_before_connect_then_events_arrive_exactly_as_sent() {
    let server = common::server().await;
    let client = Client::new(common::options(&server));
    client.subscribe("my-channel");
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    events.expect_state(Connecting).await;
    let id = events.expect_state(Connected).await.expect("socket id");

    let ok = events.subscribed("my-channel").await;
    assert_eq!(
        ok.event,
        Event::Message(Message {
            event: "pusher:subscription_succeeded".into(),
            channel: Some("my-channel".into()),
            data: Some(Data::Text("{}".into())),
            user_id: None,
        })
    );
    wait_subscribed(&server, &id, &["my-channel"]).await;
    let sent = texts_from(&server, &id);
    assert!(
        is_subscribe(&sent[0], "my-channel"),
        "first frame should subscribe: {sent:?}"
    );

    // Quotes, escapes, unicode and nesting survive the double encoding untouched.
    let payload = r#"{"hello":"wörld ✓","quote":"\"x\"","nl":"a\nb","n":[1,2.5,null,true],"o":{}}"#;
    assert_eq!(server.trigger("my-channel", "my-event", payload), 1);
    let got = events
        .wait_for_event("my-event", |e| is_message(e, "my-event", "my-channel"), T)
        .await;
    assert_eq!(
        got.event,
        Event::Message(Message {
            event: "my-event".into(),
            channel: Some("my-channel".into()),
            data: Some(Data::Text(payload.into())),
            user_id: None,
        })
    );
    // Plain text that is not JSON is passed on as is, too.
    assert_eq!(server.trigger("my-channel", "plain", "just text"), 1);
    let got = events
        .wait_for_event("plain", |e| is_message(e, "plain", "my-channel"), T)
        .await;
    assert_eq!(common::text(&got.event), Some("just text"));
    assert!(
        !events
            .history
            .iter()
            .any(|s| matches!(s.event, Event::Error(_))),
        "no errors expected:\n{}",
        events.dump()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_events_arrive_exactly_once_in_order() {
    const N: usize = 2_000;
    let server = common::server().await;
    let common::Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["firehose"]).await;

    for i in 0..N {
        assert_eq!(
            server.trigger("firehose", "n", &format!(r#"{{"n":{i}}}"#)),
            1
        );
    }
    // A marker after the last one: if anything were duplicated or reordered it would show
    // up before the marker.
    assert_eq!(server.trigger("firehose", "end", "{}"), 1);
    for i in 0..N {
        let seen = events.next(T).await.unwrap_or_else(|| {
            panic!("event {i} of {N} did not arrive");
        });
        let want = Event::Message(Message {
            event: "n".into(),
            channel: Some("firehose".into()),
            data: Some(Data::Text(format!(r#"{{"n":{i}}}"#))),
            user_id: None,
        });
        assert_eq!(seen.event, want, "event {i}");
    }
    let last = events.next(T).await.expect("the end marker");
    assert!(
        is_message(&last.event, "end", "firehose"),
        "expected the end marker, got {:?}",
        last.event
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_large_events_is_delivered_in_batches_of_bounded_size() {
    const N: usize = 400;
    const SIZE: usize = 4096;
    let common::Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(common::server().await, |o| o, &["big"]).await;
    let data = format!(r#"{{"pad":"{}"}}"#, "x".repeat(SIZE));
    let mark = events.batch_lengths.len();
    assert_eq!(server.blast("big", "ev", &data, N as u64), 1);
    for i in 0..N {
        let seen = events
            .next(T)
            .await
            .unwrap_or_else(|| panic!("event {i} of {N} did not arrive"));
        assert!(
            is_message(&seen.event, "ev", "big"),
            "event {i}: {:?}",
            seen.event
        );
    }
    // A turn stops reading after 64 KiB; its last read (up to 16 KiB) and a frame left over
    // from the turn before can add to it: at most 96 KiB, 23 of these events.
    let largest = events.batch_lengths[mark..]
        .iter()
        .max()
        .copied()
        .unwrap_or(0);
    assert!(
        largest <= 23,
        "a batch held {largest} events of {SIZE} bytes: {:?}",
        &events.batch_lengths[mark..]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_removes_the_subscription_and_stops_delivery() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o, &["a", "b"]).await;
    let id = server.connections()[0].socket_id.clone();

    client.unsubscribe("a");
    wait_subscribed(&server, &id, &["b"]).await;
    assert!(
        texts_from(&server, &id)
            .iter()
            .any(|t| t == r#"{"event":"pusher:unsubscribe","data":{"channel":"a"}}"#),
        "unsubscribe frame: {:?}",
        texts_from(&server, &id)
    );

    // Triggers on "a" reach nobody; "b" still works, and nothing from "a" comes before it.
    assert_eq!(server.trigger("a", "gone", "x"), 0);
    assert_eq!(server.trigger("b", "marker", "y"), 1);
    let next = events.next(T).await.expect("the marker");
    assert!(
        is_message(&next.event, "marker", "b"),
        "expected the marker on b, got {:?}",
        next.event
    );

    // Subscribing again while connected goes out at once and works.
    client.subscribe("a");
    events.subscribed("a").await;
    wait_subscribed(&server, &id, &["a", "b"]).await;
    assert_eq!(server.trigger("a", "back", "z"), 1);
    let back = events.next(T).await.expect("event on a");
    assert!(is_message(&back.event, "back", "a"), "{:?}", back.event);
    assert_eq!(
        events.states(),
        vec![(Initialized, Connecting), (Connecting, Connected)]
    );
}
