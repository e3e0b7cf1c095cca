//! The JSON on the wire: building server frames and reading client frames.

use serde::Serialize;
use serde_json::{Map, Value};

/// One server-to-client frame, with keys in the usual Pusher order.
#[derive(Serialize)]
struct Outbound<'a, D: Serialize> {
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a str>,
    data: D,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
}

fn build<D: Serialize>(
    event: &str,
    channel: Option<&str>,
    data: D,
    user_id: Option<&str>,
) -> String {
    let frame = Outbound {
        event,
        channel,
        data,
        user_id,
    };
    // Serialising strings, numbers and string-keyed maps cannot fail.
    serde_json::to_string(&frame).unwrap_or_default()
}

/// `pusher:connection_established`; `activity_timeout` is left out when `None`.
pub(crate) fn connection_established(socket_id: &str, activity_timeout: Option<u64>) -> String {
    #[derive(Serialize)]
    struct Established<'a> {
        socket_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        activity_timeout: Option<u64>,
    }
    let data = serde_json::to_string(&Established {
        socket_id,
        activity_timeout,
    })
    .unwrap_or_default();
    build("pusher:connection_established", None, data, None)
}

/// `pusher:error` with an object `data` (`code` is `null` when `None`).
pub(crate) fn error(code: Option<u16>, message: &str) -> String {
    #[derive(Serialize)]
    struct ErrorData<'a> {
        code: Option<u16>,
        message: &'a str,
    }
    build("pusher:error", None, ErrorData { code, message }, None)
}

/// `pusher:pong`, the reply to `pusher:ping`.
pub(crate) fn pong() -> String {
    build("pusher:pong", None, "{}", None)
}

/// `pusher_internal:subscription_succeeded`; `data` is the JSON to put in the string.
pub(crate) fn subscription_succeeded(channel: &str, data: &Value) -> String {
    build(
        "pusher_internal:subscription_succeeded",
        Some(channel),
        data.to_string(),
        None,
    )
}

/// `pusher:subscription_error` of type `AuthError` with status 401.
pub(crate) fn subscription_error(channel: &str, message: &str) -> String {
    let data = serde_json::json!({ "type": "AuthError", "error": message, "status": 401 });
    build(
        "pusher:subscription_error",
        Some(channel),
        data.to_string(),
        None,
    )
}

/// `pusher_internal:member_added`.
pub(crate) fn member_added(channel: &str, user_id: &str, user_info: &Value) -> String {
    let data = serde_json::json!({ "user_id": user_id, "user_info": user_info });
    build(
        "pusher_internal:member_added",
        Some(channel),
        data.to_string(),
        None,
    )
}

/// `pusher_internal:member_removed`.
pub(crate) fn member_removed(channel: &str, user_id: &str) -> String {
    let data = serde_json::json!({ "user_id": user_id });
    build(
        "pusher_internal:member_removed",
        Some(channel),
        data.to_string(),
        None,
    )
}

/// `pusher:signin_success`, echoing the signed `user_data` string.
pub(crate) fn signin_success(user_data: &str) -> String {
    let data = serde_json::json!({ "user_data": user_data });
    build("pusher:signin_success", None, data.to_string(), None)
}

/// `pusher_internal:subscription_count` with the channel's subscriber count.
pub(crate) fn subscription_count(channel: &str, count: usize) -> String {
    let data = serde_json::json!({ "subscription_count": count });
    build(
        "pusher_internal:subscription_count",
        Some(channel),
        data.to_string(),
        None,
    )
}

/// `pusher:cache_miss`: nothing is cached for a cache channel (no `data`).
pub(crate) fn cache_miss(channel: &str) -> String {
    #[derive(Serialize)]
    struct CacheMiss<'a> {
        event: &'a str,
        channel: &'a str,
    }
    serde_json::to_string(&CacheMiss {
        event: "pusher:cache_miss",
        channel,
    })
    .unwrap_or_default()
}

/// `pusher_internal:watchlist_events` with one event, `name` being `online`
/// or `offline` (a connection-level frame: no channel).
pub(crate) fn watchlist_event(name: &str, user_ids: &[&str]) -> String {
    let data = serde_json::json!({ "events": [{ "name": name, "user_ids": user_ids }] });
    build(
        "pusher_internal:watchlist_events",
        None,
        data.to_string(),
        None,
    )
}

/// An application event on a channel; `data` goes out as a JSON string value.
/// Presence client events carry the sender's `user_id`.
pub(crate) fn event(channel: &str, event: &str, data: &str, user_id: Option<&str>) -> String {
    build(event, Some(channel), data, user_id)
}

/// A frame a client sent, as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientFrame {
    /// The `event` name.
    pub event: String,
    /// The top-level `channel`, if any.
    pub channel: Option<String>,
    /// The `data` exactly as sent (`Null` when absent).
    pub data: Value,
}

/// Reads a client frame; `None` when it is not a JSON object with a string `event`.
pub(crate) fn parse_client(text: &str) -> Option<ClientFrame> {
    let Value::Object(mut object) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    let Some(Value::String(event)) = object.remove("event") else {
        return None;
    };
    let channel = match object.remove("channel") {
        Some(Value::String(channel)) => Some(channel),
        _ => None,
    };
    let data = object.remove("data").unwrap_or(Value::Null);
    Some(ClientFrame {
        event,
        channel,
        data,
    })
}

/// The `data` of a `pusher:` event as an object, whether it came as an object
/// or as a string holding one.
pub(crate) fn data_object(data: &Value) -> Option<Map<String, Value>> {
    match data {
        Value::Object(map) => Some(map.clone()),
        Value::String(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        },
        _ => None,
    }
}

/// A string field of an object.
pub(crate) fn str_field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// Client event `data` as the string to relay: strings pass through, anything
/// else is serialised.
pub(crate) fn relay_data(data: &Value) -> String {
    match data {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn connection_established_double_encodes() {
        let frame = connection_established("1.2", Some(120));
        assert_eq!(
            frame,
            r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}"#
        );
        let frame = parse(&connection_established("1.2", None));
        assert_eq!(frame["data"], json!(r#"{"socket_id":"1.2"}"#));
    }

    #[test]
    fn error_data_is_an_object() {
        assert_eq!(
            parse(&error(Some(4001), "nope")),
            json!({"event":"pusher:error","data":{"code":4001,"message":"nope"}})
        );
        assert_eq!(parse(&error(None, "x"))["data"]["code"], Value::Null);
    }

    #[test]
    fn event_keeps_data_as_string() {
        let frame = event("c", "e", r#"{"a":1}"#, None);
        assert_eq!(frame, r#"{"event":"e","channel":"c","data":"{\"a\":1}"}"#);
        let frame = parse(&event("presence-x", "client-e", "hi", Some("7")));
        assert_eq!(frame["user_id"], json!("7"));
    }

    #[test]
    fn new_internal_frames() {
        assert_eq!(
            subscription_count("c", 3),
            r#"{"event":"pusher_internal:subscription_count","channel":"c","data":"{\"subscription_count\":3}"}"#
        );
        assert_eq!(
            cache_miss("cache-x"),
            r#"{"event":"pusher:cache_miss","channel":"cache-x"}"#
        );
        assert_eq!(
            watchlist_event("online", &["u2"]),
            r#"{"event":"pusher_internal:watchlist_events","data":"{\"events\":[{\"name\":\"online\",\"user_ids\":[\"u2\"]}]}"}"#
        );
    }

    #[test]
    fn subscription_error_shape() {
        let frame = parse(&subscription_error("private-a", "Invalid signature"));
        let data = parse(frame["data"].as_str().unwrap());
        assert_eq!(
            data,
            json!({"type":"AuthError","error":"Invalid signature","status":401})
        );
    }

    #[test]
    fn parse_client_frames() {
        let frame =
            parse_client(r#"{"event":"client-x","channel":"private-a","data":{"k":1}}"#).unwrap();
        assert_eq!(frame.event, "client-x");
        assert_eq!(frame.channel.as_deref(), Some("private-a"));
        assert_eq!(frame.data, json!({"k":1}));
        assert_eq!(
            parse_client(r#"{"event":"pusher:ping"}"#).unwrap().data,
            Value::Null
        );
        assert!(parse_client("not json").is_none());
        assert!(parse_client("[1,2]").is_none());
        assert!(parse_client(r#"{"event":5}"#).is_none());
    }

    #[test]
    fn data_object_accepts_object_or_string() {
        let expected = json!({"channel":"a"}).as_object().cloned();
        assert_eq!(data_object(&json!({"channel":"a"})), expected);
        assert_eq!(data_object(&json!(r#"{"channel":"a"}"#)), expected);
        assert_eq!(data_object(&json!("nope")), None);
        assert_eq!(data_object(&Value::Null), None);
    }

    #[test]
    fn relay_data_encodes_non_strings() {
        assert_eq!(relay_data(&json!("plain")), "plain");
        assert_eq!(relay_data(&json!({"a":[1]})), r#"{"a":[1]}"#);
    }
}
