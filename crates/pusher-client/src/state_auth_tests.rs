//! Auth inside the machine: signed subscriptions, presence, encrypted channels, sign-in.

use super::*;
use crate::auth::{AuthError, AuthErrorKind, ChannelAuth, UserAuth};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};

fn authorize_requests(actions: &[Action]) -> Vec<(&str, &str)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::AuthorizeChannel { channel, socket_id } => {
                Some((channel.as_str(), socket_id.as_str()))
            }
            _ => None,
        })
        .collect()
}

fn messages(actions: &[Action]) -> Vec<&Message> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(Event::Message(m)) => Some(m),
            _ => None,
        })
        .collect()
}

fn ok(
    auth: &str,
    channel_data: Option<&str>,
    shared_secret: Option<&str>,
) -> Result<ChannelAuth, AuthError> {
    Ok(ChannelAuth {
        auth: auth.into(),
        channel_data: channel_data.map(Into::into),
        shared_secret: shared_secret.map(Into::into),
    })
}

fn seal(key: &[u8; 32], text: &str) -> String {
    let nonce = [3u8; 24];
    let c = XSalsa20Poly1305::new(Key::from_slice(key))
        .encrypt(Nonce::from_slice(&nonce), text.as_bytes())
        .unwrap();
    let inner =
        serde_json::json!({"nonce": STANDARD.encode(nonce), "ciphertext": STANDARD.encode(c)})
            .to_string();
    serde_json::json!({"event": "secret", "channel": "private-encrypted-x", "data": inner})
        .to_string()
}

#[test]
fn private_channels_are_authorized_before_subscribing() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Subscribe("private-a"));
    assert_eq!(authorize_requests(&a), vec![("private-a", "1.2")]);
    assert!(sent(&a).is_empty());
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "1.2",
        result: ok("key:sig", None, None),
    });
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"pusher:subscribe","data":{"auth":"key:sig","channel":"private-a"}}"#]
    );
}

#[test]
fn client_events_triggered_while_authorizing_follow_the_subscribe_frame() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-a"));
    let early = Input::SendEvent {
        event: "client-early",
        data: Some("{}"),
        channel: Some("private-a"),
    };
    assert!(sent(&r.input(early)).is_empty(), "held while authorizing");
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "1.2",
        result: ok("key:sig", None, None),
    });
    assert_eq!(
        sent(&a),
        vec![
            r#"{"event":"pusher:subscribe","data":{"auth":"key:sig","channel":"private-a"}}"#,
            r#"{"event":"client-early","data":{},"channel":"private-a"}"#,
        ]
    );
    // Once subscribed (or refused), client events go out at once again.
    let late = Input::SendEvent {
        event: "client-late",
        data: Some("{}"),
        channel: Some("private-a"),
    };
    assert_eq!(sent(&r.input(late)).len(), 1);
}

#[test]
fn held_client_events_still_go_out_when_the_authorization_is_refused() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-a"));
    r.input(Input::SendEvent {
        event: "client-early",
        data: None,
        channel: Some("private-a"),
    });
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "1.2",
        result: Err(AuthError::new(AuthErrorKind::Status, "403")),
    });
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"client-early","channel":"private-a"}"#]
    );
}

#[test]
fn many_channels_are_authorized_at_once() {
    let mut r = Rig::new(opts());
    for c in ["private-a", "private-b", "presence-c", "public"] {
        r.input(Input::Subscribe(c));
    }
    r.input(Input::Connect);
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(
        authorize_requests(&a).len(),
        3,
        "all requested in the same turn"
    );
    assert_eq!(sent(&a).len(), 1, "the public channel goes out at once");
}

#[test]
fn auth_failure_is_a_subscription_error_and_the_rest_carry_on() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-a"));
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "1.2",
        result: Err(AuthError {
            kind: AuthErrorKind::Status,
            message: "denied".into(),
            status: Some(403),
        }),
    });
    let m = messages(&a);
    assert_eq!(m[0].event, "pusher:subscription_error");
    assert_eq!(
        m[0].data
            .as_ref()
            .unwrap()
            .parse::<serde_json::Value>()
            .unwrap(),
        serde_json::json!({"type":"AuthError","error":"denied","status":403})
    );
    assert!(sent(&a).is_empty());
    // Retried on the next connection.
    r.input(Input::SocketClosed {
        code: Some(4200),
        reason: "",
    });
    let a = r.input(Input::Text(ESTABLISHED));
    assert_eq!(authorize_requests(&a), vec![("private-a", "1.2")]);
}

#[test]
fn answers_for_an_old_socket_or_a_gone_channel_are_ignored() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-a"));
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "9.9",
        result: ok("k:s", None, None),
    });
    assert!(a.is_empty());
    r.input(Input::Unsubscribe("private-a"));
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-a",
        socket_id: "1.2",
        result: ok("k:s", None, None),
    });
    assert!(
        sent(&a).is_empty(),
        "cancelled while authorizing: nothing is subscribed"
    );
    assert!(a.contains(&Action::Emit(Event::ChannelRemoved {
        channel: "private-a".into()
    })));
}

#[test]
fn presence_sends_channel_data_and_reports_our_member_id() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("presence-room"));
    let cd = r#"{"user_id":7,"user_info":{"name":"Ann"}}"#;
    let a = r.input(Input::ChannelAuthorized {
        channel: "presence-room",
        socket_id: "1.2",
        result: ok("k:s", Some(cd), None),
    });
    assert_eq!(
        sent(&a),
        vec![
            r#"{"event":"pusher:subscribe","data":{"auth":"k:s","channel_data":"{\"user_id\":7,\"user_info\":{\"name\":\"Ann\"}}","channel":"presence-room"}}"#
        ]
    );
    let a = r.input(Input::Text(
        r#"{"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"ids\":[\"7\"],\"hash\":{\"7\":{}},\"count\":1}}"}"#,
    ));
    assert_eq!(messages(&a)[0].user_id.as_deref(), Some("7"));
}

#[test]
fn presence_without_channel_data_is_an_auth_error() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("presence-room"));
    let a = r.input(Input::ChannelAuthorized {
        channel: "presence-room",
        socket_id: "1.2",
        result: ok("k:s", None, None),
    });
    assert_eq!(messages(&a)[0].event, "pusher:subscription_error");
    assert!(sent(&a).is_empty());
}

#[test]
fn encrypted_channels_need_a_shared_secret() {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-encrypted-x"));
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-encrypted-x",
        socket_id: "1.2",
        result: ok("k:s", None, None),
    });
    let m = messages(&a);
    assert_eq!(m[0].event, "pusher:subscription_error");
    assert!(format!("{:?}", m[0].data).contains(
        "No shared_secret key in auth payload for encrypted channel: private-encrypted-x"
    ));
}

fn encrypted_rig(key: &[u8; 32]) -> Rig {
    let mut r = Rig::connected(opts());
    r.input(Input::Subscribe("private-encrypted-x"));
    let secret = STANDARD.encode(key);
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-encrypted-x",
        socket_id: "1.2",
        result: ok("k:s", None, Some(&secret)),
    });
    assert_eq!(sent(&a).len(), 1);
    r.input(Input::Text(r#"{"event":"pusher_internal:subscription_succeeded","channel":"private-encrypted-x","data":"{}"}"#));
    r
}

#[test]
fn encrypted_events_are_decrypted_and_internal_ones_are_not() {
    let key = [5u8; 32];
    let mut r = encrypted_rig(&key);
    let a = r.input(Input::Text(&seal(&key, r#"{"n":1}"#)));
    let m = messages(&a);
    assert_eq!(m[0].event, "secret");
    assert_eq!(m[0].data, Some(Data::Text(r#"{"n":1}"#.into())));
    let a = r.input(Input::Text(
        r#"{"event":"pusher:subscription_count","channel":"private-encrypted-x","data":"{\"subscription_count\":2}"}"#,
    ));
    assert_eq!(messages(&a)[0].event, "pusher:subscription_count");
}

#[test]
fn a_rotated_key_is_fetched_once_and_queued_events_keep_their_order() {
    let old = [5u8; 32];
    let new = [6u8; 32];
    let mut r = encrypted_rig(&old);
    let a = r.input(Input::Text(&seal(&new, "first")));
    assert_eq!(authorize_requests(&a), vec![("private-encrypted-x", "1.2")]);
    assert!(messages(&a).is_empty());
    let a = r.input(Input::Text(&seal(&new, "second")));
    assert!(
        authorize_requests(&a).is_empty(),
        "one re-authorization at a time"
    );
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-encrypted-x",
        socket_id: "1.2",
        result: ok("k:s2", None, Some(&STANDARD.encode(new))),
    });
    assert!(sent(&a).is_empty(), "no second pusher:subscribe");
    let data: Vec<_> = messages(&a).iter().map(|m| m.data.clone()).collect();
    assert_eq!(
        data,
        vec![
            Some(Data::Text("first".into())),
            Some(Data::Text("second".into()))
        ]
    );
    let a = r.input(Input::Text(&seal(&new, "third")));
    assert_eq!(messages(&a)[0].data, Some(Data::Text("third".into())));
}

#[test]
fn an_event_that_still_fails_is_reported_and_dropped() {
    let mut r = encrypted_rig(&[5u8; 32]);
    r.input(Input::Text(&seal(&[9u8; 32], "lost")));
    let a = r.input(Input::ChannelAuthorized {
        channel: "private-encrypted-x",
        socket_id: "1.2",
        result: ok("k:s", None, Some(&STANDARD.encode([5u8; 32]))),
    });
    let m = messages(&a);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].event, "pusher:decryption_error");
    let a = r.input(Input::Text(&seal(&[5u8; 32], "next")));
    assert_eq!(messages(&a)[0].data, Some(Data::Text("next".into())));
}

#[test]
fn signin_waits_for_the_connection_and_is_redone_after_reconnect() {
    let mut r = Rig::new(opts());
    assert!(r.input(Input::Signin).is_empty());
    r.input(Input::Connect);
    let a = r.input(Input::Text(ESTABLISHED));
    assert!(a.contains(&Action::AuthenticateUser {
        socket_id: "1.2".into()
    }));
    let a = r.input(Input::UserAuthenticated {
        socket_id: "1.2",
        result: Ok(UserAuth {
            auth: "k:u".into(),
            user_data: r#"{"id":"u1"}"#.into(),
        }),
    });
    assert_eq!(
        sent(&a),
        vec![r#"{"event":"pusher:signin","data":{"auth":"k:u","user_data":"{\"id\":\"u1\"}"}}"#]
    );
    let a = r.input(Input::Text(
        r#"{"event":"pusher:signin_success","data":"{\"user_data\":\"{\\\"id\\\":\\\"u1\\\"}\"}"}"#,
    ));
    assert_eq!(
        sent(&a),
        vec![r##"{"event":"pusher:subscribe","data":{"auth":"","channel":"#server-to-user-u1"}}"##]
    );
    assert_eq!(messages(&a)[0].event, "pusher:signin_success");
    let a = r.input(Input::Text(
        r##"{"event":"pusher_internal:subscription_succeeded","channel":"#server-to-user-u1","data":"{}"}"##,
    ));
    assert_eq!(
        messages(&a)[0].event,
        "pusher:subscription_succeeded",
        "the user's channel is ready"
    );
    r.input(Input::SocketClosed {
        code: Some(4200),
        reason: "",
    });
    let a = r.input(Input::Text(ESTABLISHED));
    assert!(a.contains(&Action::AuthenticateUser {
        socket_id: "1.2".into()
    }));
}

#[test]
fn signin_errors_are_reported() {
    let mut r = Rig::connected(opts());
    r.input(Input::Signin);
    let a = r.input(Input::UserAuthenticated {
        socket_id: "1.2",
        result: Err(AuthError::new(AuthErrorKind::Handler, "nope")),
    });
    let m = messages(&a);
    assert_eq!(m[0].event, "pusher:signin_error");
    assert_eq!(m[0].channel, None);
    let a = r.input(Input::Text(
        r#"{"event":"pusher:signin_success","data":"{\"user_data\":\"{}\"}"}"#,
    ));
    assert_eq!(
        messages(&a)[0].event,
        "pusher:signin_error",
        "user_data without an id"
    );
}

#[test]
fn watchlist_events_pass_through() {
    let mut r = Rig::connected(opts());
    let a = r.input(Input::Text(
        r#"{"event":"pusher_internal:watchlist_events","data":"{\"events\":[{\"name\":\"online\",\"user_ids\":[\"u2\"]}]}"}"#,
    ));
    assert_eq!(messages(&a)[0].event, "pusher_internal:watchlist_events");
}
