//! Back-pressure from a slow consumer: while too much of what was delivered waits to be
//! handled, the socket loop stops reading, so TCP pushes back on the server instead of
//! memory growing.
//! The consumer chooses the unit it counts (events, bytes).

use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// What was delivered to a consumer and not yet taken by it, with a limit.
#[derive(Debug)]
pub struct Backlog {
    pending: AtomicUsize,
    limit: usize,
    room: Notify,
}

impl Backlog {
    /// A backlog that counts as full at `limit` pending units.
    pub fn new(limit: usize) -> Self {
        Backlog {
            pending: AtomicUsize::new(0),
            limit: limit.max(1),
            room: Notify::new(),
        }
    }

    /// `n` more units were handed over.
    pub fn add(&self, n: usize) {
        self.pending.fetch_add(n, Ordering::AcqRel);
    }

    /// The consumer took `n` units.
    pub fn done(&self, n: usize) {
        let before = self.pending.fetch_sub(n, Ordering::AcqRel);
        if before >= self.limit && before - n < self.limit {
            self.room.notify_waiters();
        }
    }

    /// Units handed over and not yet taken.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Whether the loop should stop reading.
    pub fn is_full(&self) -> bool {
        self.pending() >= self.limit
    }

    /// Resolves once the backlog is below its limit.
    pub async fn room(&self) {
        loop {
            let notified = self.room.notified();
            if !self.is_full() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn full_at_the_limit() {
        let b = Backlog::new(10);
        b.add(9);
        assert!(!b.is_full());
        b.add(1);
        assert!(b.is_full());
        b.done(1);
        assert!(!b.is_full());
    }

    #[tokio::test]
    async fn room_wakes_when_the_consumer_catches_up() {
        let b = Arc::new(Backlog::new(4));
        b.add(8);
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.room().await }
        });
        b.done(2);
        assert!(b.is_full());
        b.done(3);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .unwrap();
    }
}
