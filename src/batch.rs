//! Event delivery to JS: one threadsafe function call per batch, each batch a flat array
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

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{
    ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use pusher_client::{Backlog, Batch, Data, Event, EventSink};
use std::sync::Arc;

/// Events waiting for the JS thread beyond which the engine stops reading the socket.
const MAX_PENDING_EVENTS: usize = 65_536;

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

/// Slots per event.
const STRIDE: u32 = 5;

type JsBatch = Either<String, Array<'static>>;
type BatchFn = ThreadsafeFunction<Batch, (), FnArgs<(JsBatch, f64)>, Status, false, false, 0>;

/// An [`EventSink`] calling one JS function. Strong: while the engine holds it, Node stays up.
pub(crate) struct BatchSink {
    tsfn: BatchFn,
    backlog: Arc<Backlog>,
}

impl BatchSink {
    pub(crate) fn new(callback: &Function<'_, (), ()>) -> Result<Self> {
        let backlog = Arc::new(Backlog::new(MAX_PENDING_EVENTS));
        let taken = backlog.clone();
        let tsfn = callback
            .build_threadsafe_function::<Batch>()
            .callee_handled::<false>()
            .weak::<false>()
            .build_callback(move |ctx| {
                taken.done(ctx.value.events.len());
                to_js(ctx)
            })?;
        Ok(BatchSink { tsfn, backlog })
    }
}

impl EventSink for BatchSink {
    fn deliver(&mut self, batch: Batch) -> bool {
        self.backlog.add(batch.events.len());
        let status = self
            .tsfn
            .call(batch, ThreadsafeFunctionCallMode::NonBlocking);
        // Closing: the JS environment is gone (worker terminated); stop the engine.
        status != Status::Closing
    }

    fn backlog(&self) -> Option<Arc<Backlog>> {
        Some(self.backlog.clone())
    }
}

fn to_js(ctx: ThreadsafeCallContext<Batch>) -> Result<FnArgs<(JsBatch, f64)>> {
    let Batch { events, epoch } = ctx.value;
    if as_json() {
        return Ok((Either::A(crate::batch_json::encode(&events)), epoch as f64).into());
    }
    let env = ctx.env;
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
    Ok((Either::B(arr), epoch as f64).into())
}
