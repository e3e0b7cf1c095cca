//! Where batches cross to JS: one threadsafe function for every client with a session, per
//! copy of the package loaded (in practice, per JS environment). Node spends about a
//! kilobyte on each threadsafe function (its queue, async handle, locks), which thousands of
//! clients would each pay.
//!
//! The function exists while some client has a session (from its `connect` until its end is
//! delivered on the JS thread) and is released when the last one ends: a connected client
//! keeps Node alive, and once none is, nothing of ours is left open (jest's open-handle
//! check included).

use crate::batch::{to_js, JsBatch, Payload};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use pusher_client::Backlog;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Events waiting for the JS thread, all clients together, beyond which engines stop
/// reading their sockets.
const MAX_PENDING_EVENTS: usize = 65_536;

/// What goes to the JS thread.
pub(crate) enum Item {
    /// A client's batch of `events` events.
    Batch {
        client: u32,
        payload: Payload,
        events: usize,
        epoch: u64,
    },
    /// A client's session ended; `epoch` is that of its last batch.
    Ended { client: u32, epoch: u64 },
}

type DeliverFn =
    ThreadsafeFunction<Item, (), FnArgs<(u32, Option<JsBatch>, f64)>, Status, false, false, 0>;

/// The threadsafe function of one period with sessions.
pub(crate) struct Delivery {
    tsfn: DeliverFn,
    backlog: Arc<Backlog>,
}

/// What the JS-thread callback shares with its [`BatchDelivery`].
struct Sessions {
    /// The delivery of the current period, if a session runs.
    current: Mutex<Option<Arc<Delivery>>>,
    /// Sessions started and whose end has not reached the JS thread.
    count: AtomicUsize,
}

impl Sessions {
    /// A session's end reached the JS thread; the last one lets the function go.
    fn ended(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            let last = self
                .current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            drop(last);
        }
    }
}

/// The way to JS of every client that connects through it: `lib/delivery.js` makes one per
/// copy of the package loaded (one per JS environment, or per test file under jest).
#[napi]
pub struct BatchDelivery {
    deliver: FunctionRef<(), ()>,
    backlog: Arc<Backlog>,
    sessions: Arc<Sessions>,
}

#[napi]
impl BatchDelivery {
    /// Batches go to `deliver(client, batch, epoch)`; `batch` is null when the client's
    /// session has ended.
    #[napi(
        constructor,
        ts_args_type = "deliver: (client: number, batch: string | unknown[] | null, epoch: number) => void"
    )]
    pub fn new(deliver: Function<'_, (), ()>) -> Result<Self> {
        Ok(BatchDelivery {
            deliver: deliver.create_ref()?,
            backlog: Arc::new(Backlog::new(MAX_PENDING_EVENTS)),
            sessions: Arc::new(Sessions {
                current: Mutex::new(None),
                count: AtomicUsize::new(0),
            }),
        })
    }
}

impl BatchDelivery {
    /// The delivery for a session starting now; it stays open until the session's end.
    pub(crate) fn start_session(&self, env: &Env) -> Result<Arc<Delivery>> {
        let mut current = self
            .sessions
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let delivery = match current.as_ref() {
            Some(d) => d.clone(),
            None => current.insert(Arc::new(self.open(env)?)).clone(),
        };
        self.sessions.count.fetch_add(1, Ordering::AcqRel);
        Ok(delivery)
    }

    fn open(&self, env: &Env) -> Result<Delivery> {
        let taken = self.backlog.clone();
        let sessions = self.sessions.clone();
        let tsfn = self
            .deliver
            .borrow_back(env)?
            .build_threadsafe_function::<Item>()
            .callee_handled::<false>()
            .build_callback(move |ctx| match ctx.value {
                Item::Batch {
                    client,
                    payload,
                    events,
                    epoch,
                } => {
                    taken.done(events);
                    Ok((client, Some(to_js(&ctx.env, payload)?), epoch as f64).into())
                }
                Item::Ended { client, epoch } => {
                    sessions.ended();
                    Ok((client, None, epoch as f64).into())
                }
            })?;
        Ok(Delivery {
            tsfn,
            backlog: self.backlog.clone(),
        })
    }
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
}
