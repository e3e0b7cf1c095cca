//! Pushing frames to clients: events, raw frames and pings.

use serde_json::Value;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::connection::Outgoing;
use crate::frames;
use crate::TestServer;

impl TestServer {
    /// Sends `{"event":E,"channel":C,"data":"<data>"}` to every subscriber of
    /// `channel` (in any app); `data` goes out as a JSON string value.
    /// Returns how many connections it was sent to.
    pub fn trigger(&self, channel: &str, event: &str, data: &str) -> usize {
        let text = Utf8Bytes::from(frames::event(channel, event, data, None));
        self.inner()
            .send_subscribers(channel, || Outgoing::Text(text.clone()))
    }

    /// Like [`trigger`](Self::trigger), with `data` serialised to a string
    /// first (Pusher's double encoding).
    pub fn trigger_json(&self, channel: &str, event: &str, data: &Value) -> usize {
        self.trigger(channel, event, &data.to_string())
    }

    /// Sends `count` copies of the event to each subscriber of `channel`, as
    /// fast as the socket takes them (for benchmarks). The frame is built
    /// once. Returns the number of subscribers.
    pub fn blast(&self, channel: &str, event: &str, data: &str, count: u64) -> usize {
        let text = Utf8Bytes::from(frames::event(channel, event, data, None));
        self.inner()
            .send_subscribers(channel, || Outgoing::Blast(text.clone(), count))
    }

    /// Sends an arbitrary text frame to one connection (`Some`) or all (`None`).
    pub fn send_raw(&self, socket_id: Option<&str>, text: &str) -> usize {
        let text = Utf8Bytes::from(text);
        self.inner()
            .send_each(socket_id, || Outgoing::Text(text.clone()))
    }

    /// Sends a binary frame to one connection (`Some`) or all (`None`).
    pub fn send_binary(&self, socket_id: Option<&str>, bytes: &[u8]) -> usize {
        self.inner()
            .send_each(socket_id, || Outgoing::Binary(bytes.to_vec()))
    }

    /// Sends a WebSocket ping to one connection (`Some`) or all (`None`); the
    /// client's pong shows up in [`received`](Self::received).
    pub fn send_ping(&self, socket_id: Option<&str>) -> usize {
        self.inner().send_each(socket_id, || Outgoing::Ping)
    }

    /// Sends an event on `#server-to-user-<user_id>` to its subscribers.
    pub fn send_to_user(&self, user_id: &str, event: &str, data: &str) -> usize {
        self.trigger(&format!("#server-to-user-{user_id}"), event, data)
    }
}
