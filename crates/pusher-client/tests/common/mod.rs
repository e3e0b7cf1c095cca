//! Shared helpers for the integration tests: a loopback Pusher server, a client pointed at
//! it, and an event collector that waits on the client's sink with timeouts (never sleeps).
#![allow(dead_code)]

use pusher_client::{
    Batch, Client, ClientOptions, ConnectionErrorKind, ConnectionState, Data, Event, Message,
};
use pusher_test_server::{ReceivedFrame, ServerOptions, TestServer};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The longest any single wait in a test may take.
pub const T: Duration = Duration::from_secs(5);

/// The app key of the server's default app.
pub const KEY: &str = "test-key";

/// Starts a server with default options.
pub async fn server() -> TestServer {
    server_with(ServerOptions::default()).await
}

/// Starts a server with `options`.
pub async fn server_with(options: ServerOptions) -> TestServer {
    TestServer::start(options).await.expect("server starts")
}

/// Client options pointing at `server` over plain `ws://`.
pub fn options(server: &TestServer) -> ClientOptions {
    ClientOptions::new(KEY)
        .cluster("test")
        .host("127.0.0.1")
        .ws_port(server.port())
        .use_tls(false)
}

/// One event and when the test saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub epoch: u64,
    pub event: Event,
}

/// Collects the client's batches and hands out their events one by one.
pub struct Events {
    rx: mpsc::UnboundedReceiver<Batch>,
    pending: VecDeque<Seen>,
    /// Every event handed out so far, in order.
    pub history: Vec<Seen>,
    /// How many events each batch taken so far held.
    pub batch_lengths: Vec<usize>,
    closed: bool,
}

impl Events {
    /// A fresh channel: the sender for `client.connect(Box::new(tx))`, and the collector.
    pub fn channel() -> (mpsc::UnboundedSender<Batch>, Events) {
        let (tx, rx) = mpsc::unbounded_channel::<Batch>();
        (
            tx,
            Events {
                rx,
                pending: VecDeque::new(),
                history: Vec::new(),
                batch_lengths: Vec::new(),
                closed: false,
            },
        )
    }

    /// The next event, or `None` when `timeout` passes first or the sink is gone.
    pub async fn next(&mut self, timeout: Duration) -> Option<Seen> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(seen) = self.pending.pop_front() {
                self.history.push(seen.clone());
                return Some(seen);
            }
            if self.closed {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(batch)) => {
                    let at = Instant::now();
                    self.batch_lengths.push(batch.events.len());
                    self.pending
                        .extend(batch.events.into_iter().map(|event| Seen {
                            at,
                            epoch: batch.epoch,
                            event,
                        }));
                }
                Ok(None) => self.closed = true,
                Err(_) => return None,
            }
        }
    }

    /// Waits for the first event matching `pred`, skipping (but recording) the others.
    /// Panics with the history when it does not come within `timeout`.
    pub async fn wait_for_event(
        &mut self,
        what: &str,
        pred: impl Fn(&Event) -> bool,
        timeout: Duration,
    ) -> Seen {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(seen) if pred(&seen.event) => return seen,
                Some(_) => {}
                None => panic!(
                    "no {what} within {timeout:?} (sink closed: {}); events so far:\n{}",
                    self.closed,
                    self.dump()
                ),
            }
        }
    }

    /// The next state change, skipping other events. Panics on timeout.
    pub async fn next_state(&mut self, timeout: Duration) -> (ConnectionState, ConnectionState) {
        let seen = self
            .wait_for_event("state change", is_state_change, timeout)
            .await;
        match seen.event {
            Event::StateChange {
                previous, current, ..
            } => (previous, current),
            _ => unreachable!(),
        }
    }

    /// Asserts that the next state change goes to `want`; returns its socket id.
    pub async fn expect_state(&mut self, want: ConnectionState) -> Option<String> {
        let seen = self
            .wait_for_event(&format!("state {}", want.as_str()), is_state_change, T)
            .await;
        match seen.event {
            Event::StateChange {
                current, socket_id, ..
            } => {
                assert_eq!(
                    current,
                    want,
                    "unexpected state change; events so far:\n{}",
                    self.dump()
                );
                socket_id
            }
            _ => unreachable!(),
        }
    }

    /// Waits for `connected`, skipping other events, and returns the socket id.
    pub async fn connected(&mut self) -> String {
        let seen = self
            .wait_for_event(
                "connected",
                |e| {
                    matches!(
                        e,
                        Event::StateChange {
                            current: ConnectionState::Connected,
                            ..
                        }
                    )
                },
                T,
            )
            .await;
        match seen.event {
            Event::StateChange { socket_id, .. } => socket_id.expect("connected has a socket id"),
            _ => unreachable!(),
        }
    }

    /// Waits for `pusher:subscription_succeeded` on `channel`.
    pub async fn subscribed(&mut self, channel: &str) -> Seen {
        self.wait_for_event(
            &format!("subscription_succeeded for {channel}"),
            |e| is_message(e, "pusher:subscription_succeeded", channel),
            T,
        )
        .await
    }

    /// Waits for an error event of `kind`.
    pub async fn error(&mut self, kind: ConnectionErrorKind) -> pusher_client::ConnectionError {
        let seen = self
            .wait_for_event(
                &format!("{} error", kind.as_str()),
                |e| matches!(e, Event::Error(err) if err.kind == kind),
                T,
            )
            .await;
        match seen.event {
            Event::Error(err) => err,
            _ => unreachable!(),
        }
    }

    /// Asserts that nothing at all arrives within `quiet` (the timeout is the proof).
    pub async fn expect_nothing(&mut self, quiet: Duration) {
        if let Some(seen) = self.next(quiet).await {
            panic!(
                "expected no event within {quiet:?}, got {:?}; events so far:\n{}",
                seen.event,
                self.dump()
            );
        }
    }

    /// Waits until the client lets go of the sink (`recv()` returns `None`); returns the
    /// events that came before.
    pub async fn until_closed(&mut self, timeout: Duration) -> Vec<Event> {
        let deadline = Instant::now() + timeout;
        let mut rest = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(seen) => rest.push(seen.event),
                None if self.closed => return rest,
                None => panic!(
                    "sink still held after {timeout:?}; events so far:\n{}",
                    self.dump()
                ),
            }
        }
    }

    /// Events handed out and still queued, without waiting.
    pub fn drain_now(&mut self) -> Vec<Event> {
        while let Ok(batch) = self.rx.try_recv() {
            let at = Instant::now();
            self.pending
                .extend(batch.events.into_iter().map(|event| Seen {
                    at,
                    epoch: batch.epoch,
                    event,
                }));
        }
        let out: Vec<Seen> = self.pending.drain(..).collect();
        self.history.extend(out.iter().cloned());
        out.into_iter().map(|s| s.event).collect()
    }

    /// The state changes seen so far, as `(previous, current)`.
    pub fn states(&self) -> Vec<(ConnectionState, ConnectionState)> {
        self.history
            .iter()
            .filter_map(|s| match s.event {
                Event::StateChange {
                    previous, current, ..
                } => Some((previous, current)),
                _ => None,
            })
            .collect()
    }

    /// A mark to pass to [`Events::since`].
    pub fn mark(&self) -> usize {
        self.history.len()
    }

    /// The events handed out since `mark`, in order.
    pub fn since(&self, mark: usize) -> Vec<Seen> {
        self.history[mark..].to_vec()
    }

    /// The history, one event a line, for failure messages.
    pub fn dump(&self) -> String {
        self.history
            .iter()
            .map(|s| format!("  [epoch {}] {:?}", s.epoch, s.event))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub fn is_state_change(e: &Event) -> bool {
    matches!(e, Event::StateChange { .. })
}

/// Whether `e` is the message `event` on `channel`.
pub fn is_message(e: &Event, event: &str, channel: &str) -> bool {
    matches!(e, Event::Message(Message { event: ev, channel: Some(ch), .. }) if ev == event && ch == channel)
}

/// The text payload of a message.
pub fn text(e: &Event) -> Option<&str> {
    match e {
        Event::Message(Message {
            data: Some(Data::Text(t)),
            ..
        }) => Some(t),
        _ => None,
    }
}

/// A server, a client subscribed to nothing yet, and its events.
pub struct Setup {
    pub server: TestServer,
    pub client: Client,
    pub events: Events,
}

/// Starts `server`, builds a client with `tweak(options)`, subscribes to `channels` and
/// connects; waits until connected and every channel is confirmed.
pub async fn connected_client(
    server: TestServer,
    tweak: impl FnOnce(ClientOptions) -> ClientOptions,
    channels: &[&str],
) -> Setup {
    let client = Client::new(tweak(options(&server)));
    for ch in channels {
        client.subscribe(ch);
    }
    let (tx, mut events) = Events::channel();
    client.connect(Box::new(tx));
    assert_eq!(events.expect_state(ConnectionState::Connecting).await, None);
    let socket_id = events
        .expect_state(ConnectionState::Connected)
        .await
        .expect("socket id on connected");
    for ch in channels {
        events.subscribed(ch).await;
    }
    wait_subscribed(&server, &socket_id, channels).await;
    Setup {
        server,
        client,
        events,
    }
}

/// Waits until the server lists exactly `channels` (in any order) on connection `socket_id`.
pub async fn wait_subscribed(server: &TestServer, socket_id: &str, channels: &[&str]) {
    let mut want: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
    want.sort();
    let res = server
        .wait_for(
            |s| {
                s.connections().iter().any(|c| {
                    let mut have = c.subscriptions.clone();
                    have.sort();
                    c.socket_id == socket_id && have == want
                })
            },
            T,
        )
        .await;
    assert!(
        res.is_ok(),
        "server never listed {want:?} on {socket_id}; connections: {:?}",
        server.connections()
    );
}

/// Waits until the server has exactly `n` open connections.
pub async fn wait_connections(server: &TestServer, n: usize) {
    let res = server.wait_for(|s| s.connections().len() == n, T).await;
    assert!(
        res.is_ok(),
        "expected {n} connections; have {:?}",
        server.connections()
    );
}

/// The socket ids the server has ever heard a frame from, in first-heard order.
pub fn senders(server: &TestServer) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for r in server.received() {
        if !ids.contains(&r.socket_id) {
            ids.push(r.socket_id);
        }
    }
    ids
}

/// Text frames the server received from `socket_id`.
pub fn texts_from(server: &TestServer, socket_id: &str) -> Vec<String> {
    server
        .received()
        .into_iter()
        .filter(|r| r.socket_id == socket_id)
        .filter_map(|r| match r.frame {
            ReceivedFrame::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Whether the server received a close frame from `socket_id`.
pub fn closed_by_client(server: &TestServer, socket_id: &str) -> Option<Option<u16>> {
    server
        .received()
        .into_iter()
        .filter(|r| r.socket_id == socket_id)
        .find_map(|r| match r.frame {
            ReceivedFrame::Close(code) => Some(code),
            _ => None,
        })
}

/// Whether `text` is a `pusher:subscribe` for `channel`.
pub fn is_subscribe(text: &str, channel: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v["event"] == "pusher:subscribe" && v["data"]["channel"] == channel)
        .unwrap_or(false)
}

/// A short description of an event, for asserting sequences: `connected->connecting`,
/// `connecting_in`, `error PusherError 4200`, `message my-event my-channel`, ….
pub fn shape(e: &Event) -> String {
    match e {
        Event::StateChange {
            previous, current, ..
        } => format!("{}->{}", previous.as_str(), current.as_str()),
        Event::ConnectingIn { .. } => "connecting_in".into(),
        Event::Error(err) => match err.code {
            Some(c) => format!("error {} {c}", err.kind.as_str()),
            None => format!("error {}", err.kind.as_str()),
        },
        Event::Message(m) => format!(
            "message {} {}",
            m.event,
            m.channel.as_deref().unwrap_or("-")
        ),
        Event::ChannelRemoved { channel } => format!("removed {channel}"),
        Event::Log(l) => format!("log {l}"),
    }
}

/// The shapes of `seen`.
pub fn shapes(seen: &[Seen]) -> Vec<String> {
    seen.iter().map(|s| shape(&s.event)).collect()
}

/// The delay of the first `ConnectingIn` in `seen`.
pub fn connecting_in(seen: &[Seen]) -> Option<(Instant, Duration)> {
    seen.iter().find_map(|s| match s.event {
        Event::ConnectingIn { delay } => Some((s.at, delay)),
        _ => None,
    })
}
