//! State machine tests: frames in, actions out, time as data. No sockets, no sleeping.

use super::*;

const ESTABLISHED: &str = r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}"#;

fn opts() -> ClientOptions {
    ClientOptions::new("key")
        .cluster("eu")
        .host("127.0.0.1")
        .ws_port(6001)
        .use_tls(false)
}

struct Rig {
    m: Machine,
    now: Instant,
}

impl Rig {
    fn new(o: ClientOptions) -> Self {
        let now = Instant::now();
        Rig {
            m: Machine::new(o, now),
            now,
        }
    }
    fn input(&mut self, i: Input<'_>) -> Vec<Action> {
        self.m.handle(i, self.now);
        self.m.take_actions()
    }
    fn advance(&mut self, d: Duration) -> Vec<Action> {
        self.now += d;
        self.m.handle_timeout(self.now);
        self.m.take_actions()
    }
    fn connected(o: ClientOptions) -> Self {
        let mut r = Rig::new(o);
        r.input(Input::Connect);
        r.input(Input::SocketOpened);
        r.input(Input::Text(ESTABLISHED));
        r
    }
}

fn states(actions: &[Action]) -> Vec<(&'static str, &'static str)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(Event::StateChange {
                previous, current, ..
            }) => Some((previous.as_str(), current.as_str())),
            _ => None,
        })
        .collect()
}

fn sent(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

fn errors(actions: &[Action]) -> Vec<&ConnectionError> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(Event::Error(e)) => Some(e),
            _ => None,
        })
        .collect()
}

fn opens(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Open(_)))
        .count()
}

fn connecting_in(actions: &[Action]) -> Vec<Duration> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(Event::ConnectingIn { delay }) => Some(*delay),
            _ => None,
        })
        .collect()
}

#[test]
fn connect_opens_the_url_and_handshake_connects() {
    let mut r = Rig::new(opts());
    let a = r.input(Input::Connect);
    assert_eq!(states(&a), vec![("initialized", "connecting")]);
    assert!(
        matches!(&a[1], Action::Open(url) if url.starts_with("ws://127.0.0.1:6001/app/key?protocol=7"))
    );
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(states(&a), vec![("connecting", "connected")]);
    assert!(a.iter().any(|x| matches!(x,
        Action::Emit(Event::StateChange { socket_id: Some(s), .. }) if s == "1.2")));
    assert_eq!(r.m.socket_id(), Some("1.2"));
    assert_eq!(r.m.state(), ConnectionState::Connected);
}

#[test]
fn connect_twice_is_a_no_op() {
    let mut r = Rig::connected(opts());
    assert!(r.input(Input::Connect).is_empty());
}

#[test]
fn subscriptions_made_before_connecting_are_sent_once_connected() {
    let mut r = Rig::new(opts());
    assert!(r.input(Input::Subscribe("a")).is_empty());
    r.input(Input::Connect);
    assert!(sent(&r.input(Input::Subscribe("b"))).is_empty());
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(
        sent(&a),
        vec![
            r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"a"}}"#,
            r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"b"}}"#
        ]
    );
}

#[test]
fn internal_events_become_public_ones() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("a"));
    let a = r.input(Input::Text(
        r#"{"event":"pusher_internal:subscription_succeeded","channel":"a","data":"{}"}"#,
    ));
    assert!(matches!(&a[..], [Action::Emit(Event::Message(m))]
        if m.event == "pusher:subscription_succeeded" && m.channel.as_deref() == Some("a")));
    let a = r.input(Input::Text(
        r#"{"event":"pusher_internal:subscription_count","channel":"a","data":"{\"subscription_count\":0}"}"#,
    ));
    assert!(
        matches!(&a[..], [Action::Emit(Event::Message(m))] if m.event == "pusher:subscription_count")
    );
    assert!(r
        .input(Input::Text(
            r#"{"event":"pusher_internal:other","channel":"a"}"#
        ))
        .is_empty());
}

#[test]
fn ping_is_answered_and_reported() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Text(r#"{"event":"pusher:ping","data":"{}"}"#));
    assert_eq!(sent(&a), vec![pusher_frame::PONG]);
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::Emit(Event::Message(m)) if m.event == "pusher:ping")));
}

#[test]
fn malformed_frames_are_reported_and_the_connection_stays() {
    let mut r = Rig::connected(opts());
    for bad in ["{oops", "[1]", r#""text""#, r#"{"no_event":1}"#] {
        let a = r.input(Input::Text(bad));
        let e = errors(&a);
        assert_eq!(e.len(), 1, "{bad}");
        assert_eq!(e[0].kind, ConnectionErrorKind::MessageParseError);
        assert!(states(&a).is_empty());
    }
    let a = r.input(Input::Binary);
    assert_eq!(errors(&a).len(), 1);
    assert_eq!(r.m.state(), ConnectionState::Connected);
}

#[test]
fn activity_timeout_is_the_smaller_of_option_and_server() {
    let r = Rig::connected(opts().activity_timeout(Duration::from_secs(300)));
    assert_eq!(r.m.activity_timeout(), Duration::from_secs(120));
    let r = Rig::connected(opts().activity_timeout(Duration::from_secs(10)));
    assert_eq!(r.m.activity_timeout(), Duration::from_secs(10));
}

#[test]
fn silence_sends_a_ping_then_pong_timeout_reconnects_at_once() {
    let mut r = Rig::connected(
        opts()
            .activity_timeout(Duration::from_secs(10))
            .pong_timeout(Duration::from_secs(5)),
    );
    assert_eq!(r.m.poll_timeout(), Some(r.now + Duration::from_secs(10)));
    assert!(r.advance(Duration::from_secs(9)).is_empty());
    let a = r.advance(Duration::from_secs(1));
    assert_eq!(sent(&a), vec![pusher_frame::PING]);
    assert_eq!(r.m.poll_timeout(), Some(r.now + Duration::from_secs(5)));
    let a = r.advance(Duration::from_secs(5));
    assert!(a.contains(&Action::Close(1000)));
    assert_eq!(opens(&a), 1, "reconnects immediately");
    assert_eq!(states(&a), vec![("connected", "connecting")]);
    assert!(connecting_in(&a).is_empty());
}

#[test]
fn any_frame_or_ws_pong_counts_as_activity() {
    let mut r = Rig::connected(opts().activity_timeout(Duration::from_secs(10)));
    r.advance(Duration::from_secs(8));
    r.input(Input::Text(r#"{"event":"x","channel":"c","data":"1"}"#));
    assert!(sent(&r.advance(Duration::from_secs(8))).is_empty());
    r.input(Input::Activity);
    assert!(sent(&r.advance(Duration::from_secs(8))).is_empty());
    assert_eq!(
        sent(&r.advance(Duration::from_secs(2))),
        vec![pusher_frame::PING]
    );
    // A reply cancels the pong deadline: no reconnect.
    r.input(Input::Text(r#"{"event":"pusher:pong","data":"{}"}"#));
    let a = r.advance(Duration::from_secs(9));
    assert_eq!(opens(&a), 0);
}

#[test]
fn the_ping_interval_does_not_shrink_after_a_reconnect() {
    let mut r = Rig::connected(opts());
    r.input(Input::SocketClosed {
        code: None,
        reason: "reset",
    });
    r.advance(Duration::from_secs(2));
    r.input(Input::Text(ESTABLISHED));
    assert_eq!(r.m.activity_timeout(), Duration::from_secs(120));
}

#[test]
fn a_close_frame_without_a_code_is_a_clean_close_without_an_error() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: None,
        reason: "",
    });
    assert_eq!(states(&a), vec![("connected", "connecting")]);
    assert!(errors(&a).is_empty());
}

#[test]
fn lost_connection_backs_off_and_resubscribes() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("a"));
    r.input(Input::Text(
        r#"{"event":"pusher_internal:subscription_succeeded","channel":"a","data":"{}"}"#,
    ));
    let a = r.input(Input::SocketLost(ConnectionError::socket(
        Failure::Lost,
        "reset",
    )));
    assert_eq!(states(&a), vec![("connected", "connecting")]);
    // As pusher-js reports it: a PusherError with the abnormal-closure code.
    assert_eq!(errors(&a)[0].kind, ConnectionErrorKind::PusherError);
    assert_eq!(errors(&a)[0].code, Some(1006));
    assert_eq!(errors(&a)[0].failure, Failure::Lost);
    let delay = connecting_in(&a);
    assert_eq!(delay.len(), 1, "one retry per close");
    assert!(delay[0] >= Duration::from_secs(1) && delay[0] < Duration::from_millis(1250));
    assert_eq!(opens(&a), 0);
    assert_eq!(opens(&r.advance(delay[0])), 1);
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"a"}}"#]
    );
}

#[test]
fn backoff_grows_while_attempts_fail_and_resets_on_success() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let mut delays = vec![];
    for _ in 0..4 {
        let a = r.input(Input::SocketFailed(ConnectionError::socket(
            Failure::Connect,
            "refused",
        )));
        let d = connecting_in(&a)[0];
        delays.push(d.as_millis() / 1000);
        r.advance(d);
    }
    assert_eq!(delays, vec![1, 2, 4, 8]);
    r.input(Input::Text(ESTABLISHED));
    let a = r.input(Input::SocketClosed {
        code: Some(1006),
        reason: "",
    });
    assert_eq!(connecting_in(&a)[0].as_millis() / 1000, 1);
}

#[test]
fn close_codes_follow_the_protocol() {
    // 4001-4099: refused, disconnected, no retry.
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: Some(4001),
        reason: "App key not found",
    });
    assert_eq!(states(&a), vec![("connected", "disconnected")]);
    assert_eq!(errors(&a)[0].code, Some(4001));
    assert_eq!(opens(&a), 0);
    assert_eq!(r.m.poll_timeout(), None, "nothing scheduled");

    // 4100-4199: back off.
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: Some(4100),
        reason: "over capacity",
    });
    assert!(connecting_in(&a)[0] >= Duration::from_secs(1));
    assert_eq!(opens(&a), 0);

    // 4200-4299: at once, no connecting_in.
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: Some(4200),
        reason: "reconnect",
    });
    assert_eq!(opens(&a), 1);
    assert!(connecting_in(&a).is_empty());

    // 4000: switch to TLS and reconnect at once.
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: Some(4000),
        reason: "tls only",
    });
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::Open(u) if u.starts_with("wss://127.0.0.1:443/"))));
}

#[test]
fn closes_outside_4000_4999_are_dropped_connections_not_pusher_errors() {
    for code in [1002, 1005, 1006, 1011, 1015, 2999, 3000, 3999, 999, 5000, 0] {
        let mut r = Rig::connected(opts());
        let a = r.input(Input::SocketClosed {
            code: Some(code),
            reason: "whatever",
        });
        let errs = errors(&a);
        assert_eq!(errs.len(), 1, "code {code}");
        assert_eq!(
            errs[0].kind,
            ConnectionErrorKind::WebSocketError,
            "code {code}"
        );
        assert_eq!(errs[0].failure, Failure::Closed, "code {code}");
        assert_eq!(errs[0].code, Some(code.into()), "code {code}");
        assert!(
            connecting_in(&a)[0] >= Duration::from_secs(1),
            "code {code}"
        );
        assert_eq!(opens(&a), 0, "code {code}: backs off");
    }
    for code in [4000, 4001, 4100, 4200, 4300, 4999] {
        let mut r = Rig::connected(opts());
        let a = r.input(Input::SocketClosed {
            code: Some(code),
            reason: "pusher",
        });
        assert_eq!(
            errors(&a)[0].kind,
            ConnectionErrorKind::PusherError,
            "code {code}"
        );
        assert_eq!(errors(&a)[0].code, Some(code.into()), "code {code}");
    }
}

#[test]
fn handshake_pusher_error_with_null_code_retries_instead_of_crashing() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let a = r.input(Input::Text(
        r#"{"event":"pusher:error","data":{"code":null,"message":"bad"}}"#,
    ));
    assert_eq!(errors(&a)[0].code, None);
    assert_eq!(connecting_in(&a).len(), 1);
    assert_eq!(r.m.state(), ConnectionState::Connecting);
    let a = r.input(Input::Text(ESTABLISHED));
    assert!(states(&a).is_empty(), "the old socket's frames are ignored");
}

#[test]
fn handshake_pusher_error_4001_disconnects() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let a = r.input(Input::Text(
        r#"{"event":"pusher:error","data":"{\"code\":4001,\"message\":\"no app\"}"}"#,
    ));
    assert_eq!(states(&a), vec![("connecting", "disconnected")]);
}

#[test]
fn invalid_handshakes_retry_instead_of_hanging() {
    for first in [
        r#"{"event":"hello","data":"{}"}"#,
        r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"}"#,
        r#"{"event":"pusher:connection_established","data":"nope"}"#,
    ] {
        let mut r = Rig::new(opts());
        r.input(Input::Connect);
        let a = r.input(Input::Text(first));
        assert_eq!(
            errors(&a)[0].kind,
            ConnectionErrorKind::HandshakeError,
            "{first}"
        );
        assert!(a.contains(&Action::Close(1002)));
        let d = connecting_in(&a)[0];
        assert_eq!(opens(&r.advance(d)), 1);
    }
}

#[test]
fn every_kind_of_bad_first_frame_is_a_handshake_failure_retried_with_back_off() {
    let established = |id: &str| {
        format!(
            r#"{{"event":"pusher:connection_established","data":"{{\"socket_id\":\"{id}\",\"activity_timeout\":120}}"}}"#
        )
    };
    let mut cases: Vec<(String, ConnectionErrorKind)> = vec![
        (
            "this is not json {".into(),
            ConnectionErrorKind::MessageParseError,
        ),
        ("[1,2]".into(), ConnectionErrorKind::MessageParseError),
        (
            r#"{"event":"pusher:connection_established","data":"{\"activity_timeout\":120}"}"#
                .into(),
            ConnectionErrorKind::HandshakeError,
        ),
    ];
    for id in ["", "abc", "1.", ".2", "1.2.3", "1 .2", "12"] {
        cases.push((established(id), ConnectionErrorKind::HandshakeError));
    }
    for (first, kind) in cases {
        let mut r = Rig::new(opts());
        r.input(Input::Connect);
        r.input(Input::SocketOpened);
        // Attempt after attempt: the back-off grows, the client never wedges.
        let mut last = Duration::ZERO;
        for attempt in 0..3 {
            let a = r.input(Input::Text(&first));
            let e = errors(&a);
            assert_eq!(e.len(), 1, "{first}");
            assert_eq!(
                (e[0].kind, e[0].failure),
                (kind, Failure::Handshake),
                "{first}"
            );
            assert!(a.contains(&Action::Close(1002)), "{first}");
            let d = connecting_in(&a);
            assert_eq!(d.len(), 1, "{first} attempt {attempt}");
            assert!(d[0] > last, "{first}: back-off grows");
            last = d[0];
            assert_eq!(opens(&r.advance(d[0])), 1, "{first}");
        }
        assert_eq!(r.m.state(), ConnectionState::Connecting);
    }
    assert!(is_socket_id("123.456") && is_socket_id("0.0"));
}

#[test]
fn a_binary_first_frame_fails_the_handshake() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let a = r.input(Input::Binary);
    assert_eq!(errors(&a)[0].failure, Failure::Handshake);
    assert_eq!(connecting_in(&a).len(), 1);
}

#[test]
fn handshake_that_never_comes_times_out() {
    let mut r = Rig::new(opts().attempt_timeout(Duration::from_secs(15)));
    r.input(Input::Connect);
    r.input(Input::SocketOpened);
    assert!(errors(&r.advance(Duration::from_millis(14_999))).is_empty());
    let a = r.advance(Duration::from_millis(1));
    assert_eq!(errors(&a)[0].kind, ConnectionErrorKind::WebSocketError);
    assert_eq!(errors(&a)[0].failure, Failure::Timeout);
    assert!(a.contains(&Action::Close(1000)));
    assert_eq!(connecting_in(&a).len(), 1);
}

#[test]
fn the_attempt_timeout_runs_from_the_open_not_from_the_upgrade() {
    // TCP, TLS and the upgrade all count: no SocketOpened ever comes here.
    let mut r = Rig::new(opts().attempt_timeout(Duration::from_secs(15)));
    r.input(Input::Connect);
    let a = r.advance(Duration::from_secs(15));
    assert_eq!(errors(&a)[0].failure, Failure::Timeout);
}

#[test]
fn a_fault_in_the_loop_drops_the_socket_reports_and_retries() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Fault("boom"));
    assert!(a.contains(&Action::Close(1011)));
    let e = errors(&a);
    assert_eq!(
        (e[0].kind, e[0].failure),
        (ConnectionErrorKind::WebSocketError, Failure::Internal)
    );
    assert_eq!(states(&a), vec![("connected", "connecting")]);
    let d = connecting_in(&a)[0];
    assert_eq!(opens(&r.advance(d)), 1);
    // Not connected and not trying: reported, nothing else.
    let mut r = Rig::new(opts());
    let a = r.input(Input::Fault("boom"));
    assert_eq!(errors(&a).len(), 1);
    assert!(states(&a).is_empty() && opens(&a) == 0);
}

#[test]
fn a_lost_socket_is_reported_with_its_failure_and_retried() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketLost(ConnectionError::socket(
        Failure::TooLarge,
        "frame too large",
    )));
    assert_eq!(errors(&a)[0].failure, Failure::TooLarge);
    assert_eq!(connecting_in(&a).len(), 1);
    // A socket already abandoned is not reported twice.
    assert!(r
        .input(Input::SocketLost(ConnectionError::socket(
            Failure::Lost,
            "x"
        )))
        .is_empty());
}

#[test]
fn unavailable_after_the_timeout_then_connected() {
    let mut r = Rig::new(opts().unavailable_timeout(Duration::from_secs(10)));
    r.input(Input::Connect);
    let mut unavailable = false;
    for _ in 0..10 {
        let a = r.input(Input::SocketFailed(ConnectionError::socket(
            Failure::Connect,
            "refused",
        )));
        let d = connecting_in(&a)[0];
        let a = r.advance(d);
        if states(&a).contains(&("connecting", "unavailable")) {
            unavailable = true;
            break;
        }
    }
    assert!(unavailable);
    assert!(r.now.duration_since(r.now - Duration::from_secs(10)) >= Duration::from_secs(10));
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(states(&a), vec![("unavailable", "connected")]);
}

#[test]
fn disconnect_cancels_a_pending_retry_and_closes() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SocketClosed {
        code: None,
        reason: "",
    });
    let d = connecting_in(&a)[0];
    let a = r.input(Input::Disconnect);
    assert_eq!(states(&a), vec![("connecting", "disconnected")]);
    assert!(r.advance(d * 10).is_empty(), "no leftover timer reconnects");
    assert_eq!(r.m.poll_timeout(), None);

    let mut r = Rig::connected(opts());
    let a = r.input(Input::Disconnect);
    assert_eq!(a[0], Action::Close(1000));
    assert_eq!(states(&a), vec![("connected", "disconnected")]);
    assert!(r.input(Input::Disconnect).is_empty(), "idempotent");
    // Closing the socket afterwards is not a loss.
    assert!(r
        .input(Input::SocketClosed {
            code: Some(1000),
            reason: ""
        })
        .is_empty());
}

#[test]
fn manual_connect_during_backoff_connects_now() {
    let mut r = Rig::connected(opts());
    r.input(Input::SocketClosed {
        code: None,
        reason: "",
    });
    let a = r.input(Input::Connect);
    assert_eq!(opens(&a), 1);
    assert_eq!(
        r.m.poll_timeout().map(|t| t - r.now),
        Some(Duration::from_secs(10))
    );
}

#[test]
fn unsubscribe_while_disconnected_is_not_resubscribed() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("a"));
    r.input(Input::Subscribe("b"));
    r.input(Input::Disconnect);
    r.input(Input::Unsubscribe("a"));
    r.input(Input::Connect);
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"b"}}"#]
    );
}

#[test]
fn cancelled_pending_subscription_is_unsubscribed_on_success() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("a"));
    r.input(Input::Unsubscribe("a"));
    let a = r.input(Input::Text(
        r#"{"event":"pusher_internal:subscription_succeeded","channel":"a","data":"{}"}"#,
    ));
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"pusher:unsubscribe","data":{"channel":"a"}}"#]
    );
    assert!(a.contains(&Action::Emit(Event::ChannelRemoved {
        channel: "a".into()
    })));
}

#[test]
fn send_event_only_when_connected() {
    let mut r = Rig::new(opts());
    assert!(r
        .input(Input::SendEvent {
            event: "client-x",
            data: Some("{}"),
            channel: Some("private-a")
        })
        .is_empty());
    let mut r = Rig::connected(opts());
    let a = r.input(Input::SendEvent {
        event: "client-x",
        data: Some(r#"{"n":1}"#),
        channel: Some("private-a"),
    });
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"client-x","data":{"n":1},"channel":"private-a"}"#]
    );
}

#[test]
fn pusher_error_after_connect_is_reported_without_state_change() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Text(
        r#"{"event":"pusher:error","data":{"code":4301,"message":"rate"}}"#,
    ));
    assert_eq!(errors(&a)[0].code, Some(4301));
    assert!(states(&a).is_empty());
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::Emit(Event::Message(m)) if m.event == "pusher:error")));
}

#[test]
fn logging_redacts_signatures_and_is_off_by_default() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Subscribe("x"));
    assert!(!a.iter().any(|x| matches!(x, Action::Emit(Event::Log(_)))));
    let mut r = Rig::connected(opts().log(true));
    let a = r.input(Input::Text(
        r#"{"event":"e","channel":"c","data":"{\"auth\":\"k:abcdef0123456789\"}"}"#,
    ));
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::Emit(Event::Log(l)) if l.contains("Event recd"))));
}

#[path = "state_auth_tests.rs"]
mod auth;

fn open_urls(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Open(url) => Some(url.split('?').next().unwrap_or("").to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_plain_client_with_the_tls_fallback_alternates_and_keeps_what_connected() {
    let mut r = Rig::new(opts().wss_port(6002).tls_fallback(true));
    let mut urls = open_urls(&r.input(Input::Connect));
    for _ in 0..2 {
        let a = r.input(Input::SocketFailed(ConnectionError::socket(
            Failure::Connect,
            "refused",
        )));
        let delay = connecting_in(&a)[0];
        urls.extend(open_urls(&r.advance(delay)));
    }
    assert_eq!(
        urls,
        vec![
            "ws://127.0.0.1:6001/app/key",
            "wss://127.0.0.1:6002/app/key",
            "ws://127.0.0.1:6001/app/key",
        ]
    );
    // wss:// connects; after a drop the next attempt uses it again.
    let a = r.input(Input::SocketFailed(ConnectionError::socket(
        Failure::Connect,
        "refused",
    )));
    r.advance(connecting_in(&a)[0]);
    r.input(Input::SocketOpened);
    r.input(Input::Text(ESTABLISHED));
    let a = r.input(Input::SocketLost(ConnectionError::socket(
        Failure::Lost,
        "reset",
    )));
    let again = open_urls(&r.advance(connecting_in(&a)[0]));
    assert_eq!(again, vec!["wss://127.0.0.1:6002/app/key"]);
}

#[test]
fn without_the_fallback_a_plain_client_stays_plain() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let a = r.input(Input::SocketFailed(ConnectionError::socket(
        Failure::Connect,
        "refused",
    )));
    let urls = open_urls(&r.advance(connecting_in(&a)[0]));
    assert_eq!(urls, vec!["ws://127.0.0.1:6001/app/key"]);
}

#[test]
fn max_reconnection_attempts_2_makes_at_most_3_attempts_in_a_row_then_gives_up() {
    let mut r = Rig::new(opts().max_reconnection_attempts(Some(2)));
    let mut opened = opens(&r.input(Input::Connect));
    let mut last = Vec::new();
    for _ in 0..3 {
        last = r.input(Input::SocketFailed(ConnectionError::socket(
            Failure::Connect,
            "refused",
        )));
        if let Some(delay) = connecting_in(&last).first().copied() {
            opened += opens(&r.advance(delay));
        }
    }
    assert_eq!(opened, 3);
    assert_eq!(r.m.state(), ConnectionState::Disconnected);
    let gave_up = errors(&last);
    assert_eq!(gave_up.last().map(|e| e.failure), Some(Failure::GaveUp));
    assert!(r.m.poll_timeout().is_none(), "nothing left to wait for");
    // connect() starts afresh, with the full allowance again.
    assert_eq!(opens(&r.input(Input::Connect)), 1);
    assert_eq!(r.m.state(), ConnectionState::Connecting);
}

#[test]
fn the_reconnection_allowance_resets_once_connected() {
    let mut r = Rig::connected(opts().max_reconnection_attempts(Some(1)));
    for _ in 0..3 {
        // A drop, then one retry that connects: never more than the allowance in a row.
        let a = r.input(Input::SocketLost(ConnectionError::socket(
            Failure::Lost,
            "reset",
        )));
        assert_eq!(opens(&r.advance(connecting_in(&a)[0])), 1);
        r.input(Input::SocketOpened);
        r.input(Input::Text(ESTABLISHED));
        assert_eq!(r.m.state(), ConnectionState::Connected);
    }
}

#[test]
fn max_reconnect_gap_caps_the_back_off() {
    let mut r = Rig::new(opts().max_reconnect_gap(Duration::from_secs(2)));
    r.input(Input::Connect);
    let mut delays = Vec::new();
    for _ in 0..5 {
        let a = r.input(Input::SocketFailed(ConnectionError::socket(
            Failure::Connect,
            "refused",
        )));
        let d = connecting_in(&a)[0];
        delays.push(d);
        r.advance(d);
    }
    assert!(
        delays.iter().all(|d| *d < Duration::from_millis(2_500)),
        "{delays:?}"
    );
}

#[test]
fn a_transport_that_fails_while_others_try_is_reported_and_the_attempt_goes_on() {
    let mut r = Rig::new(opts());
    r.input(Input::Connect);
    let a = r.input(Input::CandidateFailed(ConnectionError::socket(
        Failure::HttpStatus,
        "refused",
    )));
    assert!(a
        .iter()
        .any(|x| matches!(x, Action::Emit(Event::Error(e)) if e.failure == Failure::HttpStatus)));
    assert!(connecting_in(&a).is_empty(), "no retry is scheduled");
    assert!(!a.iter().any(|x| matches!(x, Action::Open(_))));
    // The fallback opens: the handshake goes on as usual.
    let a = r.input(Input::SocketOpened);
    assert!(a.is_empty());
    let a = r.input(Input::Text(ESTABLISHED));
    assert!(states(&a).contains(&("connecting", "connected")));
    // Once connected, a late report is not an error of this connection.
    let a = r.input(Input::CandidateFailed(ConnectionError::socket(
        Failure::Connect,
        "late",
    )));
    assert!(a.is_empty());
}
