//! The lines of Pusher's HTTP transports (SockJS's framing, as pusher-js 8.6.0 reads it in
//! `HTTPSocket.onChunk`) and the body of an `xhr_send` request.
//!
//! Every line the server writes is ASCII: JSON strings escape anything else as `\uXXXX`. So a
//! line's length in bytes is also its length in UTF-16 units, the unit of the
//! `responseText.length` that pusher-js compares with its 256 KiB stream limit, and a chunk
//! boundary can never split a character.

/// `o`: the session is open. Only the first receive request of a session gets it; pusher-js
/// closes with "Server lost session" if it comes again.
pub(crate) const OPEN: &[u8] = b"o\n";

/// `h`: a heartbeat, so the client sees activity on an idle stream.
pub(crate) const HEARTBEAT: &[u8] = b"h\n";

/// `a[...]`: frames for the client, each element a JSON string holding one Pusher message's
/// JSON text.
pub(crate) fn array_line<'a>(frames: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut line = String::from("a[");
    for (i, frame) in frames.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_json_string(&mut line, frame);
    }
    line.push_str("]\n");
    line.into_bytes()
}

/// The length in bytes that `frame` adds to an `a[...]` line (its JSON string and a comma).
pub(crate) fn encoded_len(frame: &str) -> usize {
    let mut out = String::new();
    push_json_string(&mut out, frame);
    out.len() + 1
}

/// `c[<code>,"<reason>"]`: the session is closed; pusher-js treats it as a WebSocket close
/// with this code and reason.
pub(crate) fn close_line(code: u16, reason: &str) -> Vec<u8> {
    let mut line = format!("c[{code},");
    push_json_string(&mut line, reason);
    line.push_str("]\n");
    line.into_bytes()
}

/// Appends `text` as a JSON string in ASCII: `"` and `\` and control characters escaped as
/// JSON requires, and every non-ASCII character as `\uXXXX` (a surrogate pair above U+FFFF),
/// which JSON allows everywhere.
fn push_json_string(out: &mut String, text: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Why an `xhr_send` body was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SendBodyError {
    /// The body is empty.
    #[error("Payload expected.")]
    Empty,
    /// The body is not a JSON array of strings.
    #[error("Broken JSON encoding.")]
    Malformed,
}

/// The frames in an `xhr_send` body: a JSON array of strings, each one Pusher message's JSON
/// text from the client. `[]` is pusher-js's heartbeat and holds none.
pub(crate) fn parse_send_body(body: &[u8]) -> Result<Vec<String>, SendBodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(SendBodyError::Empty);
    }
    serde_json::from_slice(body).map_err(|_| SendBodyError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: Vec<u8>) -> String {
        String::from_utf8(line).unwrap()
    }

    #[test]
    fn array_lines_hold_json_strings_of_frames() {
        let frame = r#"{"event":"e","channel":"c","data":"{\"a\":1}"}"#;
        let line = text(array_line([frame, "x"]));
        assert_eq!(
            line,
            r#"a["{\"event\":\"e\",\"channel\":\"c\",\"data\":\"{\\\"a\\\":1}\"}","x"]"#.to_owned()
                + "\n"
        );
        // What pusher-js does with it: JSON.parse(line.slice(1)) gives the frames back.
        let parsed: Vec<String> = serde_json::from_str(line[1..].trim_end()).unwrap();
        assert_eq!(parsed, vec![frame.to_owned(), "x".to_owned()]);
        assert_eq!(text(array_line([])), "a[]\n");
    }

    #[test]
    fn lines_are_ascii_and_round_trip_any_text() {
        let frame = "é \u{2028} 😀 \u{1} \"q\" \\ \n\t";
        let line = text(array_line([frame]));
        assert!(line.is_ascii(), "{line}");
        assert_eq!(line.matches('\n').count(), 1, "one line: {line:?}");
        assert!(line.contains(r"\u00e9") && line.contains(r"\ud83d\ude00"));
        let parsed: Vec<String> = serde_json::from_str(line[1..].trim_end()).unwrap();
        assert_eq!(parsed, vec![frame.to_owned()]);
        assert_eq!(encoded_len(frame), line.len() - "a[]\n".len() + 1);
    }

    #[test]
    fn close_lines_carry_code_and_reason() {
        assert_eq!(
            text(close_line(4009, "Bye \"now\"")),
            "c[4009,\"Bye \\\"now\\\"\"]\n"
        );
        let line = text(close_line(3000, "Go away!"));
        let parsed: serde_json::Value = serde_json::from_str(line[1..].trim_end()).unwrap();
        assert_eq!(parsed, serde_json::json!([3000, "Go away!"]));
        assert_eq!(OPEN, b"o\n");
        assert_eq!(HEARTBEAT, b"h\n");
    }

    #[test]
    fn send_bodies_are_arrays_of_strings() {
        assert_eq!(parse_send_body(b"[]"), Ok(vec![]));
        assert_eq!(
            parse_send_body(br#"["{\"event\":\"pusher:ping\",\"data\":{}}", "b"]"#),
            Ok(vec![
                r#"{"event":"pusher:ping","data":{}}"#.to_owned(),
                "b".to_owned()
            ])
        );
        assert_eq!(parse_send_body(b""), Err(SendBodyError::Empty));
        assert_eq!(parse_send_body(b" \n"), Err(SendBodyError::Empty));
        for bad in [&b"[1]"[..], b"{}", b"\"a\"", b"[\"a\"", b"not json"] {
            assert_eq!(
                parse_send_body(bad),
                Err(SendBodyError::Malformed),
                "{bad:?}"
            );
        }
    }
}
