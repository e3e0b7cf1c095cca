//! Batches as one JSON text, for `JSON.parse` on the JS thread: the same flat five-slot
//! layout as `batch.rs`, but event data that is JSON is embedded as JSON, so the JS side
//! gets finished values from a single parse (kind `MESSAGE_VALUE`).

use pusher_client::{Data, Event};
use serde::de::IgnoredAny;
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

/// Encodes a batch's events.
pub(crate) fn encode(events: &[Event]) -> String {
    let mut out = String::with_capacity(64 + events.len() * 96);
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
                    Some(Data::Text(t)) if serde_json::from_str::<IgnoredAny>(t).is_ok() => {
                        (MESSAGE_VALUE, Some(t.as_str()))
                    }
                    Some(Data::Text(_)) => (MESSAGE_TEXT, None),
                    None => (MESSAGE_NONE, None),
                };
                let _ = write!(out, "{kind},");
                push_str(&mut out, &m.event);
                out.push(',');
                push_opt(&mut out, m.channel.as_deref());
                out.push(',');
                match (&m.data, raw) {
                    (_, Some(raw)) => out.push_str(raw),
                    (Some(Data::Text(t)), None) => push_str(&mut out, t),
                    _ => out.push_str("null"),
                }
                out.push(',');
                push_opt(&mut out, m.user_id.as_deref());
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
                push_opt(&mut out, socket_id.as_deref());
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
                push_str(&mut out, channel);
                out.push_str(",null,null");
            }
            Event::Log(line) => {
                let _ = write!(out, "{LOG},null,null,");
                push_str(&mut out, line);
                out.push_str(",null");
            }
        }
    }
    out.push(']');
    out
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
