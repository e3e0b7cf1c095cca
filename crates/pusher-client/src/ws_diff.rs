//! Our frame reader against tungstenite's own `WebSocket` (client role): the same server
//! bytes, split into the same reads, must give the same messages, the same pongs and close
//! answer written back, and the same verdict. Used by the differential test and the frame
//! reader's fuzz target.

use crate::ws_codec::{Codec, ReadEnd};
use crate::ws_frame::Incoming;
use std::collections::VecDeque;
use std::io::{self, Cursor, Read, Write};
use tungstenite::error::{Error, ProtocolError};
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::{Message, Role, WebSocket, WebSocketConfig};

/// A message or control frame as both readers report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A text message.
    Text(String),
    /// A binary message (content not compared: we never keep it).
    Binary,
    /// A ping with its payload.
    Ping(Vec<u8>),
    /// A pong.
    Pong,
}

/// How reading a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The stream ran out (mid-frame or not) without a close frame.
    Eof,
    /// A close frame arrived; the code as the application sees it (a code that may not be
    /// on the wire reads as 1002, as tungstenite reports it).
    Closed(Option<u16>),
    /// A broken rule, by the close code that answers it: 1002, 1007 or 1009.
    Failed(u16),
}

/// Everything one reader made of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Messages and control frames, in order.
    pub seen: Vec<Seen>,
    /// Frames written back (opcode, payload; a close frame's payload cut to its code),
    /// without the close we send for a broken rule (its code is in `end`).
    pub written: Vec<(u8, Vec<u8>)>,
    /// The verdict.
    pub end: End,
}

/// Reads `stream` in reads of the given sizes (the rest in one last read) with our codec.
pub fn ours(chunks: &[&[u8]], max_message: usize) -> Outcome {
    let mut codec = Codec::new(max_message);
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let mut end = End::Eof;
    for chunk in chunks {
        codec.received(chunk);
        let result = codec.frames(|m| {
            seen.push(match m {
                Incoming::Text(t) => Seen::Text(t.to_owned()),
                Incoming::Binary => Seen::Binary,
                Incoming::Ping(p) => Seen::Ping(p.to_vec()),
                Incoming::Pong => Seen::Pong,
                Incoming::Close(..) => unreachable!("a close ends reading"),
            });
            true
        });
        out.extend(codec.take_out());
        codec.release_idle_read_buffer();
        match result {
            Ok(()) => continue,
            Err(ReadEnd::Closed { code, .. }) => {
                end = End::Closed(crate::ws_frame::close_reply(code));
            }
            Err(ReadEnd::Failed(e)) => end = End::Failed(e.close_code().unwrap_or(0)),
        }
        break;
    }
    let mut written = client_frames(&out);
    if let End::Failed(code) = end {
        let last = written
            .pop()
            .expect("a broken rule is answered with a close");
        assert_eq!(
            last,
            (0x8, code.to_be_bytes().to_vec()),
            "close for {end:?}"
        );
    }
    Outcome { seen, written, end }
}

/// Reads the same reads with tungstenite's `WebSocket`, configured with the same limit.
pub fn theirs(chunks: &[&[u8]], max_message: usize) -> Outcome {
    let stream = Memory {
        reads: chunks.iter().map(|c| c.to_vec()).collect(),
        written: Vec::new(),
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .max_message_size(Some(max_message))
        .max_frame_size(Some(max_message));
    let mut ws = WebSocket::from_raw_socket(stream, Role::Client, Some(config));
    let mut seen = Vec::new();
    let end = loop {
        let message = ws.read();
        // Sends the pong or the close answer it queued.
        let _ = ws.flush();
        match message {
            Ok(Message::Text(t)) => seen.push(Seen::Text(t.as_str().to_owned())),
            Ok(Message::Binary(_)) => seen.push(Seen::Binary),
            Ok(Message::Ping(p)) => seen.push(Seen::Ping(p.to_vec())),
            Ok(Message::Pong(_)) => seen.push(Seen::Pong),
            Ok(Message::Close(frame)) => break End::Closed(frame.map(|f| f.code.into())),
            Ok(Message::Frame(_)) => unreachable!("raw frames are never read"),
            Err(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => break End::Eof,
            Err(Error::Protocol(_)) => break End::Failed(1002),
            Err(Error::Utf8(_)) => break End::Failed(1007),
            Err(Error::Capacity(_)) => break End::Failed(1009),
            Err(e) => panic!("tungstenite failed unexpectedly: {e}"),
        }
    };
    let written = client_frames(&ws.get_ref().written);
    Outcome { seen, written, end }
}

/// Why our reader and tungstenite disagree on `stream` read in `chunks`, if they do.
///
/// One difference is by design: we judge a frame by its header, tungstenite after its
/// payload. When the stream ends inside a frame we refused, tungstenite saw only the end of
/// the stream; it must then refuse the same frame for the same rule once its payload is
/// there (with the same messages before it).
pub fn disagreement(chunks: &[&[u8]], max_message: usize) -> Option<String> {
    let a = ours(chunks, max_message);
    let b = theirs(chunks, max_message);
    if a == b {
        return None;
    }
    if let (End::Failed(_), End::Eof) = (a.end, b.end) {
        let stream = chunks.concat();
        if let Some(missing) = missing_payload(&stream) {
            let padding = vec![0; missing];
            let completed = theirs(&[&stream, &padding], max_message);
            if completed == a {
                return None;
            }
            return Some(format!(
                "ours refused early: {a:?}\ntheirs, frame completed: {completed:?}"
            ));
        }
    }
    Some(format!("ours:   {a:?}\ntheirs: {b:?}"))
}

/// How many payload bytes the last frame of `stream` lacks, when its header is complete.
fn missing_payload(stream: &[u8]) -> Option<usize> {
    let mut cursor = Cursor::new(stream);
    loop {
        let (_, len) = FrameHeader::parse(&mut cursor).ok()??;
        let at = cursor.position();
        let left = stream.len() as u64 - at;
        if left < len {
            return usize::try_from(len - left).ok();
        }
        cursor.set_position(at + len);
    }
}

/// The frames a client wrote: opcode and unmasked payload (a close cut to its code).
fn client_frames(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    let mut cursor = Cursor::new(bytes);
    while let Some((header, len)) = FrameHeader::parse(&mut cursor).expect("our own frames") {
        let at = cursor.position() as usize;
        let mut payload = bytes[at..at + len as usize].to_vec();
        cursor.set_position((at + len as usize) as u64);
        let mask = header.mask.expect("clients mask every frame");
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i & 3];
        }
        let opcode: u8 = header.opcode.into();
        if opcode == 0x8 {
            payload.truncate(2);
        }
        frames.push((opcode, payload));
    }
    frames
}

/// An in-memory socket: the server's bytes come in the given reads.
struct Memory {
    reads: VecDeque<Vec<u8>>,
    written: Vec<u8>,
}

impl Read for Memory {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // An empty read means the end of the stream to tungstenite; to us, nothing yet.
        while self.reads.front().is_some_and(Vec::is_empty) {
            self.reads.pop_front();
        }
        let Some(front) = self.reads.front_mut() else {
            return Ok(0);
        };
        let n = front.len().min(buf.len());
        buf[..n].copy_from_slice(&front[..n]);
        front.drain(..n);
        if front.is_empty() {
            self.reads.pop_front();
        }
        Ok(n)
    }
}

impl Write for Memory {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "ws_diff_tests.rs"]
mod tests;
