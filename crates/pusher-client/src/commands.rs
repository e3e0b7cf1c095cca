//! The command queue from a client's handles to its connection task.
//!
//! Small when empty: about a hundred bytes per client and no storage until a command waits,
//! where tokio's channel keeps a block of 32 slots for every client.
//!
//! Events the user sends are bounded in bytes ([`MAX_QUEUED_SEND_BYTES`]): the socket loop
//! takes them only while its write buffer has room, so a server that stops reading makes
//! them wait here, and past the bound [`Sender::send_event`] refuses more. Every other
//! command (connect, disconnect, subscribe, …) is small and always taken at once, even
//! ahead of events still waiting.

use crate::client::Command;
use futures_util::task::AtomicWaker;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

/// Bytes of sent events that may wait for the socket, per client; past it `send_event`
/// answers false.
pub const MAX_QUEUED_SEND_BYTES: usize = 1 << 20;

struct Queue {
    commands: VecDeque<Command>,
    /// How many of `commands` are not [`Command::SendEvent`].
    control: usize,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: AtomicWaker,
    /// Live [`Sender`]s: at zero the task ends.
    senders: AtomicUsize,
    /// The task has ended: commands have nowhere to go.
    closed: AtomicBool,
    /// Bytes of [`Command::SendEvent`]s in the queue.
    send_bytes: AtomicUsize,
    /// Sends were refused since the queue last drained below half the bound.
    refusing: AtomicBool,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the lock leaves a queue that is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, cmd: Command) -> bool {
        let mut queue = self.queue();
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        if !matches!(cmd, Command::SendEvent(..)) {
            queue.control += 1;
        }
        queue.commands.push_back(cmd);
        drop(queue);
        self.wake.wake();
        true
    }
}

/// A handle that keeps the task alive.
pub(crate) struct Sender(Arc<Shared>);

/// A handle that does not keep the task alive.
#[derive(Clone)]
pub(crate) struct WeakSender(Weak<Shared>);

/// The task's end of the queue.
pub(crate) struct Receiver(Arc<Shared>);

/// A new queue.
pub(crate) fn queue() -> (Sender, Receiver) {
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

impl Sender {
    /// Queues `cmd`; false once the task has ended.
    pub(crate) fn send(&self, cmd: Command) -> bool {
        self.0.push(cmd)
    }

    /// Queues a [`Command::SendEvent`] of `bytes` bytes, unless the events waiting would pass
    /// [`MAX_QUEUED_SEND_BYTES`]. The first refusal of a run also queues
    /// [`Command::SendRefused`], so the task reports it.
    pub(crate) fn send_event(&self, cmd: Command, bytes: usize) -> bool {
        let shared = &self.0;
        let reserved = shared
            .send_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued + bytes <= MAX_QUEUED_SEND_BYTES).then_some(queued + bytes)
            })
            .is_ok();
        if !reserved {
            if !shared.refusing.swap(true, Ordering::AcqRel) {
                shared.push(Command::SendRefused);
            }
            return false;
        }
        if shared.push(cmd) {
            return true;
        }
        shared.send_bytes.fetch_sub(bytes, Ordering::AcqRel);
        false
    }

    pub(crate) fn downgrade(&self) -> WeakSender {
        WeakSender(Arc::downgrade(&self.0))
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Sender(self.0.clone())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.wake.wake();
        }
    }
}

impl WeakSender {
    fn live(&self) -> Option<Arc<Shared>> {
        self.0
            .upgrade()
            .filter(|s| s.senders.load(Ordering::Acquire) > 0)
    }

    /// Queues `cmd` if some [`Sender`] still lives and the task runs.
    pub(crate) fn send(&self, cmd: Command) -> bool {
        self.live().is_some_and(|s| s.push(cmd))
    }

    /// Whether some [`Sender`] still lives.
    pub(crate) fn is_alive(&self) -> bool {
        self.live().is_some()
    }
}

impl Receiver {
    /// The next command; `None` once every [`Sender`] is gone and the queue is empty.
    #[cfg(test)]
    pub(crate) async fn recv(&mut self) -> Option<Command> {
        std::future::poll_fn(|cx| self.poll_recv(cx, true)).await
    }

    /// The next command, or with `sends` false the next that is not a
    /// [`Command::SendEvent`] (events wait, in order). `None` once every [`Sender`] is gone.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>, sends: bool) -> Poll<Option<Command>> {
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
    pub(crate) fn try_recv(&mut self, sends: bool) -> Option<Command> {
        let mut queue = self.0.queue();
        let cmd = if sends {
            queue.commands.pop_front()
        } else if queue.control > 0 {
            let at = queue
                .commands
                .iter()
                .position(|c| !matches!(c, Command::SendEvent(..)))?;
            queue.commands.remove(at)
        } else {
            None
        }?;
        if queue.commands.is_empty() && queue.commands.capacity() > 0 {
            queue.commands = VecDeque::new();
        }
        match &cmd {
            Command::SendEvent(e) => {
                drop(queue);
                let left = self.0.send_bytes.fetch_sub(e.bytes, Ordering::AcqRel) - e.bytes;
                if left <= MAX_QUEUED_SEND_BYTES / 2 {
                    self.0.refusing.store(false, Ordering::Release);
                }
            }
            _ => queue.control -= 1,
        }
        Some(cmd)
    }

    /// Bytes of sent events waiting in the queue.
    #[cfg(test)]
    pub(crate) fn queued_send_bytes(&self) -> usize {
        self.0.send_bytes.load(Ordering::Acquire)
    }
}

impl Drop for Receiver {
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
