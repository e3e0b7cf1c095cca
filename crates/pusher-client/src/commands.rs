//! The command queue from a client's handles to its connection task.
//!
//! Unbounded, as the user's calls are, and small when empty: about a hundred bytes per
//! client and no storage until a command waits, where tokio's channel keeps a block of 32
//! slots for every client.

use crate::client::Command;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::Notify;

struct Shared {
    queue: Mutex<VecDeque<Command>>,
    wake: Notify,
    /// Live [`Sender`]s: at zero the task ends.
    senders: AtomicUsize,
    /// The task has ended: commands have nowhere to go.
    closed: AtomicBool,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, VecDeque<Command>> {
        // A panic while holding the lock leaves a queue that is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, cmd: Command) -> bool {
        let mut queue = self.queue();
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        queue.push_back(cmd);
        drop(queue);
        self.wake.notify_one();
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
        queue: Mutex::new(VecDeque::new()),
        wake: Notify::new(),
        senders: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl Sender {
    /// Queues `cmd`; false once the task has ended.
    pub(crate) fn send(&self, cmd: Command) -> bool {
        self.0.push(cmd)
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
            self.0.wake.notify_one();
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
    pub(crate) async fn recv(&mut self) -> Option<Command> {
        loop {
            if let Some(cmd) = self.try_recv() {
                return Some(cmd);
            }
            if self.0.senders.load(Ordering::Acquire) == 0 {
                return None;
            }
            // notify_one stores a permit when nobody waits: a command queued since
            // try_recv wakes this at once.
            self.0.wake.notified().await;
        }
    }

    /// The next command if one waits. The queue's storage goes when it empties.
    pub(crate) fn try_recv(&mut self) -> Option<Command> {
        let mut queue = self.0.queue();
        let cmd = queue.pop_front();
        if queue.is_empty() && queue.capacity() > 0 {
            *queue = VecDeque::new();
        }
        cmd
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let left = {
            let mut queue = self.0.queue();
            self.0.closed.store(true, Ordering::Release);
            std::mem::take(&mut *queue)
        };
        // Dropped outside the lock: a command may hold a sink whose drop does work.
        drop(left);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commands_arrive_in_order_then_none_when_every_sender_is_gone() {
        let (tx, mut rx) = queue();
        let clone = tx.clone();
        assert!(tx.send(Command::Signin));
        assert!(clone.send(Command::Disconnect));
        drop(tx);
        assert!(matches!(rx.recv().await, Some(Command::Signin)));
        assert!(matches!(rx.try_recv(), Some(Command::Disconnect)));
        assert_eq!(
            rx.0.queue().capacity(),
            0,
            "an empty queue keeps no storage"
        );
        let weak = clone.downgrade();
        assert!(weak.is_alive());
        drop(clone);
        assert!(!weak.is_alive());
        assert!(!weak.send(Command::Shutdown));
        assert!(rx.recv().await.is_none());
    }

    #[tokio::test]
    async fn a_waiting_task_wakes_for_a_command() {
        let (tx, mut rx) = queue();
        let task = tokio::spawn(async move { rx.recv().await.is_some() });
        tokio::task::yield_now().await;
        tx.downgrade().send(Command::RetryNow);
        assert!(task.await.unwrap());
    }

    #[test]
    fn after_the_task_ends_commands_are_refused_and_dropped() {
        let (tx, rx) = queue();
        assert!(tx.send(Command::Signin));
        drop(rx);
        assert!(!tx.send(Command::Signin));
        assert!(tx.0.queue().is_empty());
    }
}
