//! One client WebSocket's bytes without the socket: what was read and not yet used, the
//! frames waiting to be written, and what the server's frames ask of us (pongs, the answer
//! to a close, the close for a broken rule).
//!
//! [`crate::websocket::WebSocket`] moves these bytes to and from the network; keeping them
//! here lets the same code be fed in-memory streams (the tungstenite differential test, the
//! fuzzers).

use crate::ws_error::WebSocketError;
use crate::ws_frame::{self, Incoming, Reader, OP_CLOSE, OP_PONG, OP_TEXT};
use ring::rand::{SecureRandom, SystemRandom};

/// How reading the frames that have arrived ended, when it cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// The server sent a close frame; the answer is queued.
    Closed {
        /// Its code, if it had one.
        code: Option<u16>,
        /// Its reason.
        reason: String,
    },
    /// The server broke a rule; a close frame with the matching code is queued.
    Failed(WebSocketError),
}

/// Four random bytes: a frame's mask.
fn mask() -> [u8; 4] {
    let mut bytes = [0; 4];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    bytes
}

/// The bytes of one client WebSocket.
#[derive(Debug)]
pub(crate) struct Codec {
    reader: Reader,
    /// Bytes read but not yet used: the start of a frame still arriving.
    pending: Vec<u8>,
    /// Frames waiting to be written.
    out: Vec<u8>,
    max_message: usize,
    /// A close frame is queued or sent: "After sending a Close frame, the endpoint MUST NOT
    /// send any further data frames." (RFC 6455 section 5.5.1)
    closing: bool,
}

impl Codec {
    /// A codec refusing messages over `max_message` bytes.
    pub(crate) fn new(max_message: usize) -> Self {
        Codec {
            reader: Reader::default(),
            pending: Vec::new(),
            out: Vec::new(),
            max_message,
            closing: false,
        }
    }

    /// Keeps bytes read from the server.
    pub(crate) fn received(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Bytes read and kept but not yet used.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.pending
    }

    /// Forgets the first `n` kept bytes (the answer to the upgrade request).
    pub(crate) fn consume(&mut self, n: usize) {
        self.pending.drain(..n);
    }

    /// Lets go of the read buffer when nothing is left over in it.
    pub(crate) fn release_idle_read_buffer(&mut self) {
        if self.pending.is_empty() {
            self.pending = Vec::new();
        }
    }

    /// Hands `on` each text message, binary message (as `Incoming::Binary`), ping and pong
    /// complete so far, until it returns false. Pings are answered. A close frame ends
    /// reading, and is answered; so does a broken rule, with the close code for it.
    pub(crate) fn frames(
        &mut self,
        mut on: impl FnMut(Incoming<'_>) -> bool,
    ) -> Result<(), ReadEnd> {
        let Codec {
            reader,
            pending,
            out,
            max_message,
            closing,
        } = self;
        let mut closed = None;
        let read = reader.read(pending, *max_message, |frame| match frame {
            Incoming::Ping(payload) => {
                // "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
                // response, unless it already received a Close frame." (RFC 6455 5.5.2)
                if !*closing {
                    ws_frame::encode(OP_PONG, payload, mask(), out);
                }
                on(Incoming::Ping(payload))
            }
            Incoming::Close(code, reason) => {
                if !*closing {
                    queue_close(out, ws_frame::close_reply(code));
                    *closing = true;
                }
                closed = Some(ReadEnd::Closed {
                    code,
                    reason: reason.to_owned(),
                });
                false
            }
            other => on(other),
        });
        match read {
            Ok(used) => {
                pending.drain(..used);
                closed.map_or(Ok(()), Err)
            }
            Err(e) => {
                // Nothing after a broken rule can be read: drop it.
                *pending = Vec::new();
                if !*closing {
                    queue_close(out, e.close_code());
                    *closing = true;
                }
                Err(ReadEnd::Failed(e))
            }
        }
    }

    /// Queues a text frame. Nothing is sent after a close.
    pub(crate) fn send_text(&mut self, text: &str) {
        if !self.closing {
            ws_frame::encode(OP_TEXT, text.as_bytes(), mask(), &mut self.out);
        }
    }

    /// Queues a close frame with `code`, unless a close is queued or sent already (the
    /// answer to the server's close, or the code of the rule it broke).
    pub(crate) fn close(&mut self, code: u16) {
        if !self.closing {
            queue_close(&mut self.out, Some(code));
            self.closing = true;
        }
    }

    /// Whether frames wait to be written.
    pub(crate) fn wants_flush(&self) -> bool {
        !self.out.is_empty()
    }

    /// The frames waiting to be written.
    pub(crate) fn unwritten(&self) -> &[u8] {
        &self.out
    }

    /// Forgets the first `n` bytes waiting to be written: the socket took them.
    pub(crate) fn written(&mut self, n: usize) {
        self.out.drain(..n);
    }

    /// The frames waiting to be written, handed over (the buffer with them).
    pub(crate) fn take_out(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

fn queue_close(out: &mut Vec<u8>, code: Option<u16>) {
    ws_frame::encode(OP_CLOSE, &ws_frame::close_body(code), mask(), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws_error::WebSocketErrorKind;

    /// Opcodes and payloads of the frames a codec queued (client frames are masked).
    fn written(codec: &mut Codec) -> Vec<(u8, Vec<u8>)> {
        let out = codec.take_out();
        let mut frames = Vec::new();
        let mut at = 0;
        while at < out.len() {
            let len = (out[at + 1] & 0x7f) as usize;
            assert!(len < 126, "short frames only here");
            let mask = &out[at + 2..at + 6];
            let payload = out[at + 6..at + 6 + len]
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ mask[i & 3])
                .collect();
            frames.push((out[at] & 0x0f, payload));
            at += 6 + len;
        }
        frames
    }

    #[test]
    fn a_broken_rule_is_answered_once_and_then_nothing_is_sent() {
        let mut codec = Codec::new(100);
        codec.received(&[0x81, 0x02, 0xff, 0xfe]);
        let end = codec.frames(|_| true).unwrap_err();
        let ReadEnd::Failed(e) = end else {
            panic!("{end:?}")
        };
        assert_eq!(e.kind(), WebSocketErrorKind::InvalidUtf8);
        codec.send_text("late");
        codec.close(1000);
        assert_eq!(written(&mut codec), [(0x8, vec![0x03, 0xef])]);
        assert!(codec.pending().is_empty(), "the unreadable rest is dropped");
    }

    #[test]
    fn a_close_is_answered_and_our_own_close_is_not_sent_after_it() {
        let mut codec = Codec::new(100);
        codec.received(&[0x89, 0x01, b'p', 0x88, 0x02, 0x0f, 0xa0, 0x89, 0x00]);
        let end = codec.frames(|_| true).unwrap_err();
        assert_eq!(
            end,
            ReadEnd::Closed {
                code: Some(4000),
                reason: String::new()
            }
        );
        codec.close(1000);
        assert_eq!(
            written(&mut codec),
            [(0xA, b"p".to_vec()), (0x8, vec![0x0f, 0xa0])]
        );
    }
}
