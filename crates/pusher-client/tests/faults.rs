//! Keep-alive, lost connections, close codes, broken handshakes and bad frames.

mod common;

use common::{
    closed_by_client, connected_client, connecting_in, is_message, senders, shapes, text,
    texts_from, wait_connections, wait_subscribed, Events, Setup, T,
};
use pusher_client::{Client, ConnectionErrorKind, ConnectionState::*, Event};
use pusher_test_server::{HandshakeMode, ReceivedFrame, ServerOptions, TestServer};
use std::time::Duration;
use tokio::time::Instant;

const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;

fn pings_from(server: &TestServer, id: &str) -> usize {
    texts_from(server, id).iter().filter(|t| *t == PING).count()
}

/// Asserts the trigger reaches the client on `channel` after a reconnect. The old socket
/// may still be finishing its close handshake (the client closes it in the background), so
/// first wait until it is gone and only the new connection is left.
async fn still_delivers(server: &TestServer, events: &mut Events, channel: &str) {
    wait_connections(server, 1).await;
    assert_eq!(server.trigger(channel, "after", "ok"), 1);
    let m = events
        .wait_for_event("after", |e| is_message(e, "after", channel), T)
        .await;
    assert_eq!(text(&m.event), Some("ok"));
}

/// How long after `t0` the server first sees a connection other than `old` (measured on
/// the server side, so a slow test task can only make it look later, never earlier).
async fn reconnect_time(server: &TestServer, old: &str, t0: Instant) -> Duration {
    let res = server
        .wait_for(|s| s.connections().iter().any(|c| c.socket_id != old), T)
        .await;
    assert!(res.is_ok(), "no new connection: {:?}", server.connections());
    t0.elapsed()
}

/// Asserts `d` is the first back-off: 1 s plus up to a quarter of jitter.
fn assert_first_backoff(d: Duration) {
    assert!(
        d >= Duration::from_millis(1000) && d <= Duration::from_millis(1250),
        "first back-off should be 1–1.25 s, was {d:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_pings_after_the_servers_activity_timeout_and_stays_connected() {
    // The client's own activity timeout stays at its 120 s default: the server's 1 s wins.
    let server = common::server_with(ServerOptions {
        activity_timeout: 1,
        ..Default::default()
    })
    .await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(
        server,
        |o| o.pong_timeout(Duration::from_millis(300)),
        &["c"],
    )
    .await;
    let id = server.connections()[0].socket_id.clone();
    let last_frame = events.history.last().expect("subscribed").at;
    let mark = events.mark();

    let res = server.wait_for(|s| pings_from(s, &id) >= 1, T).await;
    assert!(
        res.is_ok(),
        "no ping; frames: {:?}",
        texts_from(&server, &id)
    );
    let after = last_frame.elapsed();
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_millis(2500),
        "ping {after:?} after the last frame, expected about 1 s"
    );
    // The server's pong reaches the user as a global event.
    events
        .wait_for_event(
            "pusher:pong",
            |e| matches!(e, Event::Message(m) if m.event == "pusher:pong" && m.channel.is_none()),
            T,
        )
        .await;
    // The pong counted: the client pings again a second later (the 300 ms pong timeout
    // would have reconnected it otherwise) on the same socket.
    let res = server.wait_for(|s| pings_from(s, &id) >= 2, T).await;
    assert!(res.is_ok(), "no second ping");
    let conns = server.connections();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].socket_id, id);
    events.drain_now();
    let since = shapes(&events.since(mark));
    assert!(
        since.iter().all(|s| s == "message pusher:pong -"),
        "only pongs expected while idle: {since:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_makes_the_client_reconnect_and_resubscribe() {
    let server = common::server_with(ServerOptions {
        activity_timeout: 1,
        ..Default::default()
    })
    .await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(
        server,
        |o| {
            o.activity_timeout(Duration::from_millis(300))
                .pong_timeout(Duration::from_millis(300))
                .attempt_timeout(Duration::from_millis(500))
        },
        &["c"],
    )
    .await;
    let first_id = server.connections()[0].socket_id.clone();
    let last_frame = events.history.last().expect("subscribed").at;
    let mark = events.mark();

    // Silence: no pongs. New connections would still get their handshake while silent, so
    // the next attempt is made to hang too; that keeps the client from connecting (and
    // subscribing into the void) until the test lifts the silence.
    server.set_silent(true);
    server.set_handshake(HandshakeMode::Silent);

    let seen = events
        .wait_for_event("connecting", common::is_state_change, T)
        .await;
    assert_eq!(common::shape(&seen.event), "connected->connecting");
    // 300 ms of silence (the client's value, below the server's 1 s), then 300 ms for a
    // pong; a little slack because `last_frame` is when the test saw that frame.
    let after = seen.at - last_frame;
    assert!(
        after >= Duration::from_millis(550),
        "gave up on the connection {after:?} after the last frame"
    );
    assert!(pings_from(&server, &first_id) >= 1, "it pinged first");
    let res = server
        .wait_for(|s| closed_by_client(s, &first_id) == Some(Some(1000)), T)
        .await;
    assert!(
        res.is_ok(),
        "old socket closed with 1000, as pusher-js closes it: {:?}",
        server.received()
    );

    // The silent handshake times out (attempt_timeout); a back-off follows.
    events
        .wait_for_event(
            "connecting_in",
            |e| matches!(e, Event::ConnectingIn { .. }),
            T,
        )
        .await;
    server.set_handshake(HandshakeMode::Normal);
    server.set_silent(false);

    let new_id = events.connected().await;
    assert_ne!(new_id, first_id);
    events.subscribed("c").await;
    wait_subscribed(&server, &new_id, &["c"]).await;
    assert_eq!(
        shapes(&events.since(mark)),
        vec![
            "connected->connecting",
            "error WebSocketError",
            "connecting_in",
            "connecting->connected",
            "message pusher:subscription_succeeded c",
        ]
    );
    still_delivers(&server, &mut events, "c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_reconnects_after_a_backoff_and_resubscribes() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let first_id = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    let t0 = Instant::now();
    assert_eq!(server.drop_connections(None), 1);
    let took = reconnect_time(&server, &first_id, t0).await;
    let new_id = events.connected().await;
    assert_ne!(new_id, first_id);
    events.subscribed("c").await;
    let since = events.since(mark);
    assert_eq!(
        shapes(&since),
        vec![
            "error PusherError 1006",
            "connected->connecting",
            "connecting_in",
            "connecting->connected",
            "message pusher:subscription_succeeded c",
        ]
    );
    let (_, delay) = connecting_in(&since).expect("connecting_in");
    assert_first_backoff(delay);
    assert!(
        took + Duration::from_millis(5) >= delay,
        "reconnected {took:?} after the drop, before the announced {delay:?}"
    );
    wait_subscribed(&server, &new_id, &["c"]).await;
    still_delivers(&server, &mut events, "c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4200_reconnects_at_once() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let first_id = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    let t0 = Instant::now();
    assert_eq!(server.close(None, 4200, "reconnect please"), 1);
    let took = reconnect_time(&server, &first_id, t0).await;
    let new_id = events.connected().await;
    assert_ne!(new_id, first_id);
    events.subscribed("c").await;
    let since = events.since(mark);
    assert_eq!(
        shapes(&since),
        vec![
            "error PusherError 4200",
            "connected->connecting",
            "connecting->connected",
            "message pusher:subscription_succeeded c",
        ]
    );
    match &since[0].event {
        Event::Error(e) => assert_eq!(e.message, "reconnect please"),
        e => panic!("{e:?}"),
    }
    assert!(
        took < Duration::from_millis(1000),
        "no back-off for 4200, yet the new connection took {took:?}"
    );
    wait_subscribed(&server, &new_id, &["c"]).await;
    still_delivers(&server, &mut events, "c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4001_disconnects_for_good() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let first_id = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    assert_eq!(server.close(None, 4001, "go away"), 1);
    let seen = events
        .wait_for_event("disconnected", common::is_state_change, T)
        .await;
    assert_eq!(common::shape(&seen.event), "connected->disconnected");
    // Disconnected is terminal: the client lets go of the sink, with nothing after it.
    let rest = events.until_closed(T).await;
    assert!(rest.is_empty(), "events after disconnected: {rest:?}");
    let since = events.since(mark);
    assert_eq!(
        shapes(&since),
        vec!["error PusherError 4001", "connected->disconnected"]
    );
    match &since[0].event {
        Event::Error(e) => assert_eq!(e.message, "go away"),
        e => panic!("{e:?}"),
    }
    wait_connections(&server, 0).await;
    // A retry would come after 1–1.25 s: none comes within 1.5 s.
    let res = server
        .wait_for(
            |s| !s.connections().is_empty() || senders(s).iter().any(|id| *id != first_id),
            Duration::from_millis(1500),
        )
        .await;
    assert!(
        res.is_err(),
        "the client tried again: {:?}",
        server.connections()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4100_backs_off_then_reconnects() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let mark = events.mark();

    let first_id = server.connections()[0].socket_id.clone();
    let t0 = Instant::now();
    assert_eq!(server.close(None, 4100, "over capacity"), 1);
    let took = reconnect_time(&server, &first_id, t0).await;
    let new_id = events.connected().await;
    events.subscribed("c").await;
    let since = events.since(mark);
    assert_eq!(
        shapes(&since),
        vec![
            "error PusherError 4100",
            "connected->connecting",
            "connecting_in",
            "connecting->connected",
            "message pusher:subscription_succeeded c",
        ]
    );
    let (_, delay) = connecting_in(&since).expect("connecting_in");
    assert_first_backoff(delay);
    assert!(
        took + Duration::from_millis(5) >= delay,
        "reconnected {took:?} after the close, before the announced {delay:?}"
    );
    wait_subscribed(&server, &new_id, &["c"]).await;
    still_delivers(&server, &mut events, "c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_stop_makes_the_client_unavailable_until_restart() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(
        server,
        |o| o.unavailable_timeout(Duration::from_millis(300)),
        &["c"],
    )
    .await;
    let first_id = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    server.stop().await;
    let seen = events
        .wait_for_event("connecting", common::is_state_change, T)
        .await;
    assert_eq!(common::shape(&seen.event), "connected->connecting");
    let seen = events
        .wait_for_event("unavailable", common::is_state_change, T)
        .await;
    assert_eq!(common::shape(&seen.event), "connecting->unavailable");
    server.restart().await.expect("restart on the same port");

    let new_id = events.connected().await;
    assert_ne!(new_id, first_id);
    events.subscribed("c").await;
    wait_subscribed(&server, &new_id, &["c"]).await;
    let states: Vec<String> = shapes(&events.since(mark))
        .into_iter()
        .filter(|s| s.contains("->"))
        .collect();
    assert_eq!(
        states,
        vec![
            "connected->connecting",
            "connecting->unavailable",
            "unavailable->connected"
        ]
    );
    assert!(connecting_in(&events.since(mark)).is_some());
    still_delivers(&server, &mut events, "c").await;
}

/// Connects with `mode` in force, waits for `kind` and a back-off, switches the server back
/// to normal and expects a connection on a new socket.
async fn handshake_fault_then_recovery(
    mode: HandshakeMode,
    kind: ConnectionErrorKind,
) -> (TestServer, Events, pusher_client::ConnectionError) {
    let server = common::server().await;
    server.set_handshake(mode);
    let client = Client::new(common::options(&server));
    client.subscribe("c");
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));

    let err = events.error(kind).await;
    let ci = events
        .wait_for_event(
            "connecting_in",
            |e| matches!(e, Event::ConnectingIn { .. }),
            T,
        )
        .await;
    match ci.event {
        Event::ConnectingIn { delay } => assert_first_backoff(delay),
        _ => unreachable!(),
    }
    // The client dropped the bad connection itself.
    let res = server.wait_for(|s| senders(s).len() == 1, T).await;
    assert!(res.is_ok(), "the client closed the first socket");
    let first_id = senders(&server)[0].clone();

    server.set_handshake(HandshakeMode::Normal);
    let id = events.connected().await;
    assert_ne!(id, first_id, "a second connection");
    events.subscribed("c").await;
    wait_subscribed(&server, &id, &["c"]).await;
    assert_eq!(
        events.states(),
        vec![(Initialized, Connecting), (Connecting, Connected)]
    );
    still_delivers(&server, &mut events, "c").await;
    drop(client);
    (server, events, err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_pusher_error_without_code_retries() {
    let mode = HandshakeMode::Error {
        code: None,
        message: "boom".into(),
    };
    let (server, _events, err) =
        handshake_fault_then_recovery(mode, ConnectionErrorKind::PusherError).await;
    assert_eq!(err.code, None);
    assert_eq!(err.message, "boom");
    let first = &senders(&server)[0];
    assert_eq!(closed_by_client(&server, first), Some(Some(1000)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_pusher_error_keeps_retrying_with_growing_backoff() {
    let server = common::server().await;
    server.set_handshake(HandshakeMode::Error {
        code: None,
        message: "boom".into(),
    });
    let client = Client::new(common::options(&server));
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));

    let mut delays = Vec::new();
    for _ in 0..2 {
        events.error(ConnectionErrorKind::PusherError).await;
        let ci = events
            .wait_for_event(
                "connecting_in",
                |e| matches!(e, Event::ConnectingIn { .. }),
                T,
            )
            .await;
        if let Event::ConnectingIn { delay } = ci.event {
            delays.push(delay);
        }
    }
    assert_first_backoff(delays[0]);
    assert!(
        delays[1] >= Duration::from_millis(2000) && delays[1] <= Duration::from_millis(2500),
        "second back-off {:?}",
        delays[1]
    );
    let res = server.wait_for(|s| senders(s).len() == 2, T).await;
    assert!(res.is_ok(), "two attempts: {:?}", server.received());
    assert_eq!(events.states(), vec![(Initialized, Connecting)]);
    // A manual connect() while waiting skips the back-off.
    server.set_handshake(HandshakeMode::Normal);
    let before = Instant::now();
    client.retry_now();
    events.connected().await;
    assert!(
        before.elapsed() < Duration::from_millis(1500),
        "retry_now() should not wait out the 2 s back-off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_first_frame_is_a_handshake_error_and_retries() {
    let (server, _events, err) = handshake_fault_then_recovery(
        HandshakeMode::InvalidFirstFrame,
        ConnectionErrorKind::HandshakeError,
    )
    .await;
    assert_eq!(err.message, "Invalid handshake");
    let first = &senders(&server)[0];
    assert_eq!(closed_by_client(&server, first), Some(Some(1002)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_without_activity_timeout_is_a_handshake_error_and_retries() {
    let (server, _events, err) = handshake_fault_then_recovery(
        HandshakeMode::NoActivityTimeout,
        ConnectionErrorKind::HandshakeError,
    )
    .await;
    assert_eq!(err.message, "No activity timeout specified in handshake");
    let first = &senders(&server)[0];
    assert_eq!(closed_by_client(&server, first), Some(Some(1002)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_app_key_is_refused_without_retry() {
    let server = common::server().await;
    let opts = pusher_client::ClientOptions::new("no-such-key")
        .host("127.0.0.1")
        .ws_port(server.port())
        .use_tls(false);
    let client = Client::new(opts);
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    let rest = events.until_closed(T).await;
    let got: Vec<String> = rest.iter().map(common::shape).collect();
    assert_eq!(
        got,
        vec![
            "initialized->connecting",
            "error PusherError 4001",
            "connecting->disconnected"
        ]
    );
    assert!(server.connections().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_are_parse_errors_and_the_connection_survives() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let id = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    assert_eq!(server.send_raw(None, "{not json"), 1);
    let err = events.error(ConnectionErrorKind::MessageParseError).await;
    assert_eq!(err.data.as_deref(), Some("{not json"));
    assert_eq!(server.send_binary(None, &[0x01, 0x02, 0xff]), 1);
    events.error(ConnectionErrorKind::MessageParseError).await;
    assert_eq!(server.send_raw(None, "[1,2,3]"), 1);
    events.error(ConnectionErrorKind::MessageParseError).await;
    assert_eq!(
        server.send_raw(None, r#"{"channel":"c","data":"no event"}"#),
        1
    );
    events.error(ConnectionErrorKind::MessageParseError).await;

    still_delivers(&server, &mut events, "c").await;
    assert_eq!(
        shapes(&events.since(mark)),
        vec![
            "error MessageParseError",
            "error MessageParseError",
            "error MessageParseError",
            "error MessageParseError",
            "message after c",
        ]
    );
    let conns = server.connections();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].socket_id, id);
    assert!(
        !server
            .received()
            .iter()
            .any(|r| matches!(r.frame, ReceivedFrame::Close(_))),
        "the client closed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_during_backoff_stops_retrying() {
    let server = common::server().await;
    server.set_handshake(HandshakeMode::Error {
        code: None,
        message: "busy".into(),
    });
    let client = Client::new(common::options(&server));
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    events.error(ConnectionErrorKind::PusherError).await;
    events
        .wait_for_event(
            "connecting_in",
            |e| matches!(e, Event::ConnectingIn { .. }),
            T,
        )
        .await;
    // The refused socket is closed by the client; let it go away completely.
    let res = server.wait_for(|s| senders(s).len() == 1, T).await;
    assert!(res.is_ok());
    wait_connections(&server, 0).await;
    server.set_handshake(HandshakeMode::Normal);

    client.disconnect();
    let rest = events.until_closed(T).await;
    let got: Vec<String> = rest.iter().map(common::shape).collect();
    assert_eq!(got, vec!["connecting->disconnected"]);
    // The retry was due within 1.25 s: nothing comes within 1.5 s.
    let res = server
        .wait_for(
            |s| !s.connections().is_empty() || senders(s).len() > 1,
            Duration::from_millis(1500),
        )
        .await;
    assert!(res.is_err(), "retried after disconnect()");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_while_waiting_for_the_handshake_closes_the_socket() {
    let server = common::server().await;
    server.set_handshake(HandshakeMode::Silent);
    let client = Client::new(common::options(&server));
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    events.expect_state(Connecting).await;
    wait_connections(&server, 1).await;
    let id = server.connections()[0].socket_id.clone();

    client.disconnect();
    let rest = events.until_closed(T).await;
    let got: Vec<String> = rest.iter().map(common::shape).collect();
    assert_eq!(got, vec!["connecting->disconnected"]);
    wait_connections(&server, 0).await;
    // The server lists the connection once it has sent its upgrade response; the client
    // may not have read that response yet when it gets the disconnect, and then it simply
    // drops the half-open socket. Either way nothing but a normal close is acceptable.
    let code = closed_by_client(&server, &id);
    assert!(
        matches!(code, None | Some(Some(1000))),
        "closed with {code:?}"
    );
}
