//! The engine over pusher-js's HTTP transports, against the test server's own.

mod common;

use common::{is_message, wait_subscribed, Events, T};
use pusher_client::{Client, ConnectionState::*, HttpEndpoint, Transports};
use pusher_test_server::TestServer;

fn over(server: &TestServer, streaming: bool) -> pusher_client::ClientOptions {
    common::options(server)
        .transports(Transports {
            ws: false,
            xhr_streaming: streaming,
            xhr_polling: !streaming,
        })
        .http_endpoint(Some(HttpEndpoint {
            host: "127.0.0.1".into(),
            http_port: server.port(),
            https_port: server.port(),
            path: "/pusher".into(),
        }))
}

async fn connects_subscribes_and_receives(streaming: bool) {
    let server = common::server().await;
    let client = Client::new(over(&server, streaming));
    client.subscribe("my-channel");
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    events.expect_state(Connecting).await;
    let id = events.expect_state(Connected).await.expect("socket id");
    let transport = server.connections()[0].transport.as_str();
    assert_eq!(
        transport,
        if streaming {
            "xhr_streaming"
        } else {
            "xhr_polling"
        }
    );
    events.subscribed("my-channel").await;
    wait_subscribed(&server, &id, &["my-channel"]).await;
    let payload = r#"{"hello":"wörld ✓","quote":"\"x\"","nl":"a\nb"}"#;
    for i in 0..3 {
        assert_eq!(server.trigger("my-channel", &format!("e{i}"), payload), 1);
    }
    for i in 0..3 {
        let name = format!("e{i}");
        let got = events
            .wait_for_event(&name, |e| is_message(e, &name, "my-channel"), T)
            .await;
        assert_eq!(common::text(&got.event), Some(payload));
    }
    client.disconnect();
    events.expect_state(Disconnected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_xhr_streaming() {
    connects_subscribes_and_receives(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_xhr_polling() {
    connects_subscribes_and_receives(false).await;
}
