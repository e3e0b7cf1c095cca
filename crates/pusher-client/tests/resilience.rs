//! Against `pusher-test-server`: the client is never wedged or silently dead. Bad first
//! frames are retried, a server that stops reading is noticed in time while the outgoing
//! data stays bounded, and a panic in the socket loop ends in a reconnect.

mod common;

use common::{wait_subscribed, Events, Setup, T};
use pusher_client::{Client, ConnectionState::*, Event, Failure};
use pusher_test_server::HandshakeMode;
use std::time::Duration;
use tokio::time::Instant;

/// Waits for an error whose failure is `failure`.
async fn failure(events: &mut Events, failure: Failure) -> pusher_client::ConnectionError {
    let seen = events
        .wait_for_event(
            &format!("{failure:?} error"),
            |e| matches!(e, Event::Error(err) if err.failure == failure),
            T,
        )
        .await;
    match seen.event {
        Event::Error(err) => err,
        _ => unreachable!(),
    }
}

async fn connecting_in(events: &mut Events) -> Duration {
    let seen = events
        .wait_for_event(
            "connecting_in",
            |e| matches!(e, Event::ConnectingIn { .. }),
            T,
        )
        .await;
    match seen.event {
        Event::ConnectingIn { delay } => delay,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_frames_that_are_not_a_handshake_are_retried_until_one_is() {
    for first in [
        "this is not json {",
        r#"{"event":"pusher:connection_established","data":"{\"activity_timeout\":30}"}"#,
        r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"x\",\"activity_timeout\":30}"}"#,
    ] {
        let server = common::server().await;
        server.set_handshake(HandshakeMode::FirstFrame(first.into()));
        let client = Client::new(common::options(&server));
        client.subscribe("c");
        let (tx, mut events) = Events::channel();
        client.connect(Box::new(tx));
        // Two failed attempts, each reported and followed by a back-off.
        for _ in 0..2 {
            failure(&mut events, Failure::Handshake).await;
            let delay = connecting_in(&mut events).await;
            assert!(delay >= Duration::from_secs(1), "{first}: {delay:?}");
        }
        server.set_handshake(HandshakeMode::Normal);
        let id = events.connected().await;
        events.subscribed("c").await;
        wait_subscribed(&server, &id, &["c"]).await;
        assert_eq!(
            events.states(),
            vec![(Initialized, Connecting), (Connecting, Connected)]
        );
    }
}

/// Sends events of `size` bytes until one is refused; returns how many were accepted.
fn flood(client: &Client, size: usize) -> usize {
    let data = format!("\"{}\"", "x".repeat(size));
    let mut accepted = 0;
    // The kernel's socket buffers take some megabytes first; the bound must then answer.
    while client.send_event("client-flood", Some(data.clone()), Some("private-c")) {
        accepted += 1;
        assert!(
            accepted * size < 64 << 20,
            "64 MiB accepted without a refusal: the outgoing data is not bounded"
        );
    }
    accepted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_reading_is_noticed_within_activity_plus_pong_timeout() {
    let activity = Duration::from_millis(1000);
    let pong = Duration::from_millis(1000);
    let Setup {
        server,
        client,
        mut events,
    } = common::connected_client(
        common::server().await,
        |o| o.activity_timeout(activity).pong_timeout(pong),
        &[],
    )
    .await;
    let stalled_at = Instant::now();
    server.set_stalled(true);
    let accepted = flood(&client, 1024);
    let refused_after = stalled_at.elapsed();
    let err = failure(&mut events, Failure::Backpressure).await;
    assert!(err.message.contains("1024 KiB"), "{}", err.message);
    // The flood was refused, not queued: the loop still judges the silence on time.
    let (from, to) = events.next_state(activity + pong + T).await;
    let noticed = stalled_at.elapsed();
    assert_eq!((from, to), (Connected, Connecting));
    eprintln!(
        "stalled peer: {accepted} events of 1 KiB accepted, refused after {refused_after:?}, \
         reconnecting after {noticed:?} (activity {activity:?} + pong {pong:?})"
    );
    assert!(
        noticed < activity + pong + Duration::from_millis(500),
        "noticed after {noticed:?}"
    );
    server.set_stalled(false);
    events.connected().await;
    // A refused run ends once the queue drains: sending works again.
    assert!(client.send_event("client-after", Some("1".into()), Some("private-c")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_is_prompt_while_the_server_does_not_read() {
    let Setup {
        server,
        client,
        mut events,
    } = common::connected_client(common::server().await, |o| o, &[]).await;
    server.set_stalled(true);
    flood(&client, 4096);
    failure(&mut events, Failure::Backpressure).await;
    let asked = Instant::now();
    client.disconnect();
    let (_, to) = events.next_state(T).await;
    assert_eq!(to, Disconnected);
    let took = asked.elapsed();
    assert!(
        took < Duration::from_millis(200),
        "disconnect took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_socket_loop_reconnects_and_resubscribes() {
    let Setup {
        server,
        client,
        mut events,
    } = common::connected_client(common::server().await, |o| o, &["c"]).await;
    let first = server.connections()[0].socket_id.clone();
    client.provoke_panic();
    let err = failure(&mut events, Failure::Internal).await;
    assert!(
        err.message.contains("provoked by a test"),
        "{}",
        err.message
    );
    assert_eq!(events.next_state(T).await, (Connected, Connecting));
    let delay = connecting_in(&mut events).await;
    let id = events.connected().await;
    assert_ne!(id, first);
    assert!(delay >= Duration::from_secs(1));
    events.subscribed("c").await;
    wait_subscribed(&server, &id, &["c"]).await;
    // And again: a client is not used up by faults spaced out in time.
    client.provoke_panic();
    failure(&mut events, Failure::Internal).await;
    events.connected().await;
}

/// A consumer that panics on every batch.
struct PanickingSink;

impl pusher_client::EventSink for PanickingSink {
    fn deliver(&mut self, _: pusher_client::Batch) -> bool {
        panic!("the consumer is broken");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_that_keep_coming_end_the_task_instead_of_spinning() {
    let server = common::server().await;
    let client = Client::new(common::options(&server));
    client.connect(Box::new(PanickingSink));
    // Once the task has given up, the queue refuses what is sent to it.
    let deadline = Instant::now() + T;
    while client.send_event("x", None, None) {
        assert!(Instant::now() < deadline, "the task still runs");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // And it closed its socket.
    common::wait_connections(&server, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_event_goes_out_whole_and_one_over_the_bound_is_refused() {
    let Setup {
        server,
        client,
        mut events,
    } = common::connected_client(common::server().await, |o| o, &[]).await;
    let id = server.connections()[0].socket_id.clone();
    // Far past the write buffer's high-water mark, within the bound: sent, connection kept.
    let big = format!("\"{}\"", "b".repeat(900 * 1024));
    assert!(client.send_event("client-big", Some(big.clone()), None));
    let arrived = server
        .wait_for(
            |s| {
                common::texts_from(s, &id)
                    .iter()
                    .any(|t| t.contains("client-big") && t.len() > big.len())
            },
            T,
        )
        .await;
    assert!(arrived.is_ok(), "the large event reached the server");
    // Larger than the bound itself: never queued.
    let huge = format!("\"{}\"", "h".repeat(pusher_client::MAX_QUEUED_SEND_BYTES));
    assert!(!client.send_event("client-huge", Some(huge), None));
    failure(&mut events, Failure::Backpressure).await;
    assert!(client.send_event("client-small", Some("1".into()), None));
    assert_eq!(
        server.connections()[0].socket_id,
        id,
        "still the same connection"
    );
    assert!(events
        .drain_now()
        .iter()
        .all(|e| !matches!(e, Event::StateChange { .. })));
}
