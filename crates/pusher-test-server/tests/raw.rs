//! Faults below the Pusher protocol: scripted answers to the upgrade, raw bytes after it.

mod common;

use common::*;
use futures_util::StreamExt;
use pusher_test_server::UpgradeAnswer;
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::error::{Error, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn raw_bytes_arrive_as_written_even_when_they_break_the_rules() {
    let server = start().await;
    let mut client = Client::connect(&server).await;
    let id = client.socket_id.clone();
    assert_eq!(server.send_bytes(Some(&id), &[0x81, 0x02, b'h', b'i']), 1);
    assert_eq!(next(&mut client.ws).await, Message::text("hi"));
    // A masked frame: no server may send one, and tungstenite (as a client) says so.
    let masked = [0x81, 0x82, 0, 0, 0, 0, b'h', b'i'];
    assert_eq!(server.send_bytes(None, &masked), 1);
    let got = timeout(TIMEOUT, client.ws.next()).await.expect("in time");
    assert!(
        matches!(
            got,
            Some(Err(Error::Protocol(ProtocolError::MaskedFrameFromServer)))
        ),
        "{got:?}"
    );
    assert_eq!(server.send_bytes(Some("0.0"), b"x"), 0);
}

#[tokio::test]
async fn upgrade_answers_follow_the_script() {
    let server = start().await;
    let url = url(&server, &app_path(&server));

    server.set_upgrade_answer(UpgradeAnswer::Status(503));
    match timeout(TIMEOUT, connect_async(&url))
        .await
        .expect("in time")
    {
        Err(Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected HTTP 503, got {other:?}"),
    }

    server.set_upgrade_answer(UpgradeAnswer::Headers(vec![(
        "Sec-WebSocket-Protocol".into(),
        "chat".into(),
    )]));
    match timeout(TIMEOUT, connect_async(&url))
        .await
        .expect("in time")
    {
        Err(Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(
            SubProtocolError::ServerSentSubProtocolNoneRequested,
        ))) => {}
        other => panic!("expected an unrequested subprotocol, got {other:?}"),
    }

    server.set_upgrade_answer(UpgradeAnswer::Normal);
    Client::connect(&server).await;
}
