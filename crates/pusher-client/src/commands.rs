//! The command queue from a client's handles to its connection task. It is generic over
//! the command type, which tells it what it needs through [`QueueItem`]; the client's
//! commands are `client::Command`.
//!
//! Small when empty: about a hundred bytes per client and no storage until a command waits,
//! where tokio's channel keeps a block of 32 slots for every client.
//!
//! Events the user sends (commands whose [`QueueItem::send_bytes`] is `Some`) are bounded
//! in bytes ([`MAX_QUEUED_SEND_BYTES`]): the socket loop takes them only while its write
//! buffer has room, so a server that stops reading makes them wait here, and past the bound
//! [`Sender::send_event`] refuses more. Every other command (connect, disconnect,
//! subscribe, …) is small and always taken at once, even ahead of events still waiting.

use futures_util::task::AtomicWaker;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

/// Bytes of sent events that may wait for the socket, per client; past it `send_event`
/// answers false.
pub const MAX_QUEUED_SEND_BYTES: usize = 1 << 20;

/// What the queue needs to know of the commands it carries.
pub(crate) trait QueueItem {
    /// For an event the user sends, the bytes it counts against [`MAX_QUEUED_SEND_BYTES`];
    /// `None` for every other command, which is always taken at once.
    fn send_bytes(&self) -> Option<usize>;

    /// The command that tells the task sends were refused (queued once per run of refusals).
    fn sends_refused() -> Self;
}

struct Queue<T> {
    commands: VecDeque<T>,
    /// How many of `commands` are not sent events.
    control: usize,
}

struct Shared<T> {
    queue: Mutex<Queue<T>>,
    wake: AtomicWaker,
    /// Live [`Sender`]s: at zero the task ends.
    senders: AtomicUsize,
    /// The task has ended: commands have nowhere to go.
    closed: AtomicBool,
    /// Bytes of sent events in the queue.
    send_bytes: AtomicUsize,
    /// Sends were refused since the queue last drained below half the bound.
    refusing: AtomicBool,
}

impl<T> Shared<T> {
    fn queue(&self) -> MutexGuard<'_, Queue<T>> {
        // A panic while holding the lock leaves a queue that is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: QueueItem> Shared<T> {
    fn push(&self, cmd: T) -> bool {
        let mut queue = self.queue();
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        if cmd.send_bytes().is_none() {
            queue.control += 1;
        }
        queue.commands.push_back(cmd);
        drop(queue);
        self.wake.wake();
        true
    }
}

/// A handle that keeps the task alive.
pub(crate) struct Sender<T>(Arc<Shared<T>>);

/// A handle that does not keep the task alive.
pub(crate) struct WeakSender<T>(Weak<Shared<T>>);

/// The task's end of the queue.
pub(crate) struct Receiver<T>(Arc<Shared<T>>);

/// A new queue.
pub(crate) fn queue<T: QueueItem>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue {
            commands: VecDeque::new(),
            control: 0,
        }),
        wake: AtomicWaker::new(),
        senders: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
        send_bytes: AtomicUsize::new(0),
        refusing: AtomicBool::new(false),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T: QueueItem> Sender<T> {
    /// Queues `cmd`; false once the task has ended.
    pub(crate) fn send(&self, cmd: T) -> bool {
        self.0.push(cmd)
    }

    /// Queues a sent event of `bytes` bytes (its [`QueueItem::send_bytes`]), unless the events
    /// waiting would pass [`MAX_QUEUED_SEND_BYTES`]. The first refusal of a run also queues
    /// [`QueueItem::sends_refused`], so the task reports it.
    pub(crate) fn send_event(&self, cmd: T, bytes: usize) -> bool {
        let shared = &self.0;
        let reserved = shared
            .send_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued + bytes <= MAX_QUEUED_SEND_BYTES).then_some(queued + bytes)
            })
            .is_ok();
        if !reserved {
            if !shared.refusing.swap(true, Ordering::AcqRel) {
                shared.push(T::sends_refused());
            }
            return false;
        }
        if shared.push(cmd) {
            return true;
        }
        shared.send_bytes.fetch_sub(bytes, Ordering::AcqRel);
        false
    }

    pub(crate) fn downgrade(&self) -> WeakSender<T> {
        WeakSender(Arc::downgrade(&self.0))
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.wake.wake();
        }
    }
}

// Not derived: a derive would ask `T: Clone`.
impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender(self.0.clone())
    }
}

impl<T: QueueItem> WeakSender<T> {
    fn live(&self) -> Option<Arc<Shared<T>>> {
        self.0
            .upgrade()
            .filter(|s| s.senders.load(Ordering::Acquire) > 0)
    }

    /// Queues `cmd` if some [`Sender`] still lives and the task runs.
    pub(crate) fn send(&self, cmd: T) -> bool {
        self.live().is_some_and(|s| s.push(cmd))
    }

    /// Whether some [`Sender`] still lives.
    pub(crate) fn is_alive(&self) -> bool {
        self.live().is_some()
    }
}

impl<T: QueueItem> Receiver<T> {
    /// The next command; `None` once every [`Sender`] is gone and the queue is empty.
    #[cfg(test)]
    pub(crate) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx, true)).await
    }

    /// The next command, or with `sends` false the next that is not a sent event (events
    /// wait, in order). `None` once every [`Sender`] is gone.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>, sends: bool) -> Poll<Option<T>> {
        if let Some(cmd) = self.try_recv(sends) {
            return Poll::Ready(Some(cmd));
        }
        self.0.wake.register(cx.waker());
        // Checked again: a command queued before the registration would wake nobody.
        if let Some(cmd) = self.try_recv(sends) {
            return Poll::Ready(Some(cmd));
        }
        if self.0.senders.load(Ordering::Acquire) == 0 {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    /// The next command if one waits (with `sends` false, the next that is not an event).
    /// The queue's storage goes when it empties.
    pub(crate) fn try_recv(&mut self, sends: bool) -> Option<T> {
        let mut queue = self.0.queue();
        let cmd = if sends {
            queue.commands.pop_front()
        } else if queue.control > 0 {
            let at = queue
                .commands
                .iter()
                .position(|c| c.send_bytes().is_none())?;
            queue.commands.remove(at)
        } else {
            None
        }?;
        if queue.commands.is_empty() && queue.commands.capacity() > 0 {
            queue.commands = VecDeque::new();
        }
        match cmd.send_bytes() {
            Some(bytes) => {
                drop(queue);
                let left = self.0.send_bytes.fetch_sub(bytes, Ordering::AcqRel) - bytes;
                if left <= MAX_QUEUED_SEND_BYTES / 2 {
                    self.0.refusing.store(false, Ordering::Release);
                }
            }
            None => queue.control -= 1,
        }
        Some(cmd)
    }

    /// Bytes of sent events waiting in the queue.
    #[cfg(test)]
    pub(crate) fn queued_send_bytes(&self) -> usize {
        self.0.send_bytes.load(Ordering::Acquire)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let left = {
            let mut queue = self.0.queue();
            self.0.closed.store(true, Ordering::Release);
            queue.control = 0;
            std::mem::take(&mut queue.commands)
        };
        // Dropped outside the lock: a command may hold a sink whose drop does work.
        drop(left);
    }
}

#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;
