//! The command queue: order, wake-ups, the end of the task, and the bound on sent events.

use super::*;
use crate::client::{Command, OutgoingEvent};

fn event(bytes: usize) -> Command {
    Command::SendEvent(Box::new(OutgoingEvent {
        event: "client-x".into(),
        data: None,
        channel: None,
        bytes,
    }))
}

#[tokio::test]
async fn commands_arrive_in_order_then_none_when_every_sender_is_gone() {
    let (tx, mut rx) = queue();
    let clone = tx.clone();
    assert!(tx.send(Command::Signin));
    assert!(clone.send(Command::Disconnect));
    drop(tx);
    assert!(matches!(rx.recv().await, Some(Command::Signin)));
    assert!(matches!(rx.try_recv(true), Some(Command::Disconnect)));
    assert_eq!(
        rx.0.queue().commands.capacity(),
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
    assert!(!tx.send_event(event(10), 10));
    assert!(tx.0.queue().commands.is_empty());
    assert_eq!(tx.0.send_bytes.load(Ordering::Acquire), 0);
}

#[test]
fn control_commands_overtake_waiting_events() {
    let (tx, mut rx) = queue();
    assert!(tx.send_event(event(10), 10));
    assert!(tx.send(Command::Disconnect));
    assert!(tx.send_event(event(20), 20));
    assert!(matches!(rx.try_recv(false), Some(Command::Disconnect)));
    assert!(rx.try_recv(false).is_none(), "events wait");
    assert_eq!(rx.queued_send_bytes(), 30);
    assert!(matches!(rx.try_recv(true), Some(Command::SendEvent(e)) if e.bytes == 10));
    assert!(matches!(rx.try_recv(true), Some(Command::SendEvent(e)) if e.bytes == 20));
    assert_eq!(rx.queued_send_bytes(), 0);
}

#[test]
fn sends_past_the_bound_are_refused_and_reported_once_per_run() {
    let (tx, mut rx) = queue();
    let size = 1000;
    let mut accepted = 0;
    while tx.send_event(event(size), size) {
        accepted += 1;
    }
    assert_eq!(accepted, MAX_QUEUED_SEND_BYTES / size);
    assert!(rx.queued_send_bytes() <= MAX_QUEUED_SEND_BYTES);
    for _ in 0..10 {
        assert!(!tx.send_event(event(size), size));
    }
    // One report for the run of refusals.
    assert!(matches!(rx.try_recv(false), Some(Command::SendRefused)));
    assert!(rx.try_recv(false).is_none());
    // Draining below half the bound ends the run: the next refusal is reported again.
    while rx.queued_send_bytes() > MAX_QUEUED_SEND_BYTES / 2 {
        assert!(matches!(rx.try_recv(true), Some(Command::SendEvent(_))));
    }
    while tx.send_event(event(size), size) {}
    assert!(matches!(rx.try_recv(false), Some(Command::SendRefused)));
}
