//! The Pusher wire format: decoding frames from the server, encoding frames to it.
//!
//! Every frame is one JSON object `{"event", "channel"?, "data"?, "user_id"?}`. Servers put
//! JSON *inside a string* in `data` (double encoding), but some send objects; both are kept
//! as they came so the JS side can decode them exactly as pusher-js does.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The `data` of an incoming event, kept undecoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// `data` was a JSON value other than a string; this is its JSON text.
    Json(String),
    /// `data` was a JSON string; this is the unescaped string, which may itself hold JSON.
    Text(String),
}

impl Data {
    fn from_raw(raw: &RawValue) -> Result<Data, serde_json::Error> {
        let text = raw.get();
        if text.starts_with('"') {
            let s: Cow<'_, str> = serde_json::from_str(text)?;
            Ok(Data::Text(s.into_owned()))
        } else {
            Ok(Data::Json(text.to_owned()))
        }
    }

    /// Decodes the data as `T`, looking inside a string if the server double-encoded it.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match self {
            Data::Json(s) | Data::Text(s) => serde_json::from_str(s).ok(),
        }
    }
}

/// A decoded incoming frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The event name.
    pub event: String,
    /// The channel, when the event belongs to one.
    pub channel: Option<String>,
    /// The payload, if the frame had one.
    pub data: Option<Data>,
    /// The member who sent a presence client event.
    pub user_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum UserId<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    Num(serde_json::Number),
    Other(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
struct WireFrame<'a> {
    #[serde(borrow)]
    event: Cow<'a, str>,
    #[serde(borrow, default)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user_id: Option<UserId<'a>>,
}

/// Keeps `"data": null` as a value (pusher-js passes `null` on), unlike `Option`'s default.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Why a text frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The text is not JSON, or not an object with a string `event`.
    #[error("invalid frame: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// Decodes one text frame.
pub fn decode(text: &str) -> Result<Frame, FrameError> {
    // Frames of the common shape in one pass; serde reads the rest (and says what is wrong).
    if let Some(f) = crate::pusher_frame_scan::scan(text) {
        return Ok(Frame {
            event: f.event.into_owned(),
            channel: f.channel.map(Cow::into_owned),
            data: f.data,
            // pusher-js keeps `user_id` only when it is truthy.
            user_id: f.user_id.filter(|u| !u.is_empty()).map(Cow::into_owned),
        });
    }
    decode_with_serde(text)
}

pub(crate) fn decode_with_serde(text: &str) -> Result<Frame, FrameError> {
    let wire: WireFrame<'_> = serde_json::from_str(text)?;
    let data = match wire.data {
        Some(raw) => Some(Data::from_raw(raw)?),
        None => None,
    };
    // pusher-js keeps `user_id` only when it is truthy.
    let user_id = match wire.user_id {
        Some(UserId::Str(s)) if !s.is_empty() => Some(s.into_owned()),
        Some(UserId::Num(n)) if n.as_f64() != Some(0.0) => Some(n.to_string()),
        _ => None,
    };
    Ok(Frame {
        event: wire.event.into_owned(),
        channel: wire.channel.map(Cow::into_owned),
        data,
        user_id,
    })
}

/// `{"event":"pusher:ping","data":{}}`
pub const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
/// `{"event":"pusher:pong","data":{}}`
pub const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serialises")
}

/// `pusher:subscribe`, with `auth` and `channel_data` as pusher-js orders them.
pub fn subscribe(channel: &str, auth: &str, channel_data: Option<&str>) -> String {
    let mut out = format!(
        r#"{{"event":"pusher:subscribe","data":{{"auth":{}"#,
        json_str(auth)
    );
    if let Some(cd) = channel_data {
        out.push_str(r#","channel_data":"#);
        out.push_str(&json_str(cd));
    }
    out.push_str(r#","channel":"#);
    out.push_str(&json_str(channel));
    out.push_str("}}");
    out
}

/// `pusher:signin`.
pub fn signin(auth: &str, user_data: &str) -> String {
    format!(
        r#"{{"event":"pusher:signin","data":{{"auth":{},"user_data":{}}}}}"#,
        json_str(auth),
        json_str(user_data)
    )
}

/// `pusher:unsubscribe`.
pub fn unsubscribe(channel: &str) -> String {
    format!(
        r#"{{"event":"pusher:unsubscribe","data":{{"channel":{}}}}}"#,
        json_str(channel)
    )
}

/// Any event the client sends; `data` is JSON text (an object stays an object on the wire).
pub fn event(name: &str, data: Option<&str>, channel: Option<&str>) -> String {
    let mut out = format!(r#"{{"event":{}"#, json_str(name));
    if let Some(d) = data {
        out.push_str(r#","data":"#);
        out.push_str(d);
    }
    if let Some(c) = channel {
        out.push_str(r#","channel":"#);
        out.push_str(&json_str(c));
    }
    out.push('}');
    out
}

/// The frame as it may be logged: `auth` signatures cut short.
pub fn redact(text: &str) -> String {
    let Some(start) = text.find(r#""auth":""#) else {
        return text.to_owned();
    };
    let value_start = start + r#""auth":""#.len();
    let rest = &text[value_start..];
    let value_end = rest.find('"').unwrap_or(rest.len());
    let value = &rest[..value_end];
    let shown = match value.find(':') {
        Some(colon) => {
            let sig = &value[colon + 1..];
            // Characters, not bytes: a server may put anything in a frame it sends.
            format!(
                "{}:{}…",
                &value[..colon],
                sig.chars().take(6).collect::<String>()
            )
        }
        None => value.chars().take(6).collect::<String>() + "…",
    };
    if value.is_empty() {
        return text.to_owned();
    }
    format!("{}{}{}", &text[..value_start], shown, &rest[value_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_data_stays_a_string() {
        let f = decode(r#"{"event":"e","channel":"c","data":"{\"a\":1}"}"#).unwrap();
        assert_eq!(f.event, "e");
        assert_eq!(f.channel.as_deref(), Some("c"));
        assert_eq!(f.data, Some(Data::Text(r#"{"a":1}"#.into())));
    }

    #[test]
    fn object_data_is_kept_as_json_text() {
        let f = decode(r#"{"event":"pusher:error","data":{"code":null,"message":"x"}}"#).unwrap();
        assert_eq!(
            f.data,
            Some(Data::Json(r#"{"code":null,"message":"x"}"#.into()))
        );
        assert_eq!(f.channel, None);
    }

    #[test]
    fn missing_and_null_data() {
        assert_eq!(decode(r#"{"event":"e"}"#).unwrap().data, None);
        assert_eq!(
            decode(r#"{"event":"e","data":null}"#).unwrap().data,
            Some(Data::Json("null".into()))
        );
    }

    #[test]
    fn user_id_kept_when_truthy_and_numbers_become_strings() {
        let f = decode(r#"{"event":"client-x","user_id":"u2","data":"1"}"#).unwrap();
        assert_eq!(f.user_id.as_deref(), Some("u2"));
        let f = decode(r#"{"event":"client-x","user_id":42}"#).unwrap();
        assert_eq!(f.user_id.as_deref(), Some("42"));
        assert_eq!(
            decode(r#"{"event":"e","user_id":""}"#).unwrap().user_id,
            None
        );
        assert_eq!(
            decode(r#"{"event":"e","user_id":{}}"#).unwrap().user_id,
            None
        );
    }

    #[test]
    fn malformed_frames_are_errors() {
        assert!(decode("not json").is_err());
        assert!(decode("[1,2]").is_err());
        assert!(decode(r#"{"data":"x"}"#).is_err());
        assert!(decode(r#"{"event":5}"#).is_err());
        assert!(decode(r#""just a string""#).is_err());
    }

    #[test]
    fn escaped_strings_are_unescaped() {
        let f = decode(r#"{"event":"e","data":"line\nnext \"q\""}"#).unwrap();
        assert_eq!(f.data, Some(Data::Text("line\nnext \"q\"".into())));
    }

    #[test]
    fn data_parse_looks_inside_strings() {
        #[derive(serde::Deserialize)]
        struct E {
            socket_id: String,
        }
        let f = decode(
            r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}"#,
        )
        .unwrap();
        assert_eq!(f.data.unwrap().parse::<E>().unwrap().socket_id, "1.2");
    }

    #[test]
    fn encodes_frames_as_pusher_js_does() {
        assert_eq!(
            subscribe("pub", "", None),
            r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"pub"}}"#
        );
        assert_eq!(
            subscribe("presence-a", "k:s", Some(r#"{"user_id":"u1"}"#)),
            r#"{"event":"pusher:subscribe","data":{"auth":"k:s","channel_data":"{\"user_id\":\"u1\"}","channel":"presence-a"}}"#
        );
        assert_eq!(
            unsubscribe("pub"),
            r#"{"event":"pusher:unsubscribe","data":{"channel":"pub"}}"#
        );
        assert_eq!(
            event("client-hello", Some(r#"{"x":1}"#), Some("private-a")),
            r#"{"event":"client-hello","data":{"x":1},"channel":"private-a"}"#
        );
        assert_eq!(event("e", None, None), r#"{"event":"e"}"#);
    }

    #[test]
    fn redaction_hides_signatures() {
        let f = subscribe(
            "private-a",
            "278d425bdf160c739803:58df8b0c36d6982b82c3",
            None,
        );
        let r = redact(&f);
        assert!(!r.contains("58df8b0c36d6982b82c3"), "{r}");
        assert!(r.contains("278d425bdf160c739803:58df8b"), "{r}");
        assert_eq!(redact(PING), PING);
    }

    #[test]
    fn redaction_cuts_signatures_between_characters() {
        // Found by the pusher_frame fuzz target: a byte cut inside 'ʚ' panicked.
        let r = redact("{\"auth\":\"pk:3\u{1f}\u{1f}\u{1f}\u{2}ʚ;u\"}");
        assert_eq!(r, "{\"auth\":\"pk:3\u{1f}\u{1f}\u{1f}\u{2}ʚ…\"}");
        assert_eq!(
            redact(r#"{"auth":"k:éééééééé"}"#),
            r#"{"auth":"k:éééééé…"}"#
        );
    }

    /// A bounded fuzz run on stable Rust: mutations of real frames never panic the decoder,
    /// and whatever decodes has an event name.
    #[test]
    fn mutated_frames_never_panic() {
        let seeds = [
            r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}"#,
            r#"{"event":"e","channel":"c","data":"{\"a\":[1,2,{\"b\":null}]}","user_id":"u"}"#,
            r#"{"event":"pusher:error","data":{"code":null,"message":"x\u00e9"}}"#,
            r#" { "channel" : null , "data":"a\n\"b\"\/\\\t" ,"event":"e\"q"} "#,
        ];
        let mut scanned = 0;
        let mutations = crate::mutations::Mutations {
            seeds: &seeds,
            count: 20_000,
            max_edits: 4,
            alphabet: b"{}[]\":,\\u0",
            any_byte: true,
            seed: 42,
        };
        mutations.run(|bytes| {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                // The one-pass scan answers only where serde agrees.
                if crate::pusher_frame_scan::scan(text).is_some() {
                    assert_eq!(decode(text).ok(), decode_with_serde(text).ok(), "{text}");
                    scanned += 1;
                }
                if let Ok(frame) = decode(text) {
                    let _ = frame.event.len();
                    if let Some(d) = &frame.data {
                        let _ = d.parse::<serde_json::Value>();
                    }
                }
            }
        });
        assert!(
            scanned > 1_000,
            "only {scanned} mutations took the one-pass scan"
        );
    }

    #[test]
    fn one_pass_scan_agrees_with_serde() {
        let frames = [
            r#"{"event":"e","channel":"c","data":"{\"id\":1,\"pad\":\"xx\"}"}"#,
            r#"{"data":"x","event":"e"}"#,
            r#"{"event":"e","data":null,"channel":null}"#,
            r#"{"event":"e","user_id":"","data":"1"}"#,
            r#"{"event":"e","user_id":"u","data":"1"}"#,
            "\t{\"event\" :\r\"e\",\n\"data\":\"\"}  ",
            r#"{"event":"e\b\f","data":"\u00e9"}"#,
            r#"{"event":"e","event":"f"}"#,
            "{\"event\":\"a\u{1}b\"}",
            r#"{"event":"é","channel":"ünï"}"#,
            r#"{"event":"e","data":"x\q"}"#,
            r#"{"event":"e",}"#,
            r#"{"event":"e"} x"#,
            r#"{"event":"e""#,
            r#"{"event":"e","data":nul}"#,
            r#"{}"#,
        ];
        for text in frames {
            assert_eq!(decode(text).ok(), decode_with_serde(text).ok(), "{text}");
        }
        // Long runs, with the special byte at every offset of the 8-byte steps.
        for n in 0..40 {
            let text = format!(
                r#"{{"event":"e","data":"{}\"{}"}}"#,
                "x".repeat(n),
                "y".repeat(n)
            );
            let frame = decode(&text).unwrap();
            assert_eq!(frame, decode_with_serde(&text).unwrap());
            assert!(crate::pusher_frame_scan::scan(&text).is_some());
        }
    }
}
