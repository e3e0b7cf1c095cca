//! Whether a text is one JSON value (RFC 8259), checked without building anything: the
//! binding embeds event data that passes as it is in the JSON text it sends to JS.
//!
//! It must never pass a text that `JSON.parse` refuses (that would spoil the whole batch),
//! and it may refuse some that it accepts: nesting deeper than [`MAX_DEPTH`]. Strings are
//! searched 16 bytes at a time (`pusher_frame_scan`); serde's `IgnoredAny`, used before,
//! took about 7 % of the process CPU per 1 KB event.

use crate::pusher_frame_scan::special_at;

/// Nesting beyond this is refused (serde_json's own limit): no stack is at risk.
pub const MAX_DEPTH: usize = 128;

/// True when `text` is exactly one JSON value, with optional whitespace around it.
pub fn is_json(text: &str) -> bool {
    let mut c = Checker {
        bytes: text.as_bytes(),
        at: 0,
    };
    c.value(0).is_some() && {
        c.skip_ws();
        c.at == c.bytes.len()
    }
}

struct Checker<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Checker<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.peek()? == want).then(|| self.at += 1)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string(),
            b'{' if depth < MAX_DEPTH => self.object(depth + 1),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.skip_ws();
            self.string()?;
            self.skip_ws();
            self.eat(b':')?;
            self.value(depth)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => return self.eat(b'}'),
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => return self.eat(b']'),
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            // No leading zeros: "01" is not JSON.
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// A string; the text is a `str`, so its bytes are valid UTF-8 already.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            self.at += special_at(&self.bytes[self.at..])?;
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => match *self.bytes.get(self.at + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 2,
                    b'u' => {
                        let hex = self.bytes.get(self.at + 2..self.at + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        self.at += 6;
                    }
                    _ => return None,
                },
                // A raw control character.
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_serde() {
        let texts = [
            r#"{"id":12345,"pad":"xxxx"}"#,
            r#" [1, -0.5e+3, 2E7, true, false, null, "a\"\\\/\b\f\n\r\t\u00e9", {}] "#,
            r#"{"a":{"b":[[]]}}"#,
            "\"é ü \u{2028}\"",
            "0",
            "-0",
            "",
            " ",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
            "-",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "[1 2]",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"a\u{1}\"",
            "\"unterminated",
            "nul",
            "truex",
            "1 2",
            "[",
            "{\"a\":}",
            "NaN",
            "\"\\ud800\"",
        ];
        for t in texts {
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
            assert_eq!(is_json(t), serde, "{t:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(is_json(&ok));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(!is_json(&deep));
    }

    /// Mutations of JSON texts: whatever this passes, serde passes too.
    #[test]
    fn mutations_never_pass_what_serde_refuses() {
        let seeds = [
            r#"{"id":12345,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","n":[-1.5e3,true,null]}"#,
            r#"["a\"b\\c\u00e9",{"k":{}},0,false]"#,
        ];
        let mut passed = 0;
        let mutations = crate::mutations::Mutations {
            seeds: &seeds,
            count: 20_000,
            max_edits: 3,
            alphabet: b"{}[]\":,\\u0e.-+ 1a",
            any_byte: false,
            seed: 7,
        };
        mutations.run(|bytes| {
            if let Ok(t) = std::str::from_utf8(&bytes) {
                let serde = serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
                assert_eq!(is_json(t), serde, "{t:?}");
                passed += usize::from(serde);
            }
        });
        assert!(passed > 500, "only {passed} mutations were JSON");
    }
}
