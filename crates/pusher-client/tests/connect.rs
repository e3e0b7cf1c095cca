//! Connecting, disconnecting and letting go: what a user sees and what the server sees.

mod common;

use common::{
    closed_by_client, connected_client, text, wait_connections, wait_subscribed, Events, T,
};
use pusher_client::{Client, ConnectionState::*, Event, VERSION};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_goes_connecting_then_connected_with_the_servers_socket_id() {
    let server = common::server().await;
    let client = Client::new(common::options(&server));
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));

    let first = events.next(T).await.expect("an event");
    assert_eq!(
        first.event,
        Event::StateChange {
            previous: Initialized,
            current: Connecting,
            socket_id: None
        }
    );
    assert_eq!(first.epoch, 1, "one connect command taken");
    let socket_id = events.expect_state(Connected).await.expect("socket id");

    let conns = server.connections();
    assert_eq!(conns.len(), 1, "{conns:?}");
    assert_eq!(conns[0].socket_id, socket_id);
    assert_eq!(conns[0].app_key, "test-key");
    assert_eq!(
        conns[0].path,
        format!("/app/test-key?protocol=7&client=pusher-native&version={VERSION}&flash=false")
    );
    assert_eq!(
        events.states(),
        vec![(Initialized, Connecting), (Connecting, Connected)]
    );
    assert!(
        !events
            .history
            .iter()
            .any(|s| matches!(s.event, Event::Error(_))),
        "no errors expected:\n{}",
        events.dump()
    );
    // A second connect() while connected changes nothing on the wire.
    client.retry_now();
    let res = server
        .wait_for(|s| s.connections().len() != 1, Duration::from_millis(300))
        .await;
    assert!(
        res.is_err(),
        "retry_now() while connected opened or closed a socket"
    );
    assert!(events.drain_now().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_closes_the_socket_releases_the_sink_and_connect_again_resubscribes() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o, &["room"]).await;
    let first_id = server.connections()[0].socket_id.clone();

    client.disconnect();
    let seen = events
        .wait_for_event("disconnected", common::is_state_change, T)
        .await;
    assert_eq!(
        seen.event,
        Event::StateChange {
            previous: Connected,
            current: Disconnected,
            socket_id: None
        }
    );
    assert_eq!(seen.epoch, 2, "connect + disconnect");
    // The task lets go of the sink once disconnected; our `tx` was moved into it, so the
    // receiver ends. Nothing else may come before that.
    let rest = events.until_closed(T).await;
    assert!(rest.is_empty(), "events after disconnected: {rest:?}");

    wait_connections(&server, 0).await;
    assert_eq!(
        closed_by_client(&server, &first_id),
        Some(Some(1000)),
        "client closes with 1000"
    );

    // Connect again with a new sink: channels stay wanted across disconnect().
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    assert_eq!(events.expect_state(Connecting).await, None);
    let second_id = events.expect_state(Connected).await.expect("socket id");
    assert_ne!(second_id, first_id);
    let ok = events.subscribed("room").await;
    assert_eq!(ok.epoch, 3, "connect, disconnect, connect");
    wait_subscribed(&server, &second_id, &["room"]).await;
    assert_eq!(server.trigger("room", "hello", "again"), 1);
    let m = events
        .wait_for_event("hello", |e| common::is_message(e, "hello", "room"), T)
        .await;
    assert_eq!(text(&m.event), Some("again"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_client_closes_the_connection() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o, &["room"]).await;
    let id = server.connections()[0].socket_id.clone();
    let weak = client.downgrade();
    assert!(weak.is_alive());

    drop(client);
    wait_connections(&server, 0).await;
    assert_eq!(closed_by_client(&server, &id), Some(Some(1000)));
    // The task ended, so the sink is gone too, without further events.
    let rest = events.until_closed(T).await;
    assert!(rest.is_empty(), "events after drop: {rest:?}");
    assert!(!weak.is_alive());
    assert!(!weak.shutdown(), "nothing left to shut down");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_the_task_even_with_clones_alive() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o, &[]).await;
    let id = server.connections()[0].socket_id.clone();
    let clone = client.clone();

    client.downgrade().shutdown();
    wait_connections(&server, 0).await;
    assert_eq!(closed_by_client(&server, &id), Some(Some(1000)));
    let rest = events.until_closed(T).await;
    assert!(rest.is_empty(), "events after shutdown: {rest:?}");
    // Commands to an ended task go nowhere and do not panic.
    clone.subscribe("late");
    clone.retry_now();
    let res = server
        .wait_for(|s| !s.connections().is_empty(), Duration::from_millis(300))
        .await;
    assert!(res.is_err(), "a shut-down client connected again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_with_a_new_sink_while_connected_moves_delivery_to_it() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o, &["room"]).await;
    let id = server.connections()[0].socket_id.clone();

    let (tx, mut fresh) = Events::channel();
    client.connect(Box::new(tx));
    // The old sink is dropped when replaced, with nothing more on it.
    let rest = events.until_closed(T).await;
    assert!(rest.is_empty(), "old sink got {rest:?}");
    assert_eq!(server.trigger("room", "hello", "new sink"), 1);
    let m = fresh
        .wait_for_event("hello", |e| common::is_message(e, "hello", "room"), T)
        .await;
    assert_eq!(text(&m.event), Some("new sink"));
    assert_eq!(m.epoch, 2);
    assert!(fresh.states().is_empty(), "still the same connection");
    assert_eq!(server.connections()[0].socket_id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_event_goes_out_only_while_connected() {
    let server = common::server().await;
    let client = Client::new(common::options(&server));
    // Not connected: dropped, not queued.
    client.send_event("early", Some(r#"{"a":1}"#.into()), None);
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    let id = events.connected().await;
    client.send_event("my-event", Some(r#"{"a":1}"#.into()), Some("room"));
    client.send_event("bare", None, None);
    let res = server
        .wait_for(|s| common::texts_from(s, &id).len() >= 2, T)
        .await;
    assert!(res.is_ok());
    assert_eq!(
        common::texts_from(&server, &id),
        vec![
            r#"{"event":"my-event","data":{"a":1},"channel":"room"}"#.to_owned(),
            r#"{"event":"bare"}"#.to_owned(),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_receiver_stops_the_client_at_its_next_event() {
    let server = common::server().await;
    let common::Setup {
        server,
        client,
        events,
    } = connected_client(server, |o| o, &["room"]).await;
    let id = server.connections()[0].socket_id.clone();
    drop(events);
    // The client notices the consumer is gone when it next delivers something.
    assert_eq!(server.trigger("room", "nobody", "listening"), 1);
    wait_connections(&server, 0).await;
    assert_eq!(closed_by_client(&server, &id), Some(Some(1000)));
    drop(client);
}
