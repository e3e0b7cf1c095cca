//! Batches as one JSON text, for `JSON.parse` on the JS thread: the same flat five-slot
//! layout as `batch.rs`, but event data that is JSON is embedded as JSON, so the JS side
//! gets finished values from a single parse (kind `MESSAGE_VALUE`).

use pusher_client::{Data, Event};
use std::fmt::Write;

use crate::batch::{
    CHANNEL_REMOVED, CONNECTING_IN, ERROR, LOG, MESSAGE_NONE, MESSAGE_TEXT, MESSAGE_VALUE, STATE,
};

fn push_str(out: &mut String, s: &str) {
    // SAFETY: serde_json writes only valid UTF-8 (a JSON string literal).
    serde_json::to_writer(unsafe { out.as_mut_vec() }, s).expect("writing to a Vec cannot fail");
}

fn push_opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.push_str("null"),
    }
}

/// Written in place of a message's event name or channel that is the same as the previous
/// message's in the batch: JSON.parse reads a small number for less than it takes to make
/// (and look up in V8's string table) the same short string again for every event.
pub(crate) const SAME_AS_BEFORE: &str = "0";

/// About the length of a batch's text, so that it is written without growing: at 1 KB per
/// event, growing from a guess of 96 B per event copied 1.4 KB more per event.
fn capacity(events: &[Event]) -> usize {
    let mut n = 2;
    for event in events {
        // The slots, commas and names; data on top. Escapes may add more (then it grows).
        n += 48;
        if let Event::Message(m) = event {
            n += match &m.data {
                Some(Data::Json(d) | Data::Text(d)) => d.len(),
                None => 0,
            };
        }
    }
    n
}

/// Encodes a batch's events.
pub(crate) fn encode(events: &[Event]) -> String {
    let mut out = String::new();
    encode_into(&mut out, events);
    out
}

/// Encodes a batch's events into `out` (empty; it may have room from an earlier batch).
pub(crate) fn encode_into(out: &mut String, events: &[Event]) {
    out.reserve(capacity(events));
    let mut last_event: Option<&str> = None;
    let mut last_channel: Option<Option<&str>> = None;
    out.push('[');
    for (n, event) in events.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        match event {
            Event::Message(m) => {
                // Data that parses as JSON goes in as JSON; other text as a string JS will
                // try to parse (pusher-js keeps what does not parse as a string).
                let (kind, raw) = match &m.data {
                    Some(Data::Json(j)) => (MESSAGE_VALUE, Some(j.as_str())),
                    Some(Data::Text(t)) if pusher_client::json_check::is_json(t) => {
                        (MESSAGE_VALUE, Some(t.as_str()))
                    }
                    Some(Data::Text(_)) => (MESSAGE_TEXT, None),
                    None => (MESSAGE_NONE, None),
                };
                let _ = write!(out, "{kind},");
                if last_event == Some(m.event.as_str()) {
                    out.push_str(SAME_AS_BEFORE);
                } else {
                    push_str(out, &m.event);
                    last_event = Some(&m.event);
                }
                out.push(',');
                if last_channel == Some(m.channel.as_deref()) {
                    out.push_str(SAME_AS_BEFORE);
                } else {
                    push_opt(out, m.channel.as_deref());
                    last_channel = Some(m.channel.as_deref());
                }
                out.push(',');
                match (&m.data, raw) {
                    (_, Some(raw)) => out.push_str(raw),
                    (Some(Data::Text(t)), None) => push_str(out, t),
                    _ => out.push_str("null"),
                }
                out.push(',');
                push_opt(out, m.user_id.as_deref());
            }
            Event::StateChange {
                previous,
                current,
                socket_id,
            } => {
                let _ = write!(
                    out,
                    "{STATE},\"{}\",\"{}\",",
                    previous.as_str(),
                    current.as_str()
                );
                push_opt(out, socket_id.as_deref());
                out.push_str(",null");
            }
            Event::ConnectingIn { delay } => {
                let _ = write!(out, "{CONNECTING_IN},null,null,{},null", delay.as_millis());
            }
            Event::Error(e) => {
                let _ = write!(out, "{ERROR},null,null,");
                out.push_str(&crate::pusher_js_error::to_pusher_js(e).to_string());
                out.push_str(",null");
            }
            Event::ChannelRemoved { channel } => {
                let _ = write!(out, "{CHANNEL_REMOVED},null,");
                push_str(out, channel);
                out.push_str(",null,null");
            }
            Event::Log(line) => {
                let _ = write!(out, "{LOG},null,null,");
                push_str(out, line);
                out.push_str(",null");
            }
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusher_client::{ConnectionState, Message};

    fn msg(data: Option<Data>) -> Event {
        Event::Message(Message {
            event: "ev".into(),
            channel: Some("ch".into()),
            data,
            user_id: None,
        })
    }

    #[test]
    fn json_data_is_embedded_and_text_is_a_string() {
        let s = encode(&[
            msg(Some(Data::Text(r#"{"a":[1,"x"]}"#.into()))),
            msg(Some(Data::Text("not json \"q\"".into()))),
            msg(Some(Data::Json("null".into()))),
            msg(None),
        ]);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let v = v.as_array().unwrap();
        assert_eq!(v[0], MESSAGE_VALUE);
        assert_eq!(v[3], serde_json::json!({"a":[1,"x"]}));
        assert_eq!(v[5], MESSAGE_TEXT);
        assert_eq!(v[8], "not json \"q\"");
        assert_eq!(v[10], MESSAGE_VALUE);
        assert_eq!(v[13], serde_json::Value::Null);
        assert_eq!(v[15], MESSAGE_NONE);
        assert_eq!(v.len(), 20);
        // The first message names its event and channel; the others repeat them.
        assert_eq!(
            (&v[1], &v[2]),
            (&serde_json::json!("ev"), &serde_json::json!("ch"))
        );
        for i in [6, 7, 11, 12, 16, 17] {
            assert_eq!(v[i], 0, "slot {i}");
        }
    }

    #[test]
    fn names_are_repeated_only_when_they_change() {
        let m = |event: &str, channel: Option<&str>| {
            Event::Message(Message {
                event: event.into(),
                channel: channel.map(Into::into),
                data: None,
                user_id: None,
            })
        };
        let s = encode(&[
            m("a", None),
            m("a", Some("c")),
            m("b", Some("c")),
            m("b", None),
            m("b", None),
        ]);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let names: Vec<_> = v
            .as_array()
            .unwrap()
            .chunks(5)
            .map(|e| (e[1].clone(), e[2].clone()))
            .collect();
        use serde_json::json;
        assert_eq!(
            names,
            [
                (json!("a"), json!(null)),
                (json!(0), json!("c")),
                (json!("b"), json!(0)),
                (json!(0), json!(null)),
                (json!(0), json!(0)),
            ]
        );
    }

    #[test]
    fn other_events_keep_the_layout() {
        let s = encode(&[
            Event::StateChange {
                previous: ConnectionState::Connecting,
                current: ConnectionState::Connected,
                socket_id: Some("1.2".into()),
            },
            Event::ChannelRemoved {
                channel: "c".into(),
            },
        ]);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                STATE,
                "connecting",
                "connected",
                "1.2",
                null,
                CHANNEL_REMOVED,
                null,
                "c",
                null,
                null
            ])
        );
    }
}
