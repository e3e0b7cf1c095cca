//! A client's batches for JS (through the environment's [`Delivery`]): one JSON text per
//! batch, encoded on the engine thread by `batch_json.rs`, that JS parses in one go.
//!
//! Layout, five slots per event: `[kind, a, b, c, d]`, decoded by `lib/batch.js`, which
//! reads the kinds below from the addon (they are defined here only):
//! - `MESSAGE_TEXT` / `MESSAGE_VALUE` / `MESSAGE_NONE`: a = event, b = channel, c = data
//!   (a string that may hold JSON / the value itself / absent), d = user_id; a or b is the
//!   number 0 when it is the same as the previous message's in the batch
//! - `STATE`: a = previous, b = current, c = socket_id
//! - `CONNECTING_IN`: c = delay in ms
//! - `ERROR`: c = the pusher-js error object
//! - `CHANNEL_REMOVED`: b = channel
//! - `LOG`: c = the line

use crate::delivery::{BatchDelivery, Delivery, Item};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use pusher_client::{Backlog, Batch, EventSink};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// Batch kind: a message whose data is a string that may hold JSON.
#[napi]
pub const MESSAGE_TEXT: u32 = 0;
/// Batch kind: a message without data.
#[napi]
pub const MESSAGE_NONE: u32 = 2;
/// Batch kind: a state change.
#[napi]
pub const STATE: u32 = 3;
/// Batch kind: the delay before the next attempt.
#[napi]
pub const CONNECTING_IN: u32 = 4;
/// Batch kind: a connection error.
#[napi]
pub const ERROR: u32 = 5;
/// Batch kind: the engine forgot a channel.
#[napi]
pub const CHANNEL_REMOVED: u32 = 6;
/// Batch kind: a log line.
#[napi]
pub const LOG: u32 = 7;
/// Batch kind: a message whose data is the decoded value itself.
#[napi]
pub const MESSAGE_VALUE: u32 = 8;
/// Slots per event.
#[napi]
pub const BATCH_STRIDE: u32 = 5;

/// How far a session's batches have got: handed to the delivery, and dispatched on the JS
/// thread. A call into JS made after [`Progress::caught_up`] sees the state those batches
/// describe (another threadsafe function, such as the auth handler's, is not ordered with
/// the delivery's by Node).
#[derive(Default)]
pub(crate) struct Progress {
    sent: AtomicU64,
    taken: AtomicU64,
    wake: Notify,
}

impl Progress {
    /// Waits until every batch sent so far has been dispatched to JS.
    pub(crate) async fn caught_up(&self) {
        let target = self.sent.load(Ordering::Acquire);
        loop {
            let taken = self.wake.notified();
            if self.taken.load(Ordering::Acquire) >= target {
                return;
            }
            taken.await;
        }
    }

    /// Batch `seq` is being dispatched on the JS thread.
    pub(crate) fn taken(&self, seq: u64) {
        self.taken.fetch_max(seq, Ordering::AcqRel);
        self.wake.notify_waiters();
    }
}

/// A client's session, as an [`EventSink`]: batches go through the environment's
/// [`Delivery`], and its end is announced there when the engine lets go of it.
pub(crate) struct BatchSink {
    delivery: Arc<Delivery>,
    progress: Arc<Progress>,
    client: u32,
    /// The epoch of the last batch.
    epoch: u64,
}

impl BatchSink {
    /// A session of `client` starting now, delivering through `through`.
    pub(crate) fn new(
        env: &Env,
        through: &BatchDelivery,
        client: u32,
        progress: Arc<Progress>,
    ) -> Result<Self> {
        Ok(BatchSink {
            delivery: through.start_session(env)?,
            progress,
            client,
            epoch: 0,
        })
    }
}

impl EventSink for BatchSink {
    fn deliver(&mut self, batch: Batch) -> bool {
        self.epoch = batch.epoch;
        // Encoded here, on an engine thread: the JS thread only parses it.
        let mut payload = self.delivery.buffers().take();
        crate::batch_json::encode_into(&mut payload, &batch.events);
        let bytes = payload.len();
        self.delivery.backlog().add(bytes);
        let seq = self.progress.sent.fetch_add(1, Ordering::AcqRel) + 1;
        self.delivery.send(Item::Batch {
            client: self.client,
            payload,
            bytes,
            epoch: batch.epoch,
            progress: self.progress.clone(),
            seq,
        })
    }

    fn backlog(&self) -> Option<Arc<Backlog>> {
        Some(self.delivery.backlog().clone())
    }
}

impl Drop for BatchSink {
    fn drop(&mut self) {
        self.delivery.send(Item::Ended {
            client: self.client,
            epoch: self.epoch,
        });
    }
}
