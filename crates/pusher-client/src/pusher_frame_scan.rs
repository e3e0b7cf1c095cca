//! The common shape of a Pusher frame read in one pass, without serde: an object of string
//! members `event`, `channel`, `data` and `user_id` (`channel` and `data` may be `null`).
//! Names are borrowed from the text; `data` is unescaped straight into a string of its final
//! size. Profiling showed serde's decode (which skips over `data` and then reads it again,
//! growing a fresh scratch buffer each frame) at about 60 % of the I/O thread per event.
//!
//! Anything else (another member, another kind of value, a `\u` escape, a duplicate, a
//! syntax error) gives `None`, and the frame is decoded by serde as before: this scan only
//! ever answers for text serde reads the same way (the tests check it on mutated frames).

use crate::pusher_frame::Data;
use std::borrow::Cow;

/// A frame's members as scanned; `data` already unescaped.
pub(crate) struct Scanned<'a> {
    pub event: Cow<'a, str>,
    pub channel: Option<Cow<'a, str>>,
    pub data: Option<Data>,
    pub user_id: Option<Cow<'a, str>>,
}

/// Scans `text`; `None` when it is not of the common shape.
pub(crate) fn scan(text: &str) -> Option<Scanned<'_>> {
    let mut s = Scanner {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    let (mut event, mut channel, mut data, mut user_id) = (None, None, None, None);
    s.skip_ws();
    s.expect(b'{')?;
    s.skip_ws();
    if s.peek()? != b'}' {
        loop {
            let key = s.string()?;
            s.skip_ws();
            s.expect(b':')?;
            s.skip_ws();
            match key.as_ref() {
                "event" if event.is_none() => event = Some(s.string()?),
                "channel" if channel.is_none() => channel = Some(s.string_or_null()?),
                "user_id" if user_id.is_none() => user_id = Some(s.string()?),
                "data" if data.is_none() => {
                    data = Some(match s.peek()? {
                        b'n' => {
                            s.literal(b"null")?;
                            Data::Json("null".to_owned())
                        }
                        _ => Data::Text(s.string()?.into_owned()),
                    })
                }
                _ => return None,
            }
            s.skip_ws();
            match s.next()? {
                b',' => s.skip_ws(),
                b'}' => break,
                _ => return None,
            }
        }
    } else {
        s.at += 1;
    }
    s.skip_ws();
    if s.at != s.bytes.len() {
        return None;
    }
    Some(Scanned {
        event: event?,
        channel: channel.flatten(),
        data,
        user_id,
    })
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn string_or_null(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.string().map(Some)
    }

    /// A JSON string, borrowed when it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        self.at = start + special_at(&self.bytes[start..])?;
        if self.bytes[self.at] == b'"' {
            self.at += 1;
            return Some(Cow::Borrowed(&self.text[start..self.at - 1]));
        }
        // An escape: the rest is copied run by run into a string of (at most) its size.
        let mut out = String::with_capacity(self.bytes.len() - start);
        out.push_str(&self.text[start..self.at]);
        loop {
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push(match *self.bytes.get(self.at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        // `\u` (and anything invalid) is left to serde.
                        _ => return None,
                    });
                    self.at += 2;
                }
                // A control character: invalid in a JSON string, serde says so.
                _ => return None,
            }
            let run = special_at(&self.bytes[self.at..])?;
            out.push_str(&self.text[self.at..self.at + run]);
            self.at += run;
        }
    }
}

/// Where the first `"`, `\` or control character of `bytes` is: the scan's inner loop, which
/// runs over every byte of an event's data.
pub(crate) fn special_at(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let at = sse2::plain_prefix(bytes);
    #[cfg(not(target_arch = "x86_64"))]
    let at = plain_prefix_swar(bytes);
    bytes[at..]
        .iter()
        .position(|&b| is_special(b))
        .map(|i| at + i)
}

fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// How many bytes from the start, in whole 8-byte steps, hold nothing special.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn plain_prefix_swar(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let x = u64::from_ne_bytes(chunk.try_into().expect("8 bytes"));
        let quote = has_zero(x ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(x ^ (ONES * u64::from(b'\\')));
        // Below 0x20: x - 0x20 borrows into the high bit of a byte whose own is clear.
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        if quote | backslash | control != 0 {
            break;
        }
        at += 8;
    }
    at
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// How many bytes from the start, in whole 16-byte steps, hold nothing special. SSE2 is
    /// part of every x86_64 CPU; 16 bytes a step is about four times the 8-byte SWAR loop.
    pub(super) fn plain_prefix(bytes: &[u8]) -> usize {
        let mut at = 0;
        for chunk in bytes.chunks_exact(16) {
            // SAFETY: SSE2 is always there on x86_64; `chunk` is 16 readable bytes, and an
            // unaligned load is allowed.
            let special = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().cast());
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                // Unsigned v <= 0x1f: max(v, 0x1f) is 0x1f.
                let limit = _mm_set1_epi8(0x1f);
                let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
            };
            if special != 0 {
                return at + special.trailing_zeros() as usize;
            }
            at += 16;
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..48 {
            for at in 0..=len {
                for b in [b'"', b'\\', 0x00, 0x01, 0x1f, b' ', 0x7f, 0x80, 0xe9, 0xff] {
                    let mut bytes = vec![b'x'; len];
                    if at < len {
                        bytes[at] = b;
                    }
                    let naive = bytes.iter().position(|&b| is_special(b));
                    assert_eq!(special_at(&bytes), naive, "{len} {at} {b:#x}");
                    let swar = plain_prefix_swar(&bytes);
                    assert!(
                        swar.is_multiple_of(8) && swar <= naive.unwrap_or(len),
                        "{len} {at} {b:#x}"
                    );
                }
            }
        }
    }
}
