//! The session state on its own: what each receive request gets, and when a session is over.

use std::time::Duration;

use tokio::time::Instant;

use super::*;

const HEARTBEAT: Duration = Duration::from_secs(25);
const DELAY: Duration = Duration::from_secs(5);

fn limits() -> Limits {
    Limits::new(HEARTBEAT, DELAY)
}

fn hello() -> Vec<String> {
    vec![r#"{"event":"pusher:connection_established","data":"{}"}"#.to_owned()]
}

fn text(n: usize) -> Outgoing {
    Outgoing::Text(format!("f{n}").into())
}

fn line(output: Option<Output>) -> String {
    match output {
        Some(Output::Line(bytes)) => String::from_utf8(bytes).unwrap(),
        other => panic!("expected a line, got {other:?}"),
    }
}

/// The frames of an `a[...]` line.
fn frames_of(line: &str) -> Vec<String> {
    assert!(line.starts_with("a[") && line.ends_with("]\n"), "{line:?}");
    serde_json::from_str(line[1..].trim_end()).unwrap()
}

/// Everything `next` gives at `now`, as text (`End` as "END").
fn drain(session: &mut Session, now: Instant, paused: bool) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(output) = session.next(now, paused) {
        out.push(match output {
            Output::Line(bytes) => String::from_utf8(bytes).unwrap(),
            Output::End => "END".to_owned(),
        });
    }
    out
}

#[test]
fn a_stream_opens_once_then_carries_frames_and_heartbeats() {
    let t0 = Instant::now();
    let mut session = Session::new(limits(), t0, hello(), None);
    assert!(!session.has_output(t0, false), "nothing without a request");
    session.attach(Receive::Streaming, t0);
    assert_eq!(line(session.next(t0, false)), "o\n");
    assert_eq!(frames_of(&line(session.next(t0, false))), hello());
    assert_eq!(session.next(t0, false), None);
    session.push(text(1));
    session.push(text(2));
    assert_eq!(drain(&mut session, t0, false), ["a[\"f1\",\"f2\"]\n"]);

    let t1 = t0 + Duration::from_secs(1);
    assert_eq!(session.deadline(false), Some(t0 + HEARTBEAT));
    assert_eq!(session.next(t1, false), None);
    let t2 = t0 + HEARTBEAT;
    assert_eq!(drain(&mut session, t2, false), ["h\n"]);
    assert_eq!(session.deadline(false), Some(t2 + HEARTBEAT));
    assert_eq!(session.status(t2 + DELAY * 10), Status::Open, "attached");
}

#[test]
fn polls_get_one_line_each_and_a_heartbeat_when_idle() {
    let t0 = Instant::now();
    let mut session = Session::new(limits(), t0, hello(), None);
    session.attach(Receive::Polling, t0);
    assert_eq!(drain(&mut session, t0, false), ["o\n", "END"]);
    assert!(!session.is_attached());

    session.attach(Receive::Polling, t0);
    session.push(text(1));
    let answer = drain(&mut session, t0, false);
    assert_eq!(answer.len(), 2);
    assert_eq!(frames_of(&answer[0]), [hello()[0].clone(), "f1".to_owned()]);
    assert_eq!(answer[1], "END");

    session.attach(Receive::Polling, t0);
    assert_eq!(
        session.next(t0, false),
        None,
        "held while nothing is queued"
    );
    session.push(text(2));
    assert_eq!(drain(&mut session, t0, false), ["a[\"f2\"]\n", "END"]);

    session.attach(Receive::Polling, t0);
    assert_eq!(session.deadline(false), Some(t0 + HEARTBEAT));
    assert_eq!(drain(&mut session, t0 + HEARTBEAT, false), ["h\n", "END"]);
}

#[test]
fn a_session_without_a_receive_request_expires_after_the_delay() {
    let t0 = Instant::now();
    let mut session = Session::new(limits(), t0, hello(), None);
    assert_eq!(session.deadline(false), Some(t0 + DELAY));
    assert_eq!(
        session.status(t0 + DELAY),
        Status::Expired,
        "never attached"
    );

    session.attach(Receive::Streaming, t0);
    drain(&mut session, t0, false);
    let t1 = t0 + Duration::from_secs(60);
    session.detach(t1);
    assert_eq!(session.deadline(false), Some(t1 + DELAY));
    assert_eq!(session.status(t1 + DELAY / 2), Status::Open);
    session.attach(Receive::Streaming, t1 + DELAY / 2);
    assert_eq!(session.status(t1 + DELAY * 2), Status::Open, "back in time");
    session.detach(t1 + DELAY * 2);
    assert_eq!(session.status(t1 + DELAY * 3), Status::Expired);
}

#[test]
fn a_stream_past_the_limit_waits_for_the_next_stream_and_nothing_is_lost() {
    let t0 = Instant::now();
    let limits = Limits {
        stream: 40,
        line: 16,
        ..limits()
    };
    let mut session = Session::new(limits, t0, Vec::new(), None);
    session.attach(Receive::Streaming, t0);
    for n in 0..30 {
        session.push(text(n));
    }
    let mut seen = Vec::new();
    let mut streams = 0;
    while seen.len() < 30 {
        streams += 1;
        assert!(streams < 20, "no progress");
        let lines = drain(&mut session, t0, false);
        let written: usize = lines.iter().map(String::len).sum();
        assert!(
            written <= 40 + 16 + 8,
            "a stream stops soon after its limit: {lines:?}"
        );
        for l in lines.iter().filter(|l| l.as_str() != "o\n") {
            let frames = frames_of(l);
            assert!(!frames.is_empty());
            seen.extend(frames);
        }
        if written > 40 {
            assert_eq!(session.deadline(false), None, "no heartbeat past the limit");
        }
        // pusher-js reopens: the new stream replaces the old; no `o` again.
        session.attach(Receive::Streaming, t0);
    }
    assert!(streams > 3, "{streams}");
    let expected: Vec<String> = (0..30).map(|n| format!("f{n}")).collect();
    assert_eq!(seen, expected);
}

#[test]
fn a_close_goes_out_after_what_was_queued_and_ends_the_session() {
    let t0 = Instant::now();
    let mut session = Session::new(limits(), t0, Vec::new(), None);
    session.attach(Receive::Streaming, t0);
    drain(&mut session, t0, false);
    session.push(text(1));
    session.push(Outgoing::Close(4009, "Bye \"now\"".to_owned()));
    session.push(text(2));
    assert_eq!(
        drain(&mut session, t0, false),
        ["a[\"f1\"]\n", "c[4009,\"Bye \\\"now\\\"\"]\n", "END"]
    );
    assert!(session.is_closed());
    assert_eq!(session.status(t0), Status::Closed);

    // A close waits for the next poll when none is held.
    let mut session = Session::new(limits(), t0, Vec::new(), None);
    session.attach(Receive::Polling, t0);
    drain(&mut session, t0, false);
    session.push(Outgoing::Close(4200, "later".to_owned()));
    assert_eq!(session.status(t0), Status::Open);
    session.attach(Receive::Polling, t0);
    assert_eq!(
        drain(&mut session, t0, false),
        ["c[4200,\"later\"]\n", "END"]
    );
    assert_eq!(session.status(t0), Status::Closed);
}

#[test]
fn a_handshake_close_follows_the_open() {
    let t0 = Instant::now();
    let close = Some((4001, "App key x not in this cluster".to_owned()));
    let mut session = Session::new(limits(), t0, Vec::new(), close);
    session.attach(Receive::Streaming, t0);
    assert_eq!(
        drain(&mut session, t0, true),
        ["o\n", "c[4001,\"App key x not in this cluster\"]\n", "END"],
        "the handshake goes out even while paused"
    );
}

#[test]
fn while_paused_only_the_open_and_the_handshake_go_out() {
    let t0 = Instant::now();
    let mut session = Session::new(limits(), t0, hello(), None);
    session.push(text(1));
    session.attach(Receive::Streaming, t0);
    let out = drain(&mut session, t0 + HEARTBEAT * 2, true);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0], "o\n");
    assert_eq!(frames_of(&out[1]), hello());
    assert_eq!(session.deadline(true), None, "no heartbeat while paused");
    assert_eq!(drain(&mut session, t0, false), ["a[\"f1\"]\n"]);
}

#[test]
fn pings_raw_bytes_and_blasts() {
    let t0 = Instant::now();
    let limits = Limits {
        line: 20,
        ..limits()
    };
    let mut session = Session::new(limits, t0, Vec::new(), None);
    session.attach(Receive::Streaming, t0);
    drain(&mut session, t0, false);
    session.push(Outgoing::Ping);
    session.push(Outgoing::Binary(vec![1, 2, 3]));
    session.push(Outgoing::Raw(b"a[not json\n".to_vec()));
    session.push(Outgoing::Blast("bb".into(), 5));
    session.push(text(9));
    let out = drain(&mut session, t0, false);
    assert_eq!(out[0], "h\n");
    assert_eq!(out[1], "a[not json\n");
    let frames: Vec<String> = out[2..].iter().flat_map(|l| frames_of(l)).collect();
    assert_eq!(frames, ["bb", "bb", "bb", "bb", "bb", "f9"]);
    assert!(
        out.len() > 3,
        "the blast is split by the line budget: {out:?}"
    );
}

#[test]
fn a_queue_past_its_limit_overflows() {
    let t0 = Instant::now();
    let limits = Limits {
        queue: 100,
        ..limits()
    };
    let mut session = Session::new(limits, t0, Vec::new(), None);
    session.push(Outgoing::Text("x".repeat(60).into()));
    assert_eq!(session.status(t0), Status::Open);
    // A blast's text is held once, however many copies it stands for.
    session.push(Outgoing::Blast("y".repeat(30).into(), 1_000_000));
    assert_eq!(session.status(t0), Status::Open);
    session.push(Outgoing::Text("z".repeat(20).into()));
    assert_eq!(session.status(t0), Status::Overflowed);
}
