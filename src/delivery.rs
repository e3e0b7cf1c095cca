//! Where batches cross to JS: one threadsafe function per JS environment, shared by all its
//! clients. Node spends about a kilobyte on each threadsafe function (its queue, async
//! handle, locks), which thousands of clients would each pay.
//!
//! The function is unreferenced while no client has a session, so it never keeps Node up by
//! itself. A session (one `connect`) holds a reference from its start until its end is
//! delivered on the JS thread, so a connected client keeps the process alive and a
//! disconnected one lets it exit.

use crate::batch::{to_js, JsBatch, Payload};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use pusher_client::Backlog;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

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
    ThreadsafeFunction<Item, (), FnArgs<(u32, Option<JsBatch>, f64)>, Status, false, true, 0>;

/// An environment's way to JS.
pub(crate) struct Delivery {
    tsfn: DeliverFn,
    backlog: Arc<Backlog>,
}

// Each JS environment runs on its own thread, so thread-locals are per environment.
thread_local! {
    static DELIVERY: RefCell<Option<Arc<Delivery>>> = const { RefCell::new(None) };
    static SESSIONS: Cell<usize> = const { Cell::new(0) };
}

/// Sets the function every client's batches go to, as `deliver(client, batch, epoch)`;
/// `batch` is null when the client's session has ended. Called once per environment by
/// `lib/pusher.js`.
#[napi(
    ts_args_type = "deliver: (client: number, batch: string | unknown[] | null, epoch: number) => void"
)]
pub fn set_delivery(deliver: Function<'_, (), ()>) -> Result<()> {
    let backlog = Arc::new(Backlog::new(MAX_PENDING_EVENTS));
    let taken = backlog.clone();
    let tsfn = deliver
        .build_threadsafe_function::<Item>()
        .callee_handled::<false>()
        .weak::<true>()
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
                session_ended(&ctx.env);
                Ok((client, None, epoch as f64).into())
            }
        })?;
    let delivery = Arc::new(Delivery { tsfn, backlog });
    DELIVERY.with(|d| *d.borrow_mut() = Some(delivery));
    Ok(())
}

/// The environment's delivery for a session starting now, which it keeps referenced.
pub(crate) fn start_session(env: &Env) -> Result<Arc<Delivery>> {
    let delivery = DELIVERY
        .with(|d| d.borrow().clone())
        .ok_or_else(|| Error::from_reason("setDelivery() was not called"))?;
    if SESSIONS.get() == 0 {
        check(unsafe { sys::napi_ref_threadsafe_function(env.raw(), delivery.tsfn.raw()) })?;
    }
    SESSIONS.set(SESSIONS.get() + 1);
    Ok(delivery)
}

/// A session's end reached the JS thread: with none left, Node may exit.
fn session_ended(env: &Env) {
    let left = SESSIONS.get().saturating_sub(1);
    SESSIONS.set(left);
    if left == 0 {
        if let Some(delivery) = DELIVERY.with(|d| d.borrow().clone()) {
            unsafe { sys::napi_unref_threadsafe_function(env.raw(), delivery.tsfn.raw()) };
        }
    }
}

fn check(status: sys::napi_status) -> Result<()> {
    match status {
        sys::Status::napi_ok => Ok(()),
        s => Err(Error::new(
            Status::from(s),
            "referencing the delivery function",
        )),
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
