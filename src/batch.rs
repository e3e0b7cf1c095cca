//! A client's batches for JS (through the environment's [`Delivery`]): each a flat array
//! built through napi, or one JSON text (`batch_json.rs`) that JS parses in one go.
//!
//! Layout, five slots per event: `[kind, a, b, c, d]`, decoded by `lib/batch.js`:
//! - `MESSAGE_TEXT` / `MESSAGE_JSON` / `MESSAGE_VALUE` / `MESSAGE_NONE`: a = event,
//!   b = channel, c = data (a string that may hold JSON / JSON text / the value itself /
//!   absent), d = user_id
//! - `STATE`: a = previous, b = current, c = socket_id
//! - `CONNECTING_IN`: c = delay in ms
//! - `ERROR`: c = the pusher-js error object as JSON text
//! - `CHANNEL_REMOVED`: b = channel
//! - `LOG`: c = the line

use crate::delivery::{BatchDelivery, Delivery, Item};
use napi::bindgen_prelude::*;
use pusher_client::{Backlog, Batch, Data, Event, EventSink};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

pub(crate) const MESSAGE_TEXT: u32 = 0;
pub(crate) const MESSAGE_JSON: u32 = 1;
pub(crate) const MESSAGE_NONE: u32 = 2;
pub(crate) const STATE: u32 = 3;
pub(crate) const CONNECTING_IN: u32 = 4;
pub(crate) const ERROR: u32 = 5;
pub(crate) const CHANNEL_REMOVED: u32 = 6;
pub(crate) const LOG: u32 = 7;
pub(crate) const MESSAGE_VALUE: u32 = 8;

/// How batches cross to JS: JSON text unless `PUSHER_NATIVE_DELIVERY=napi` (kept for the
/// benchmark that chose between them).
fn as_json() -> bool {
    static JSON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *JSON.get_or_init(|| std::env::var("PUSHER_NATIVE_DELIVERY").as_deref() != Ok("napi"))
}

/// What an event is taken to weigh in the backlog when batches are built through napi (the
/// comparison mode, where no text is measured).
const NAPI_EVENT_BYTES: usize = 256;

/// Slots per event.
const STRIDE: u32 = 5;

/// A batch as JS receives it.
pub(crate) type JsBatch = Either<String, Array<'static>>;

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
        // Encoded here, on an engine thread: the JS thread only turns it into values.
        let (payload, bytes) = if as_json() {
            let text = crate::batch_json::encode(&batch.events);
            let bytes = text.len();
            (Payload::Json(text), bytes)
        } else {
            let bytes = batch.events.len() * NAPI_EVENT_BYTES;
            (Payload::Events(batch.events), bytes)
        };
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

/// A batch on its way to the JS thread.
pub(crate) enum Payload {
    /// Encoded by `batch_json.rs`.
    Json(String),
    /// To be built into an array through napi (`PUSHER_NATIVE_DELIVERY=napi`).
    Events(Vec<Event>),
}

/// A batch's events as JS receives them.
pub(crate) fn to_js(env: &Env, payload: Payload) -> Result<JsBatch> {
    let events = match payload {
        Payload::Json(text) => return Ok(Either::A(text)),
        Payload::Events(events) => events,
    };
    let mut arr = env.create_array(events.len() as u32 * STRIDE)?;
    let mut i = 0u32;
    for event in events {
        match event {
            Event::Message(m) => {
                let (kind, data) = match m.data {
                    Some(Data::Text(t)) => (MESSAGE_TEXT, Some(t)),
                    Some(Data::Json(j)) => (MESSAGE_JSON, Some(j)),
                    None => (MESSAGE_NONE, None),
                };
                arr.set(i, kind)?;
                arr.set(i + 1, m.event)?;
                arr.set(i + 2, m.channel)?;
                arr.set(i + 3, data)?;
                arr.set(i + 4, m.user_id)?;
            }
            Event::StateChange {
                previous,
                current,
                socket_id,
            } => {
                arr.set(i, STATE)?;
                arr.set(i + 1, previous.as_str())?;
                arr.set(i + 2, current.as_str())?;
                arr.set(i + 3, socket_id)?;
            }
            Event::ConnectingIn { delay } => {
                arr.set(i, CONNECTING_IN)?;
                arr.set(i + 3, delay.as_millis() as f64)?;
            }
            Event::Error(e) => {
                arr.set(i, ERROR)?;
                arr.set(i + 3, e.to_pusher_js().to_string())?;
            }
            Event::ChannelRemoved { channel } => {
                arr.set(i, CHANNEL_REMOVED)?;
                arr.set(i + 2, channel)?;
            }
            Event::Log(line) => {
                arr.set(i, LOG)?;
                arr.set(i + 3, line)?;
            }
        }
        i += STRIDE;
    }
    // SAFETY of the 'static: the array is handed straight to the JS call that follows.
    let arr: Array<'static> = unsafe { std::mem::transmute(arr) };
    Ok(Either::B(arr))
}
