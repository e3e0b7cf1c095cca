//! Where batches cross to JS: one threadsafe function for every client with a session, per
//! copy of the package loaded (in practice, per JS environment). Node spends about a
//! kilobyte on each threadsafe function (its queue, async handle, locks), which thousands of
//! clients would each pay.
//!
//! The function exists while some client has a session (from its `connect` until the engine
//! lets go of it) and is released when the last one ends, after its queued calls: a
//! connected client keeps Node alive, and once none is, nothing of ours is left open (jest's
//! open-handle check included).

use crate::batch::Progress;
use crate::batch_buffers::{BatchBuffers, BatchText};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use pusher_client::{Backlog, ConnectionError, Event, Failure};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, Weak};

/// Bytes of batches waiting for the JS thread, all clients together, beyond which engines
/// stop reading their sockets: what waits is bounded in memory, whatever the event size.
const MAX_PENDING_BYTES: usize = 16 << 20;

/// What goes to the JS thread.
pub(crate) enum Item {
    /// A client's batch, of `bytes` bytes, the `seq`th of its session.
    Batch {
        client: u32,
        /// The batch as JSON text (`batch.rs` has the layout).
        payload: String,
        bytes: usize,
        epoch: u64,
        progress: Arc<Progress>,
        seq: u64,
    },
    /// A client's session ended; `epoch` is that of its last batch.
    Ended { client: u32, epoch: u64 },
}

type DeliverArgs = FnArgs<(u32, Option<BatchText>, f64)>;

type DeliverFn = ThreadsafeFunction<Item, (), DeliverArgs, Status, false, false, 0>;

/// The threadsafe function of one period with sessions.
pub(crate) struct Delivery {
    tsfn: DeliverFn,
    backlog: Arc<Backlog>,
    buffers: Arc<BatchBuffers>,
}

/// The way to JS of every client that connects through it: `lib/delivery.js` makes one per
/// copy of the package loaded (one per JS environment, or per test file under jest).
#[napi]
pub struct BatchDelivery {
    deliver: FunctionRef<(), ()>,
    backlog: Arc<Backlog>,
    /// The delivery of the sessions running now. Only they hold it: when the last one lets go,
    /// the threadsafe function is released (after its queued calls).
    current: Mutex<Weak<Delivery>>,
}

#[napi]
impl BatchDelivery {
    /// Batches go to `deliver(client, batch, epoch)`; `batch` is null when the client's
    /// session has ended.
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "deliver: (client: number, batch: string | unknown[] | null, epoch: number) => void"
    )]
    pub fn new(deliver: Function<'_, (), ()>) -> Result<Self> {
        Ok(BatchDelivery {
            deliver: deliver.create_ref()?,
            backlog: Arc::new(Backlog::new(MAX_PENDING_BYTES)),
            current: Mutex::new(Weak::new()),
        })
    }
}

impl BatchDelivery {
    /// The delivery for a session starting now, made if no session runs.
    pub(crate) fn start_session(&self, env: &Env) -> Result<Arc<Delivery>> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(delivery) = current.upgrade() {
            return Ok(delivery);
        }
        let delivery = Arc::new(self.open(env)?);
        *current = Arc::downgrade(&delivery);
        Ok(delivery)
    }

    fn open(&self, env: &Env) -> Result<Delivery> {
        let taken = self.backlog.clone();
        let buffers = Arc::new(BatchBuffers::default());
        let given_back = buffers.clone();
        let tsfn = self
            .deliver
            .borrow_back(env)?
            .build_threadsafe_function::<Item>()
            .callee_handled::<false>()
            .build_callback(move |ctx| {
                let (client, epoch) = match &ctx.value {
                    Item::Batch { client, epoch, .. } | Item::Ended { client, epoch } => {
                        (*client, *epoch)
                    }
                };
                // No JS caller to throw to here (an error would be an uncaught exception):
                // a panic becomes an `error` event in place of the batch it spoiled.
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    arguments(&taken, &given_back, ctx.value)
                }))
                .unwrap_or_else(|panic| {
                    let lost = BatchText {
                        text: lost_batch(pusher_client::error::panic_message(&*panic)),
                        buffers: given_back.clone(),
                    };
                    Ok((client, Some(lost), epoch as f64).into())
                })
            })?;
        Ok(Delivery {
            tsfn,
            backlog: self.backlog.clone(),
            buffers,
        })
    }
}

/// The JS call's arguments for `item`; its text goes back to `buffers` once in JS.
fn arguments(taken: &Backlog, buffers: &Arc<BatchBuffers>, item: Item) -> Result<DeliverArgs> {
    match item {
        Item::Batch {
            client,
            payload,
            bytes,
            epoch,
            progress,
            seq,
        } => {
            taken.done(bytes);
            // JS runs this batch before anything else this thread does next.
            progress.taken(seq);
            crate::test_hooks::check("delivery");
            let text = BatchText {
                text: payload,
                buffers: buffers.clone(),
            };
            Ok((client, Some(text), epoch as f64).into())
        }
        Item::Ended { client, epoch } => Ok((client, None, epoch as f64).into()),
    }
}

/// A batch holding only the error that says a batch was lost to a panic.
fn lost_batch(why: &str) -> String {
    let err = ConnectionError::socket(
        Failure::Internal,
        format!("internal error, events were lost: {why}"),
    );
    crate::batch_json::encode(&[Event::Error(err)])
}

impl Delivery {
    /// Queues `item` for the JS thread; false when the environment is going away.
    pub(crate) fn send(&self, item: Item) -> bool {
        let status = self
            .tsfn
            .call(item, ThreadsafeFunctionCallMode::NonBlocking);
        status != Status::Closing
    }

    /// Events waiting for the JS thread.
    pub(crate) fn backlog(&self) -> &Arc<Backlog> {
        &self.backlog
    }

    /// Texts to write batches into.
    pub(crate) fn buffers(&self) -> &BatchBuffers {
        &self.buffers
    }
}
