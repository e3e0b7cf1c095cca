use super::*;
use crate::ws_error::WebSocketErrorKind as Kind;

const OP_CONTINUATION: u8 = 0x0;
const TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// A frame as a server sends it: unmasked.
fn server_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
    let len = payload.len();
    if len < 126 {
        out.push(len as u8);
    } else if len <= 0xffff {
        out.push(126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// Everything `read` hands over, owned, and the bytes it used.
fn read_all(
    reader: &mut Reader,
    buf: &[u8],
    max: usize,
) -> Result<(Vec<String>, usize), WebSocketError> {
    let mut seen = Vec::new();
    let used = reader.read(buf, max, |m| {
        seen.push(match m {
            Incoming::Text(t) => format!("text:{t}"),
            Incoming::Binary => "binary".into(),
            Incoming::Ping(p) => format!("ping:{}", String::from_utf8_lossy(p)),
            Incoming::Pong => "pong".into(),
            Incoming::Close(code, reason) => format!("close:{code:?}:{reason}"),
        });
        true
    })?;
    Ok((seen, used))
}

#[test]
fn whole_frames_are_read_in_order_and_a_partial_one_waits() {
    let mut buf = server_frame(true, TEXT, b"one");
    buf.extend(server_frame(true, OP_BINARY, &[0, 1, 2]));
    buf.extend(server_frame(true, OP_PING, b"hi"));
    buf.extend(server_frame(true, PONG, b""));
    let complete = buf.len();
    let next = server_frame(true, TEXT, b"two");
    buf.extend_from_slice(&next[..3]);
    let mut reader = Reader::default();
    let (seen, used) = read_all(&mut reader, &buf, 1 << 20).unwrap();
    assert_eq!(seen, ["text:one", "binary", "ping:hi", "pong"]);
    assert_eq!(used, complete);
    let (seen, used) = read_all(&mut reader, &next, 1 << 20).unwrap();
    assert_eq!((seen, used), (vec!["text:two".to_owned()], next.len()));
}

#[test]
fn every_split_of_a_frame_waits_for_the_rest() {
    for payload_len in [0, 5, 125, 126, 300, 65_535, 65_536, 70_000] {
        let payload = "x".repeat(payload_len);
        let frame = server_frame(true, TEXT, payload.as_bytes());
        for cut in [0, 1, 2, 3, 9, 10, frame.len() - 1] {
            let cut = cut.min(frame.len() - 1);
            let (seen, used) = read_all(&mut Reader::default(), &frame[..cut], 1 << 20).unwrap();
            assert!(seen.is_empty() && used == 0, "len {payload_len} cut {cut}");
        }
        let (seen, used) = read_all(&mut Reader::default(), &frame, 1 << 20).unwrap();
        assert_eq!((seen.len(), used), (1, frame.len()), "len {payload_len}");
        assert_eq!(seen[0].len(), "text:".len() + payload_len);
    }
}

#[test]
fn fragments_are_joined_and_control_frames_may_come_between() {
    let mut buf = server_frame(false, TEXT, b"{\"event\":");
    buf.extend(server_frame(true, OP_PING, b"p"));
    buf.extend(server_frame(false, OP_CONTINUATION, b"\"a\""));
    buf.extend(server_frame(true, OP_CONTINUATION, b"}"));
    let (seen, used) = read_all(&mut Reader::default(), &buf, 1 << 20).unwrap();
    assert_eq!(seen, ["ping:p", "text:{\"event\":\"a\"}"]);
    assert_eq!(used, buf.len());
}

#[test]
fn fragments_may_arrive_in_separate_reads() {
    let mut reader = Reader::default();
    let first = server_frame(false, TEXT, "é".as_bytes().split_at(1).0);
    let last = server_frame(true, OP_CONTINUATION, "é".as_bytes().split_at(1).1);
    assert_eq!(read_all(&mut reader, &first, 100).unwrap().0.len(), 0);
    assert_eq!(read_all(&mut reader, &last, 100).unwrap().0, ["text:é"]);
}

#[test]
fn close_frames_carry_code_and_reason_and_end_the_read() {
    let mut body = 4200u16.to_be_bytes().to_vec();
    body.extend_from_slice(b"bye");
    let mut buf = server_frame(true, CLOSE, &body);
    let close_len = buf.len();
    buf.extend(server_frame(true, TEXT, b"after"));
    let (seen, used) = read_all(&mut Reader::default(), &buf, 100).unwrap();
    assert_eq!(seen, ["close:Some(4200):bye"]);
    assert_eq!(used, close_len);
    let (seen, _) = read_all(&mut Reader::default(), &server_frame(true, CLOSE, b""), 100).unwrap();
    assert_eq!(seen, ["close:None:"]);
}

#[test]
fn a_false_from_the_callback_stops_after_that_message() {
    let mut buf = server_frame(true, TEXT, b"a");
    let first = buf.len();
    buf.extend(server_frame(true, TEXT, b"b"));
    let used = Reader::default().read(&buf, 100, |_| false).unwrap();
    assert_eq!(used, first);
}

#[test]
fn what_the_rfc_forbids_is_refused_by_rule() {
    let cases: Vec<(Vec<u8>, Kind)> = vec![
        (vec![0x81 | 0x40, 0], Kind::ReservedBits),
        (vec![0x81 | 0x10, 0], Kind::ReservedBits),
        (vec![0x81, 0x80, 1, 2, 3, 4], Kind::MaskedFrame),
        (vec![0x83, 0], Kind::UnknownOpcode),
        (vec![0x8b, 0], Kind::UnknownOpcode),
        (
            server_frame(false, OP_PING, b""),
            Kind::FragmentedControlFrame,
        ),
        (
            server_frame(true, OP_PING, &[0; 126]),
            Kind::ControlFrameTooLong,
        ),
        (
            server_frame(true, OP_CONTINUATION, b"x"),
            Kind::UnexpectedContinuation,
        ),
        (server_frame(true, CLOSE, &[3]), Kind::InvalidClosePayload),
        (
            server_frame(true, CLOSE, &[3, 232, 0xff]),
            Kind::InvalidUtf8,
        ),
        (server_frame(true, TEXT, &[0xff, 0xfe]), Kind::InvalidUtf8),
        (
            [
                server_frame(false, TEXT, b"a"),
                server_frame(true, TEXT, b"b"),
            ]
            .concat(),
            Kind::UnfinishedMessage,
        ),
        (
            [
                server_frame(false, OP_BINARY, b"a"),
                server_frame(true, OP_BINARY, b"b"),
            ]
            .concat(),
            Kind::UnfinishedMessage,
        ),
    ];
    for (bytes, want) in cases {
        let got = read_all(&mut Reader::default(), &bytes, 200).map_err(|e| e.kind());
        assert_eq!(got, Err(want), "{bytes:02x?}");
    }
}

#[test]
fn a_frame_breaking_two_rules_is_refused_for_the_first_tungstenite_checks() {
    // Too large before reserved bits, masking or control-frame rules.
    let frame = server_frame(true, OP_PING | 0x40, &[0; 126]);
    let got = read_all(&mut Reader::default(), &frame, 100).map_err(|e| e.kind());
    assert_eq!(got, Err(Kind::TooLarge));
    // A continuation too large for the message before its bad UTF-8.
    let mut bytes = server_frame(false, TEXT, &[b'x'; 60]);
    bytes.extend(server_frame(true, OP_CONTINUATION, &[0xff; 60]));
    let got = read_all(&mut Reader::default(), &bytes, 100).map_err(|e| e.kind());
    assert_eq!(got, Err(Kind::TooLarge));
}

#[test]
fn bad_utf8_fails_when_its_fragment_arrives() {
    let mut bytes = server_frame(false, TEXT, b"ok \xff");
    bytes.extend(server_frame(true, OP_PING, b"never seen"));
    let mut seen = Vec::new();
    let got = Reader::default().read(&bytes, 100, |m| {
        seen.push(format!("{m:?}"));
        true
    });
    assert_eq!(got.map_err(|e| e.kind()), Err(Kind::InvalidUtf8));
    assert!(seen.is_empty(), "nothing after the bad fragment: {seen:?}");
}

#[test]
fn a_character_cut_between_fragments_is_joined_and_checked_whole() {
    let euro = "€".as_bytes();
    let mut bytes = server_frame(false, TEXT, &euro[..1]);
    bytes.extend(server_frame(false, OP_CONTINUATION, &euro[1..2]));
    bytes.extend(server_frame(true, OP_CONTINUATION, &euro[2..]));
    assert_eq!(
        read_all(&mut Reader::default(), &bytes, 100).unwrap().0,
        ["text:€"]
    );
    // The same cut character, finished wrongly.
    let mut bytes = server_frame(false, TEXT, &euro[..2]);
    bytes.extend(server_frame(false, OP_CONTINUATION, b"x"));
    let got = read_all(&mut Reader::default(), &bytes, 100).map_err(|e| e.kind());
    assert_eq!(got, Err(Kind::InvalidUtf8));
    // Or never finished.
    let mut bytes = server_frame(false, TEXT, &euro[..2]);
    bytes.extend(server_frame(true, OP_CONTINUATION, b""));
    let got = read_all(&mut Reader::default(), &bytes, 100).map_err(|e| e.kind());
    assert_eq!(got, Err(Kind::InvalidUtf8));
}

#[test]
fn binary_payload_is_skipped_as_it_arrives() {
    let payload = vec![7u8; 5000];
    let mut bytes = server_frame(false, OP_BINARY, &payload);
    bytes.extend(server_frame(true, OP_PING, b"p"));
    bytes.extend(server_frame(true, OP_CONTINUATION, &payload));
    bytes.extend(server_frame(true, TEXT, b"after"));
    let mut reader = Reader::default();
    let mut seen = Vec::new();
    // Fed 100 bytes at a time, as a socket might: every byte is used at once except the
    // start of a header or of a text frame, so nothing of the binary message is kept.
    let mut kept: Vec<u8> = Vec::new();
    let mut most_kept = 0;
    for chunk in bytes.chunks(100) {
        kept.extend_from_slice(chunk);
        let used = reader
            .read(&kept, 20_000, |m| {
                seen.push(format!("{m:?}"));
                true
            })
            .unwrap();
        kept.drain(..used);
        most_kept = most_kept.max(kept.len());
    }
    assert!(kept.is_empty());
    assert!(most_kept < 20, "kept {most_kept} bytes at most");
    assert_eq!(seen, ["Ping([112])", "Binary", "Text(\"after\")"]);
}

#[test]
fn binary_messages_count_against_the_limit() {
    let mut bytes = server_frame(false, OP_BINARY, &[0; 60]);
    bytes.extend(server_frame(true, OP_CONTINUATION, &[0; 60]));
    let got = read_all(&mut Reader::default(), &bytes, 100).map_err(|e| e.kind());
    assert_eq!(got, Err(Kind::TooLarge));
}

#[test]
fn close_replies_echo_allowed_codes_and_refuse_the_rest() {
    assert_eq!(close_reply(None), None);
    for code in [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 4000, 4200, 4999,
    ] {
        assert_eq!(close_reply(Some(code)), Some(code), "{code}");
    }
    for code in [
        0,
        999,
        1004,
        1005,
        1006,
        1014,
        1015,
        1016,
        2999,
        5000,
        u16::MAX,
    ] {
        assert_eq!(close_reply(Some(code)), Some(1002), "{code}");
    }
}

/// Undoes what `encode` did, as a server would.
fn unmask(frame: &[u8]) -> (u8, Vec<u8>) {
    assert_eq!(frame[0] & 0xf0, 0x80, "final, no reserved bits");
    assert_eq!(frame[1] & 0x80, 0x80, "client frames are masked");
    let (len, at) = match frame[1] & 0x7f {
        126 => (u16::from_be_bytes([frame[2], frame[3]]) as usize, 4),
        127 => (
            u64::from_be_bytes(frame[2..10].try_into().unwrap()) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let mask = &frame[at..at + 4];
    let payload: Vec<u8> = frame[at + 4..]
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    assert_eq!(payload.len(), len);
    (frame[0] & 0x0f, payload)
}

#[test]
fn encoded_frames_are_masked_and_decode_back() {
    for len in [0, 1, 125, 126, 65_535, 65_536] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        encode(OP_TEXT, &payload, [0x12, 0x34, 0x56, 0x78], &mut out);
        let (opcode, back) = unmask(&out);
        assert_eq!((opcode, back), (TEXT, payload));
    }
    let mut out = Vec::new();
    encode(OP_CLOSE, &close_body(Some(1000)), [1, 2, 3, 4], &mut out);
    assert_eq!(unmask(&out), (CLOSE, vec![0x03, 0xe8]));
    out.clear();
    encode(OP_CLOSE, &close_body(None), [1, 2, 3, 4], &mut out);
    assert_eq!(unmask(&out), (CLOSE, vec![]));
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if let Some(b) = bytes.get_mut(1) {
            *b &= 0x7f;
        }
        let mut reader = Reader::default();
        if let Ok(used) = reader.read(&bytes, 64, |_| true) {
            assert!(used <= bytes.len());
        }
    }
}
