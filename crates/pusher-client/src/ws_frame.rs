//! WebSocket frames (RFC 6455) as a client sees them, without I/O: the server's frames read
//! out of a byte buffer, our own encoded and masked.
//!
//! Headers are parsed and written by tungstenite's `FrameHeader`, and close codes judged by
//! its `CloseCode`; what is ours is who owns the bytes. Reading borrows: a whole text message
//! in the buffer reaches the caller as a `&str` into it, so an event costs no copy. Only a
//! text message split into fragments is gathered into a buffer of its own, and a binary
//! message is never kept at all: its payload is skipped as it arrives.
//!
//! Every rule is checked as soon as the header that breaks it is complete, so a frame that
//! will be refused is never waited for.

use crate::ws_error::{WebSocketError, WebSocketErrorKind as Kind};
use std::io::Cursor;
use tungstenite::protocol::frame::coding::{CloseCode, Control, Data, OpCode};
use tungstenite::protocol::frame::FrameHeader;

/// Opcode of a text frame.
pub(crate) const OP_TEXT: OpCode = OpCode::Data(Data::Text);
/// Opcode of a close frame.
pub(crate) const OP_CLOSE: OpCode = OpCode::Control(Control::Close);
/// Opcode of a pong frame.
pub(crate) const OP_PONG: OpCode = OpCode::Control(Control::Pong);

/// The longest payload of a control frame.
const MAX_CONTROL_PAYLOAD: u64 = 125;

/// A message or control frame from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Incoming<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message (its content is of no use to the protocol, and is not kept).
    Binary,
    /// A ping, to be answered with a pong carrying the same payload.
    Ping(&'a [u8]),
    /// A pong.
    Pong,
    /// The server closes, with its code (if any) and reason.
    Close(Option<u16>, &'a str),
}

/// A message whose first fragments have arrived.
#[derive(Debug)]
enum Partial {
    /// Text: its bytes so far, the first `checked` of which are known to be UTF-8 (the rest
    /// is the start of a character that the next fragment finishes).
    Text { data: Vec<u8>, checked: usize },
    /// Binary: only its size so far.
    Binary { size: usize },
}

impl Partial {
    fn size(&self) -> usize {
        match self {
            Partial::Text { data, .. } => data.len(),
            Partial::Binary { size } => *size,
        }
    }
}

/// The part of a binary frame's payload still to be skipped.
#[derive(Debug)]
struct Skip {
    left: usize,
    /// Whether the frame is the last of its message.
    last: bool,
}

/// Reads the server's frames, joins fragmented text and skips binary.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    partial: Option<Partial>,
    skip: Option<Skip>,
}

/// What a header asks of the reader once it passed every check.
enum Step {
    /// Wait for the payload of `len` bytes, then act on it.
    Payload(usize),
    /// Skip `len` bytes of binary payload.
    Skip(usize),
}

impl Reader {
    /// Hands `on` every message and control frame complete at the start of `buf`, in order,
    /// until `on` returns false or a close frame has been handed over. Returns how many
    /// bytes were used; the rest is the start of a frame still arriving and must be passed
    /// again, with more bytes after it. Binary payload is used (skipped) as it arrives.
    pub(crate) fn read(
        &mut self,
        buf: &[u8],
        max_message: usize,
        mut on: impl FnMut(Incoming<'_>) -> bool,
    ) -> Result<usize, WebSocketError> {
        let mut pos = 0;
        loop {
            if let Some(skip) = &mut self.skip {
                let n = skip.left.min(buf.len() - pos);
                skip.left -= n;
                pos += n;
                if skip.left > 0 {
                    break;
                }
                let last = skip.last;
                self.skip = None;
                if last && !on(Incoming::Binary) {
                    break;
                }
                continue;
            }
            let mut cursor = Cursor::new(&buf[pos..]);
            let Some((header, len)) = FrameHeader::parse(&mut cursor).map_err(|_| {
                // "If an unknown opcode is received, the receiving endpoint MUST _Fail the
                // WebSocket Connection_." (RFC 6455 section 5.2) It is all `parse` refuses.
                WebSocketError::new(Kind::UnknownOpcode)
            })?
            else {
                break;
            };
            let header_len = cursor.position() as usize;
            let len = match self.check(&header, len, max_message)? {
                Step::Skip(len) => {
                    pos += header_len;
                    self.skip = Some(Skip {
                        left: len,
                        last: header.is_final,
                    });
                    if header.is_final {
                        self.partial = None;
                    }
                    continue;
                }
                Step::Payload(len) => len,
            };
            let start = pos + header_len;
            if buf.len() - start < len {
                break;
            }
            let payload = &buf[start..start + len];
            pos = start + len;
            let go_on = match header.opcode {
                OpCode::Data(Data::Text) if header.is_final => on(Incoming::Text(utf8(payload)?)),
                OpCode::Data(_) => match self.extend(payload, header.is_final)? {
                    Some(text) => on(Incoming::Text(&text)),
                    None => true,
                },
                OpCode::Control(Control::Ping) => on(Incoming::Ping(payload)),
                OpCode::Control(Control::Pong) => on(Incoming::Pong),
                OpCode::Control(_) => {
                    // Close: `check` let no other control opcode through.
                    let (code, reason) = close_payload(payload)?;
                    on(Incoming::Close(code, reason));
                    break;
                }
            };
            if !go_on {
                break;
            }
        }
        Ok(pos)
    }

    /// Judges a frame by its header alone, in the order tungstenite does (so that a frame
    /// breaking two rules is refused for the same one). Starts a binary message.
    fn check(
        &mut self,
        header: &FrameHeader,
        len: u64,
        max_message: usize,
    ) -> Result<Step, WebSocketError> {
        if len > max_message as u64 {
            return Err(too_large(len, max_message));
        }
        let len = len as usize;
        // "MUST be 0 unless an extension is negotiated that defines meanings for non-zero
        // values. If a nonzero value is received and none of the negotiated extensions
        // defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the
        // WebSocket Connection_." (RFC 6455 section 5.2) We negotiate none.
        if header.rsv1 || header.rsv2 || header.rsv3 {
            return Err(WebSocketError::new(Kind::ReservedBits));
        }
        // "A server MUST NOT mask any frames that it sends to the client. A client MUST
        // close a connection if it detects a masked frame." (RFC 6455 section 5.1)
        if header.mask.is_some() {
            return Err(WebSocketError::new(Kind::MaskedFrame));
        }
        let data = match header.opcode {
            // "All control frames MUST have a payload length of 125 bytes or less and MUST
            // NOT be fragmented." (RFC 6455 section 5.5)
            OpCode::Control(_) if !header.is_final => {
                return Err(WebSocketError::new(Kind::FragmentedControlFrame))
            }
            OpCode::Control(_) if len as u64 > MAX_CONTROL_PAYLOAD => {
                return Err(WebSocketError::with(
                    Kind::ControlFrameTooLong,
                    format!("{len} bytes"),
                ))
            }
            OpCode::Control(Control::Reserved(_)) | OpCode::Data(Data::Reserved(_)) => {
                // `FrameHeader::parse` already refuses these; kept for a later version of it.
                return Err(WebSocketError::new(Kind::UnknownOpcode));
            }
            OpCode::Control(_) => return Ok(Step::Payload(len)),
            OpCode::Data(data) => data,
        };
        match (data, &self.partial) {
            // "A fragmented message consists of a single frame with the FIN bit clear and an
            // opcode other than 0, followed by zero or more frames with the FIN bit clear and
            // the opcode set to 0, and terminated by a single frame with the FIN bit set and
            // an opcode of 0." (RFC 6455 section 5.4)
            (Data::Continue, None) => Err(WebSocketError::new(Kind::UnexpectedContinuation)),
            (Data::Continue, Some(partial)) => {
                let size = partial.size() as u64 + len as u64;
                if size > max_message as u64 {
                    return Err(too_large(size, max_message));
                }
                Ok(match partial {
                    Partial::Binary { .. } => {
                        self.partial = Some(Partial::Binary {
                            size: size as usize,
                        });
                        Step::Skip(len)
                    }
                    Partial::Text { .. } => Step::Payload(len),
                })
            }
            // "The fragments of one message MUST NOT be interleaved between the fragments of
            // another message unless an extension has been negotiated that can interpret
            // the interleaving." (RFC 6455 section 5.4)
            (_, Some(_)) => Err(WebSocketError::new(Kind::UnfinishedMessage)),
            (Data::Binary, None) => {
                if !header.is_final {
                    self.partial = Some(Partial::Binary { size: len });
                }
                Ok(Step::Skip(len))
            }
            _ => Ok(Step::Payload(len)),
        }
    }

    /// Adds a text fragment; the whole message when it was the last.
    fn extend(&mut self, payload: &[u8], last: bool) -> Result<Option<String>, WebSocketError> {
        let partial = self.partial.get_or_insert(Partial::Text {
            data: Vec::new(),
            checked: 0,
        });
        let Partial::Text { data, checked } = partial else {
            unreachable!("binary fragments are skipped, never extended");
        };
        data.extend_from_slice(payload);
        if last {
            let Some(Partial::Text { data, .. }) = self.partial.take() else {
                unreachable!("a text message was open");
            };
            return String::from_utf8(data)
                .map(Some)
                .map_err(|_| WebSocketError::new(Kind::InvalidUtf8));
        }
        // "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
        // stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
        // WebSocket Connection_." (RFC 6455 section 8.1) Checked fragment by fragment, so a
        // bad byte fails the connection when it arrives, not when the message ends; a
        // character cut by the fragment's end waits for the next fragment.
        match std::str::from_utf8(&data[*checked..]) {
            Ok(_) => *checked = data.len(),
            Err(e) if e.error_len().is_none() => *checked += e.valid_up_to(),
            Err(_) => return Err(WebSocketError::new(Kind::InvalidUtf8)),
        }
        Ok(None)
    }
}

fn too_large(size: u64, max: usize) -> WebSocketError {
    // "1009 indicates that an endpoint is terminating the connection because it has
    // received a message that is too big for it to process." (RFC 6455 section 7.4.1)
    WebSocketError::with(Kind::TooLarge, format!("{size} bytes, the limit is {max}"))
}

fn utf8(payload: &[u8]) -> Result<&str, WebSocketError> {
    std::str::from_utf8(payload).map_err(|_| WebSocketError::new(Kind::InvalidUtf8))
}

fn close_payload(payload: &[u8]) -> Result<(Option<u16>, &str), WebSocketError> {
    match payload {
        [] => Ok((None, "")),
        // "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned
        // integer (in network byte order) representing a status code" (RFC 6455 5.5.1)
        [_] => Err(WebSocketError::new(Kind::InvalidClosePayload)),
        // "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value
        // /reason/" (RFC 6455 section 5.5.1), and section 8.1 applies to it.
        [hi, lo, reason @ ..] => Ok((Some(u16::from_be_bytes([*hi, *lo])), utf8(reason)?)),
    }
}

/// The code to answer a server's close with. "If an endpoint receives a Close frame and did
/// not previously send a Close frame, the endpoint MUST send a Close frame in response.
/// (When sending a Close frame in response, the endpoint typically echos the status code it
/// received.)" (RFC 6455 section 5.5.1) A close without a code is answered without one; a
/// code that may not appear on the wire (1005, 1006 and 1015 "MUST NOT be set as a status
/// code in a Close control frame by an endpoint", section 7.4.1; 0–999 "are not used",
/// section 7.4.2; nor anything unassigned) is a protocol error, answered with 1002.
pub(crate) fn close_reply(code: Option<u16>) -> Option<u16> {
    code.map(|c| {
        if CloseCode::from(c).is_allowed() {
            c
        } else {
            CloseCode::Protocol.into()
        }
    })
}

/// Appends one final frame with `payload`, masked with `mask` as clients must ("The masking
/// key is a 32-bit value chosen at random by the client", RFC 6455 section 5.3).
pub(crate) fn encode(opcode: OpCode, payload: &[u8], mask: [u8; 4], out: &mut Vec<u8>) {
    let header = FrameHeader {
        opcode,
        mask: Some(mask),
        ..FrameHeader::default()
    };
    let len = payload.len() as u64;
    out.reserve(header.len(len) + payload.len());
    header
        .format(len, out)
        .expect("writing to a Vec does not fail");
    let start = out.len();
    out.extend_from_slice(payload);
    for (i, b) in out[start..].iter_mut().enumerate() {
        *b ^= mask[i & 3];
    }
}

/// The payload of a close frame with `code`, or none.
pub(crate) fn close_body(code: Option<u16>) -> Vec<u8> {
    code.map_or_else(Vec::new, |c| c.to_be_bytes().to_vec())
}

#[cfg(test)]
#[path = "ws_frame_tests.rs"]
mod tests;
