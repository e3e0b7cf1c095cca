//! The channel table: which channels the user wants, and where each subscription stands.

use crate::crypto::ChannelKey;
use crate::pusher_frame::Frame;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Wanted, but not subscribed on the current connection (or there is none).
    Idle,
    /// `pusher:subscribe` sent; waiting for the server.
    Pending,
    /// The server confirmed the subscription.
    Subscribed,
}

#[derive(Debug)]
pub(crate) struct Entry {
    order: u64,
    pub(crate) status: Status,
    /// Unsubscribed by the user while pending: dropped once the server answers.
    pub(crate) cancelled: bool,
    /// What an authorized channel keeps (none for a public one). Boxed: every channel of every
    /// client pays for what is inline, and a hash table keeps spare room for a few entries.
    pub(crate) auth: Option<Box<AuthState>>,
}

/// What a private, presence or encrypted channel keeps of its authorization.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    /// Encrypted channels: the key from the last authorization.
    pub(crate) key: Option<Box<ChannelKey>>,
    /// Encrypted channels: events waiting for a new key (authorizing again after a failure).
    pub(crate) rekeying: Option<Vec<Frame>>,
    /// Presence channels: our own user id, from `channel_data`.
    pub(crate) my_id: Option<String>,
    /// While the subscription is being authorized: client events triggered meanwhile, sent
    /// right after the `pusher:subscribe` frame (at most [`MAX_HELD`]).
    pub(crate) held: Option<Vec<String>>,
}

impl Entry {
    /// The authorization state, made on first use.
    pub(crate) fn auth_mut(&mut self) -> &mut AuthState {
        self.auth.get_or_insert_with(Default::default)
    }
}

/// Client events held for one channel while its authorization is on its way; later ones go
/// out at once, as they would without holding.
pub(crate) const MAX_HELD: usize = 64;

/// What the caller must do after a table operation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing to send.
    Nothing,
    /// Send `pusher:subscribe`.
    Subscribe,
    /// Send `pusher:unsubscribe`.
    Unsubscribe,
    /// Tell the user the subscription succeeded.
    Succeeded,
    /// The channel was cancelled: send `pusher:unsubscribe` and report it removed.
    CancelledRemove,
}

/// Channels in the order they were first subscribed.
#[derive(Debug, Default)]
pub(crate) struct ChannelTable {
    map: HashMap<String, Entry>,
    next_order: u64,
}

impl ChannelTable {
    /// The user subscribes; `connected` says whether a frame can go out now.
    pub(crate) fn subscribe(&mut self, name: &str, connected: bool) -> Outcome {
        let entry = match self.map.get_mut(name) {
            Some(e) => e,
            None => {
                self.next_order += 1;
                self.map.entry(name.to_owned()).or_insert(Entry {
                    order: self.next_order,
                    status: Status::Idle,
                    cancelled: false,
                    auth: None,
                })
            }
        };
        if entry.status == Status::Pending && entry.cancelled {
            entry.cancelled = false;
            return Outcome::Nothing;
        }
        if entry.status == Status::Idle && connected {
            entry.status = Status::Pending;
            return Outcome::Subscribe;
        }
        Outcome::Nothing
    }

    /// The user unsubscribes.
    pub(crate) fn unsubscribe(&mut self, name: &str) -> Outcome {
        match self.map.get_mut(name) {
            Some(e) if e.status == Status::Pending => {
                e.cancelled = true;
                Outcome::Nothing
            }
            Some(e) => {
                let was_subscribed = e.status == Status::Subscribed;
                self.map.remove(name);
                if was_subscribed {
                    Outcome::Unsubscribe
                } else {
                    Outcome::Nothing
                }
            }
            None => Outcome::Nothing,
        }
    }

    /// The server confirmed a subscription.
    pub(crate) fn succeeded(&mut self, name: &str) -> Outcome {
        match self.map.get_mut(name) {
            Some(e) if e.cancelled => {
                self.map.remove(name);
                Outcome::CancelledRemove
            }
            Some(e) => {
                e.status = Status::Subscribed;
                Outcome::Succeeded
            }
            None => Outcome::Nothing,
        }
    }

    /// The subscription failed (auth or server error); it is retried on the next connection.
    pub(crate) fn failed(&mut self, name: &str) -> Option<bool> {
        let e = self.map.get_mut(name)?;
        e.status = Status::Idle;
        let cancelled = e.cancelled;
        if cancelled {
            self.map.remove(name);
        }
        Some(cancelled)
    }

    /// The connection is gone: nothing is subscribed any more. Returns cancelled channels,
    /// now dropped.
    pub(crate) fn reset(&mut self) -> Vec<String> {
        let mut dropped = Vec::new();
        self.map.retain(|name, e| {
            e.status = Status::Idle;
            e.auth = None;
            if e.cancelled {
                dropped.push(name.clone());
            }
            !e.cancelled
        });
        dropped
    }

    /// A new connection: every channel becomes pending, in first-subscribed order.
    pub(crate) fn resubscribe_all(&mut self) -> Vec<String> {
        let mut names: Vec<(&String, &mut Entry)> = self.map.iter_mut().collect();
        names.sort_by_key(|(_, e)| e.order);
        names
            .into_iter()
            .filter(|(_, e)| e.status == Status::Idle)
            .map(|(n, e)| {
                e.status = Status::Pending;
                n.clone()
            })
            .collect()
    }

    /// The entry of a channel the user wants.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Entry> {
        self.map.get_mut(name)
    }

    /// Whether the user wants this channel (subscribed or not).
    #[cfg(test)]
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_offline_then_resubscribe_in_order() {
        let mut t = ChannelTable::default();
        assert_eq!(t.subscribe("b", false), Outcome::Nothing);
        assert_eq!(t.subscribe("a", false), Outcome::Nothing);
        assert_eq!(t.resubscribe_all(), vec!["b".to_string(), "a".to_string()]);
        assert_eq!(t.resubscribe_all(), Vec::<String>::new(), "already pending");
    }

    #[test]
    fn subscribe_twice_sends_once() {
        let mut t = ChannelTable::default();
        assert_eq!(t.subscribe("a", true), Outcome::Subscribe);
        assert_eq!(t.subscribe("a", true), Outcome::Nothing);
        assert_eq!(t.succeeded("a"), Outcome::Succeeded);
        assert_eq!(t.subscribe("a", true), Outcome::Nothing);
    }

    #[test]
    fn unsubscribe_while_pending_cancels_until_answer() {
        let mut t = ChannelTable::default();
        t.subscribe("a", true);
        assert_eq!(t.unsubscribe("a"), Outcome::Nothing);
        assert!(t.contains("a"));
        assert_eq!(t.succeeded("a"), Outcome::CancelledRemove);
        assert!(!t.contains("a"));
    }

    #[test]
    fn reinstate_a_cancelled_subscription() {
        let mut t = ChannelTable::default();
        t.subscribe("a", true);
        t.unsubscribe("a");
        assert_eq!(t.subscribe("a", true), Outcome::Nothing);
        assert_eq!(t.succeeded("a"), Outcome::Succeeded);
    }

    #[test]
    fn unsubscribe_subscribed_sends_and_removes() {
        let mut t = ChannelTable::default();
        t.subscribe("a", true);
        t.succeeded("a");
        assert_eq!(t.unsubscribe("a"), Outcome::Unsubscribe);
        assert!(!t.contains("a"));
        assert_eq!(t.unsubscribe("a"), Outcome::Nothing);
    }

    #[test]
    fn reset_drops_cancelled_and_keeps_the_rest() {
        let mut t = ChannelTable::default();
        t.subscribe("a", true);
        t.subscribe("b", true);
        t.unsubscribe("b");
        assert_eq!(t.reset(), vec!["b".to_string()]);
        assert!(t.contains("a"));
        assert_eq!(t.resubscribe_all(), vec!["a".to_string()]);
    }

    #[test]
    fn unsubscribed_while_offline_is_not_resubscribed() {
        let mut t = ChannelTable::default();
        t.subscribe("a", true);
        t.succeeded("a");
        t.reset();
        assert_eq!(t.unsubscribe("a"), Outcome::Nothing);
        assert!(t.resubscribe_all().is_empty());
    }
}
