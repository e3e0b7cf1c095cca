//! The WebSocket layer's rules over a real socket: a 101 we must refuse, frames that break
//! RFC 6455 (answered with their close code before the client lets go), and closes whose
//! codes are not Pusher's (a dropped connection, retried, never a Pusher error).

mod common;

use common::{
    closed_by_client, connected_client, connecting_in, shape, shapes, text, Events, Setup, T,
};
use pusher_client::{Client, ConnectionErrorKind, ConnectionState::*, Event, Failure};
use pusher_test_server::{TestServer, UpgradeAnswer};
use std::time::Duration;

/// Asserts `d` is the first back-off: 1 s plus up to a quarter of jitter.
fn assert_first_backoff(d: Duration) {
    assert!(
        d >= Duration::from_millis(1000) && d <= Duration::from_millis(1250),
        "first back-off should be 1–1.25 s, was {d:?}"
    );
}

/// A frame as a server writes it, with the first byte (FIN, RSV, opcode) and the second
/// (MASK bit) given whole.
fn frame(b0: u8, mask_bit: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut out = vec![b0, mask_bit | payload.len() as u8];
    if mask_bit != 0 {
        out.extend_from_slice(&[0, 0, 0, 0]); // a zero mask leaves the payload as it is
    }
    out.extend_from_slice(payload);
    out
}

/// The server answers the upgrade as `answer` says; the client must report a
/// `WebSocketError` for `failure` (with `code`), back off, and connect once the server
/// answers normally.
async fn refused_upgrade_then_recovery(answer: UpgradeAnswer, failure: Failure, code: Option<i64>) {
    let server = common::server().await;
    server.set_upgrade_answer(answer);
    let client = Client::new(common::options(&server));
    client.subscribe("c");
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));

    let err = events.error(ConnectionErrorKind::WebSocketError).await;
    assert_eq!((err.failure, err.code), (failure, code));
    let seen = events
        .wait_for_event(
            "connecting_in",
            |e| matches!(e, Event::ConnectingIn { .. }),
            T,
        )
        .await;
    let Event::ConnectingIn { delay } = seen.event else {
        unreachable!()
    };
    assert_first_backoff(delay);

    server.set_upgrade_answer(UpgradeAnswer::Normal);
    events.connected().await;
    events.subscribed("c").await;
    assert_eq!(
        events.states(),
        vec![(Initialized, Connecting), (Connecting, Connected)]
    );
    assert!(
        !shapes(&events.history).contains(&"error PusherError".to_owned()),
        "{}",
        events.dump()
    );
}

fn header(name: &str, value: &str) -> UpgradeAnswer {
    UpgradeAnswer::Headers(vec![(name.to_owned(), value.to_owned())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_101_selecting_an_extension_we_never_offered_is_refused_and_retried() {
    let answer = header("Sec-WebSocket-Extensions", "permessage-deflate");
    refused_upgrade_then_recovery(answer, Failure::Handshake, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_101_selecting_a_subprotocol_we_never_requested_is_refused_and_retried() {
    let answer = header("Sec-WebSocket-Protocol", "chat");
    refused_upgrade_then_recovery(answer, Failure::Handshake, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_101_with_a_wrong_accept_is_refused_and_retried() {
    let answer = header("Sec-WebSocket-Accept", "bm90IHRoZSBrZXk=");
    refused_upgrade_then_recovery(answer, Failure::Handshake, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_error_instead_of_101_is_retried() {
    refused_upgrade_then_recovery(UpgradeAnswer::Status(503), Failure::HttpStatus, Some(503)).await;
}

/// A connected client gets `bytes` from the server. It must send a close frame with
/// `want_close`, report a `WebSocketError` (never a Pusher error) for `want_failure` with
/// `want_code`, back off and connect again.
async fn after_raw_bytes(
    bytes: &[u8],
    want_close: u16,
    want_failure: Failure,
    want_code: Option<i64>,
) -> (TestServer, Events) {
    let server = common::server().await;
    let Setup {
        server,
        client,
        mut events,
    } = connected_client(server, |o| o.max_message_size(1024), &["c"]).await;
    let first = server.connections()[0].socket_id.clone();
    let mark = events.mark();

    assert_eq!(server.send_bytes(Some(&first), bytes), 1);
    let res = server
        .wait_for(|s| closed_by_client(s, &first).is_some(), T)
        .await;
    assert!(
        res.is_ok(),
        "no close frame from the client: {:?}",
        server.received()
    );
    assert_eq!(closed_by_client(&server, &first), Some(Some(want_close)));

    let again = events.connected().await;
    assert_ne!(again, first);
    events.subscribed("c").await;
    let since = events.since(mark);
    let Event::Error(err) = &since[0].event else {
        panic!("{}", events.dump())
    };
    assert_eq!(
        (err.kind, err.failure, err.code),
        (ConnectionErrorKind::WebSocketError, want_failure, want_code)
    );
    assert_eq!(
        shapes(&since[1..]),
        vec![
            "connected->connecting",
            "connecting_in",
            "connecting->connected",
            "message pusher:subscription_succeeded c",
        ],
        "{}",
        events.dump()
    );
    assert_first_backoff(connecting_in(&since).expect("connecting_in").1);
    // Still a working connection.
    assert_eq!(server.trigger("c", "after", "ok"), 1);
    let m = events
        .wait_for_event("after", |e| shape(e) == "message after c", T)
        .await;
    assert_eq!(text(&m.event), Some("ok"));
    drop(client);
    (server, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_masked_frame_is_answered_with_1002() {
    after_raw_bytes(&frame(0x81, 0x80, b"{}"), 1002, Failure::Protocol, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_bits_without_an_extension_are_answered_with_1002() {
    // What a permessage-deflate frame looks like (RSV1), had the client accepted it.
    after_raw_bytes(
        &frame(0xC1, 0, b"compressed?"),
        1002,
        Failure::Protocol,
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fragmented_ping_is_answered_with_1002() {
    after_raw_bytes(&frame(0x09, 0, b"p"), 1002, Failure::Protocol, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_utf8_is_answered_with_1007() {
    after_raw_bytes(
        &frame(0x81, 0, b"{\"a\":\"\xff\"}"),
        1007,
        Failure::Protocol,
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_utf8_in_a_first_fragment_is_answered_before_the_message_ends() {
    // The message's other fragments never come: the first one alone must fail it.
    after_raw_bytes(
        &frame(0x01, 0, b"{\"a\":\"\xc3\x28"),
        1007,
        Failure::Protocol,
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_the_limit_is_answered_with_1009_from_its_header() {
    // Only the header of a 4000-byte text frame (the client's limit is 1024).
    let mut header = vec![0x81, 126];
    header.extend_from_slice(&4000u16.to_be_bytes());
    after_raw_bytes(&header, 1009, Failure::TooLarge, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closes_with_codes_that_may_not_be_on_the_wire_are_answered_1002_and_retried() {
    for code in [1005u16, 999, 5000] {
        let close = frame(0x88, 0, &code.to_be_bytes());
        after_raw_bytes(&close, 1002, Failure::Closed, Some(code.into())).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_with_a_valid_non_pusher_code_is_echoed_and_retried() {
    let mut payload = 1011u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"internal error");
    after_raw_bytes(&frame(0x88, 0, &payload), 1011, Failure::Closed, Some(1011)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pusher_close_code_is_echoed_and_reported() {
    let server = common::server().await;
    let Setup {
        server,
        client: _client,
        mut events,
    } = connected_client(server, |o| o, &["c"]).await;
    let first = server.connections()[0].socket_id.clone();
    assert_eq!(server.close(Some(&first), 4100, "over capacity"), 1);
    let err = events.error(ConnectionErrorKind::PusherError).await;
    assert_eq!(err.code, Some(4100));
    let res = server
        .wait_for(|s| closed_by_client(s, &first) == Some(Some(4100)), T)
        .await;
    assert!(res.is_ok(), "close not echoed: {:?}", server.received());
}
