//! Pushing frames to clients: events, raw frames and pings.

use serde_json::Value;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::connection::Outgoing;
use crate::TestServer;
use crate::{encryption, frames};

impl TestServer {
    /// Sends `{"event":E,"channel":C,"data":"<data>"}` to every subscriber of
    /// `channel` (in any app); `data` goes out as a JSON string value.
    /// Returns how many connections it was sent to.
    ///
    /// On a cache channel (`cache-`, `private-cache-`,
    /// `private-encrypted-cache-`, `presence-cache-`) the frame is also kept,
    /// with no expiry, and sent to each later subscriber right after its
    /// `subscription_succeeded`.
    pub fn trigger(&self, channel: &str, event: &str, data: &str) -> usize {
        self.inner()
            .publish(channel, frames::event(channel, event, data, None))
    }

    /// Like [`trigger`](Self::trigger), with `data` serialised to a string
    /// first (Pusher's double encoding).
    pub fn trigger_json(&self, channel: &str, event: &str, data: &Value) -> usize {
        self.trigger(channel, event, &data.to_string())
    }

    /// Like [`trigger`](Self::trigger) for a `private-encrypted-` channel:
    /// `plaintext` is sealed with NaCl secretbox under the channel's key
    /// ([`shared_secret`](Self::shared_secret)) with a random nonce, and sent
    /// as `{"nonce":"<base64>","ciphertext":"<base64>"}`. One ciphertext
    /// goes to every subscriber (and into the cache of a cache channel).
    pub fn trigger_encrypted(&self, channel: &str, event: &str, plaintext: &str) -> usize {
        self.trigger_encrypted_with_key(channel, event, plaintext, self.shared_secret(channel))
    }

    /// Like [`trigger_encrypted`](Self::trigger_encrypted) but sealed under
    /// `key`, e.g. a wrong or rotated one, to test decryption failures.
    pub fn trigger_encrypted_with_key(
        &self,
        channel: &str,
        event: &str,
        plaintext: &str,
        key: [u8; 32],
    ) -> usize {
        self.trigger(channel, event, &encryption::encrypt(&key, plaintext))
    }

    /// The key of an encrypted channel, as an auth endpoint returns it (in
    /// base64) in `shared_secret`: SHA-256 of the channel name followed by
    /// [`encryption_master_key`](Self::encryption_master_key).
    pub fn shared_secret(&self, channel: &str) -> [u8; 32] {
        encryption::shared_secret(channel, &self.inner().encryption_master_key)
    }

    /// The master key from [`ServerOptions::encryption_master_key`](crate::ServerOptions::encryption_master_key).
    pub fn encryption_master_key(&self) -> [u8; 32] {
        self.inner().encryption_master_key
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
