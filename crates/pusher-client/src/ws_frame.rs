//! WebSocket frames (RFC 6455) as a client sees them, without I/O: the server's frames read
//! out of a byte buffer, our own encoded and masked.
//!
//! Reading borrows: a whole message in the buffer reaches the caller as a `&str` into it, so
//! an event costs no copy and no allocation. Only a message split into fragments is gathered
//! into a buffer of its own.

use std::fmt;

const OP_CONTINUATION: u8 = 0x0;
/// Opcode of a text frame.
pub(crate) const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
/// Opcode of a close frame.
pub(crate) const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
/// Opcode of a pong frame.
pub(crate) const OP_PONG: u8 = 0xA;

/// Why the server's bytes are not a WebSocket stream we accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WsError {
    /// A frame or message larger than the configured maximum.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The maximum.
        max: usize,
    },
    /// A text message that is not UTF-8.
    InvalidUtf8,
    /// Anything else RFC 6455 forbids.
    Protocol(&'static str),
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::TooLarge { size, max } => {
                write!(f, "frame too large: {size} bytes (the limit is {max})")
            }
            WsError::InvalidUtf8 => f.write_str("text frame is not valid UTF-8"),
            WsError::Protocol(why) => write!(f, "WebSocket protocol error: {why}"),
        }
    }
}

/// A frame's header: what it is and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    fin: bool,
    opcode: u8,
    header_len: usize,
    payload_len: usize,
}

/// Reads the header at the start of `buf`; `None` until all of it has arrived.
fn parse_header(buf: &[u8], max_payload: usize) -> Result<Option<Header>, WsError> {
    let [b0, b1, ..] = *buf else { return Ok(None) };
    if b0 & 0x70 != 0 {
        return Err(WsError::Protocol(
            "reserved bits set, but no extension was agreed",
        ));
    }
    if b1 & 0x80 != 0 {
        return Err(WsError::Protocol("the server masked a frame"));
    }
    let (len, header_len) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => (u64::from_be_bytes(b.try_into().expect("8 bytes")), 10),
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    let fin = b0 & 0x80 != 0;
    let opcode = b0 & 0x0f;
    match opcode {
        OP_CONTINUATION | OP_TEXT | OP_BINARY => {}
        OP_CLOSE | OP_PING | OP_PONG if fin && len <= 125 => {}
        OP_CLOSE | OP_PING | OP_PONG => {
            return Err(WsError::Protocol("fragmented or oversized control frame"))
        }
        _ => return Err(WsError::Protocol("unknown opcode")),
    }
    if len > max_payload as u64 {
        return Err(WsError::TooLarge {
            size: len,
            max: max_payload,
        });
    }
    Ok(Some(Header {
        fin,
        opcode,
        header_len,
        payload_len: len as usize,
    }))
}

/// A message or control frame from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Incoming<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message (its content is of no use to the protocol).
    Binary,
    /// A ping, to be answered with a pong carrying the same payload.
    Ping(&'a [u8]),
    /// A pong.
    Pong,
    /// The server closes, with its code (if any) and reason.
    Close(Option<u16>, &'a str),
}

/// Reads the server's frames and joins fragmented messages.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    /// A message whose first fragments have arrived: whether it is text, and its bytes so far.
    fragments: Option<(bool, Vec<u8>)>,
}

impl Reader {
    /// Hands `on` every message and control frame complete at the start of `buf`, in order,
    /// until `on` returns false or a close frame has been handed over. Returns how many
    /// bytes were used; the rest is the start of a frame still arriving.
    pub(crate) fn read(
        &mut self,
        buf: &[u8],
        max_message: usize,
        mut on: impl FnMut(Incoming<'_>) -> bool,
    ) -> Result<usize, WsError> {
        let mut pos = 0;
        while let Some(h) = parse_header(&buf[pos..], max_message)? {
            let start = pos + h.header_len;
            if buf.len() - start < h.payload_len {
                break;
            }
            let payload = &buf[start..start + h.payload_len];
            pos = start + h.payload_len;
            let go_on = match h.opcode {
                OP_TEXT | OP_BINARY if self.fragments.is_some() => {
                    return Err(WsError::Protocol(
                        "a new message began inside a fragmented one",
                    ))
                }
                OP_TEXT | OP_BINARY if h.fin => on(message(h.opcode == OP_TEXT, payload)?),
                OP_TEXT | OP_BINARY => {
                    self.fragments = Some((h.opcode == OP_TEXT, payload.to_vec()));
                    true
                }
                OP_CONTINUATION => {
                    let Some((text, mut data)) = self.fragments.take() else {
                        return Err(WsError::Protocol("a continuation frame with no message"));
                    };
                    let size = data.len() + payload.len();
                    if size > max_message {
                        return Err(WsError::TooLarge {
                            size: size as u64,
                            max: max_message,
                        });
                    }
                    data.extend_from_slice(payload);
                    if h.fin {
                        on(message(text, &data)?)
                    } else {
                        self.fragments = Some((text, data));
                        true
                    }
                }
                OP_PING => on(Incoming::Ping(payload)),
                OP_PONG => on(Incoming::Pong),
                _ => {
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
}

fn message(text: bool, payload: &[u8]) -> Result<Incoming<'_>, WsError> {
    if !text {
        return Ok(Incoming::Binary);
    }
    std::str::from_utf8(payload)
        .map(Incoming::Text)
        .map_err(|_| WsError::InvalidUtf8)
}

fn close_payload(payload: &[u8]) -> Result<(Option<u16>, &str), WsError> {
    match payload {
        [] => Ok((None, "")),
        [_] => Err(WsError::Protocol("a close frame with a one-byte payload")),
        [hi, lo, reason @ ..] => {
            let reason = std::str::from_utf8(reason).map_err(|_| WsError::InvalidUtf8)?;
            Ok((Some(u16::from_be_bytes([*hi, *lo])), reason))
        }
    }
}

/// Appends one final frame with `payload`, masked with `mask` as clients must.
pub(crate) fn encode(opcode: u8, payload: &[u8], mask: [u8; 4], out: &mut Vec<u8>) {
    let len = payload.len();
    out.reserve(len + 14);
    out.push(0x80 | opcode);
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if let Ok(len) = u16::try_from(len) {
        out.push(0x80 | 126);
        out.extend_from_slice(&len.to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&mask);
    let start = out.len();
    out.extend_from_slice(payload);
    for (i, b) in out[start..].iter_mut().enumerate() {
        *b ^= mask[i & 3];
    }
}

/// The payload of a close frame with `code`.
pub(crate) fn close_body(code: u16) -> [u8; 2] {
    code.to_be_bytes()
}

#[cfg(test)]
#[path = "ws_frame_tests.rs"]
mod tests;
