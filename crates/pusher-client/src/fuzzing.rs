//! Entry points for the cargo-fuzz targets in `crates/pusher-client/fuzz` (feature
//! `fuzzing`). Not an API: each takes the fuzzer's bytes and panics when a property fails.

use crate::http_frames::{parse_line, Lines};
use crate::pusher_frame;
use crate::state::{Input, Machine};
use crate::ws_diff;
use crate::ws_error::WebSocketErrorKind;
use crate::ws_handshake::{self, MAX_RESPONSE_HEAD};
use crate::ClientOptions;
use std::time::Instant;

/// Server bytes to our frame reader and to tungstenite's: they must agree (see
/// `ws_diff::disagreement`). The first byte picks the message limit, the next the number of
/// read sizes (up to 7) that follow, one byte each; the rest is the stream.
pub fn frame_reader(data: &[u8]) {
    let [limit, reads, rest @ ..] = data else {
        return;
    };
    let max = [16, 125, 126, 300, 1000, 70_000][*limit as usize % 6];
    let n = (*reads as usize % 8).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    let mut chunks = Vec::new();
    let mut left = stream;
    for &size in sizes {
        let (head, tail) = left.split_at((size as usize).min(left.len()));
        chunks.push(head);
        left = tail;
    }
    chunks.push(left);
    if let Some(why) = ws_diff::disagreement(&chunks, max) {
        panic!("our reader and tungstenite disagree (max {max}):\n{why}");
    }
}

/// The `Sec-WebSocket-Key` of the handshake fuzz target (RFC 6455's example nonce).
pub const HANDSHAKE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The server's answer to an upgrade request sent with [`HANDSHAKE_KEY`]: whatever it is,
/// the check ends in a handshake error, a wait for more, or a head length that is the same
/// for the head alone and that an accepted head really is whole.
pub fn handshake_response(data: &[u8]) {
    match ws_handshake::check_response(data, HANDSHAKE_KEY) {
        Ok(None) => assert!(data.len() < MAX_RESPONSE_HEAD),
        Ok(Some(head)) => {
            assert!(head <= data.len());
            let accept = tungstenite::handshake::derive_accept_key(HANDSHAKE_KEY.as_bytes());
            let within = &data[..head];
            assert!(within.windows(accept.len()).any(|w| w == accept.as_bytes()));
            assert_eq!(
                ws_handshake::check_response(within, HANDSHAKE_KEY),
                Ok(Some(head))
            );
            assert_eq!(
                ws_handshake::check_response(&within[..head - 1], HANDSHAKE_KEY),
                Ok(None)
            );
        }
        Err(e) => {
            assert!(e.kind().is_handshake(), "{e:?}");
            if e.kind() == WebSocketErrorKind::ResponseTooLong {
                assert!(data.len() >= MAX_RESPONSE_HEAD);
            }
            let _ = e.to_string();
        }
    }
}

/// A text frame from the server through the Pusher frame parser, then through the
/// connection's state machine as the first frame and as a frame once connected.
pub fn pusher_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = pusher_frame::decode(text) {
        if let Some(d) = &f.data {
            let _ = d.parse::<serde_json::Value>();
        }
    }
    let _ = pusher_frame::redact(text);
    let now = Instant::now();
    let mut first = Machine::new(ClientOptions::new("key"), now);
    first.handle(Input::Connect, now);
    first.handle(Input::SocketOpened, now);
    first.handle(Input::Text(text), now);
    let _ = first.take_actions();

    let mut open = Machine::new(ClientOptions::new("key"), now);
    open.handle(Input::Connect, now);
    open.handle(Input::SocketOpened, now);
    open.handle(
        Input::Text(
            r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":30}"}"#,
        ),
        now,
    );
    open.handle(Input::Subscribe("private-c"), now);
    open.handle(Input::Subscribe("presence-c"), now);
    open.handle(Input::Text(text), now);
    let _ = open.take_actions();
}

/// The body of an HTTP transport's receive request, cut into chunks at the first byte's
/// choice: every line is parsed, a line over the limit or not UTF-8 is refused, and nothing
/// panics. The same bytes in one chunk and in two give the same lines.
pub fn http_lines(data: &[u8]) {
    let [cut, rest @ ..] = data else {
        return;
    };
    let collect = |chunks: &[&[u8]]| {
        let mut lines = Lines::default();
        let mut seen = Vec::new();
        for chunk in chunks {
            let read = lines.push(chunk, 512, |line| {
                seen.push((line.to_owned(), parse_line(line).is_ok()));
                Ok(())
            });
            if read.is_err() {
                seen.push(("<refused>".to_owned(), false));
                break;
            }
        }
        seen
    };
    let at = (*cut as usize).min(rest.len());
    let (a, b) = rest.split_at(at);
    let whole = collect(&[rest]);
    let split = collect(&[a, b]);
    // A refusal may come a chunk earlier when split (the limit is judged per chunk too), so
    // compare up to the first refusal.
    let upto = |v: &Vec<(String, bool)>| v.iter().take_while(|(l, _)| l != "<refused>").count();
    let n = upto(&whole).min(upto(&split));
    assert_eq!(
        whole[..n],
        split[..n],
        "lines differ when the body is cut at {at}"
    );
}

/// Our one-pass readers against serde_json, the library they stand in for: where the frame
/// scan answers, it answers as serde does; and no text passes the JSON check that serde
/// refuses (the check may refuse more: nesting past its limit).
pub fn scan_against_serde(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if crate::pusher_frame_scan::scan(text).is_some() {
        let ours = pusher_frame::decode(text).ok();
        let serde = pusher_frame::decode_with_serde(text).ok();
        assert_eq!(ours, serde, "the scan and serde disagree on {text:?}");
    }
    if crate::json_check::is_json(text) {
        let serde = serde_json::from_str::<serde::de::IgnoredAny>(text);
        assert!(serde.is_ok(), "passed as JSON, refused by serde: {text:?}");
    }
}
