//! The frames of pusher-js's HTTP transports, one per line (SockJS's framing): `o` opens the
//! session, `a[…]` carries messages, `m…` one message, `h` is a heartbeat and `c[code,
//! reason]` closes.

/// One line from a receive request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpFrame {
    /// The session is open; the server may name the host later requests go to.
    Open {
        /// `o{"hostname": …}`: the host for the rest of the session.
        hostname: Option<String>,
    },
    /// Messages, each the text of one Pusher frame.
    Messages(Vec<String>),
    /// The server is alive.
    Heartbeat,
    /// The server ends the session.
    Close {
        /// Its code (1006 when it gave none).
        code: u16,
        /// Its reason.
        reason: String,
    },
    /// A line of a type pusher-js ignores.
    Ignored,
}

/// Reads one line (without its `\n`). A malformed payload is an error that says what it is.
pub(crate) fn parse_line(line: &str) -> Result<HttpFrame, String> {
    let Some(kind) = line.chars().next() else {
        return Ok(HttpFrame::Ignored);
    };
    let rest = &line[kind.len_utf8()..];
    let json = |default: &'static str| -> Result<serde_json::Value, String> {
        let text = if rest.is_empty() { default } else { rest };
        serde_json::from_str(text).map_err(|e| format!("malformed `{kind}` frame: {e}"))
    };
    Ok(match kind {
        'o' => HttpFrame::Open {
            hostname: json("{}")?
                .get("hostname")
                .and_then(|h| h.as_str())
                .map(str::to_owned),
        },
        'a' => match json("[]")? {
            serde_json::Value::Array(items) => {
                HttpFrame::Messages(items.into_iter().map(message_text).collect())
            }
            _ => return Err("malformed `a` frame: not an array".into()),
        },
        'm' => HttpFrame::Messages(vec![message_text(json("null")?)]),
        'h' => HttpFrame::Heartbeat,
        'c' => {
            let close = json("[]")?;
            let code = close.get(0).and_then(|c| c.as_u64()).unwrap_or(1006);
            HttpFrame::Close {
                code: u16::try_from(code).unwrap_or(1006),
                reason: close
                    .get(1)
                    .and_then(|r| r.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            }
        }
        _ => HttpFrame::Ignored,
    })
}

/// A message's Pusher frame text: the string itself, or (leniently) any other JSON value's
/// text, which the protocol layer then judges.
fn message_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    }
}

/// Cuts a response body into lines as its chunks arrive; only an unfinished line is kept.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    partial: Vec<u8>,
}

/// Why an answer's lines could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineError {
    /// A line longer than the limit.
    TooLarge(String),
    /// A line that is not UTF-8, or that the caller could not read.
    Malformed(String),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::TooLarge(why) | LineError::Malformed(why) => f.write_str(why),
        }
    }
}

impl Lines {
    /// Hands `on` each line completed by `chunk`. A line longer than `max` bytes, or not
    /// UTF-8, is an error, and so is an error of `on`.
    pub(crate) fn push(
        &mut self,
        mut chunk: &[u8],
        max: usize,
        mut on: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<(), LineError> {
        while let Some(end) = chunk.iter().position(|&b| b == b'\n') {
            let line = if self.partial.is_empty() {
                &chunk[..end]
            } else {
                self.partial.extend_from_slice(&chunk[..end]);
                &self.partial[..]
            };
            if line.len() > max {
                return Err(LineError::TooLarge(format!(
                    "a frame of {} bytes, over the limit of {max}",
                    line.len()
                )));
            }
            let text = std::str::from_utf8(line)
                .map_err(|_| LineError::Malformed("a frame that is not UTF-8".into()))?;
            on(text).map_err(LineError::Malformed)?;
            self.partial.clear();
            chunk = &chunk[end + 1..];
        }
        if self.partial.len() + chunk.len() > max {
            return Err(LineError::TooLarge(format!(
                "a frame of more than {max} bytes"
            )));
        }
        self.partial.extend_from_slice(chunk);
        Ok(())
    }

    /// Whether an unfinished line is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.partial.is_empty()
    }

    /// Lets go of the buffer when no line is unfinished.
    pub(crate) fn release_if_idle(&mut self) {
        if self.partial.is_empty() {
            self.partial = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_frame_type() {
        assert_eq!(parse_line("o"), Ok(HttpFrame::Open { hostname: None }));
        assert_eq!(
            parse_line(r#"o{"hostname":"sockjs-2.example"}"#),
            Ok(HttpFrame::Open {
                hostname: Some("sockjs-2.example".into())
            })
        );
        assert_eq!(
            parse_line(r#"a["{\"event\":\"e\"}","x"]"#),
            Ok(HttpFrame::Messages(vec![
                r#"{"event":"e"}"#.into(),
                "x".into()
            ]))
        );
        assert_eq!(
            parse_line(r#"m"{}""#),
            Ok(HttpFrame::Messages(vec!["{}".into()]))
        );
        assert_eq!(parse_line("h"), Ok(HttpFrame::Heartbeat));
        assert_eq!(
            parse_line(r#"c[4001,"no such app"]"#),
            Ok(HttpFrame::Close {
                code: 4001,
                reason: "no such app".into()
            })
        );
        assert_eq!(
            parse_line("c"),
            Ok(HttpFrame::Close {
                code: 1006,
                reason: String::new()
            })
        );
        assert_eq!(parse_line("x whatever"), Ok(HttpFrame::Ignored));
        assert!(parse_line("a[").is_err());
        assert!(parse_line(r#"a{"not":"array"}"#).is_err());
    }

    #[test]
    fn lines_span_chunks_and_multibyte_characters() {
        let mut lines = Lines::default();
        let mut seen = Vec::new();
        let text = "a[\"é\"]\nh\no\n".as_bytes();
        for chunk in [&text[..3], &text[3..4], &text[4..9], &text[9..]] {
            lines
                .push(chunk, 100, |l| {
                    seen.push(l.to_owned());
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(seen, ["a[\"é\"]", "h", "o"]);
        assert!(lines.is_empty());
    }

    #[test]
    fn a_line_over_the_limit_is_refused_before_it_ends() {
        let mut lines = Lines::default();
        assert!(lines.push(&[b'a'; 50], 64, |_| Ok(())).is_ok());
        assert!(matches!(
            lines.push(&[b'a'; 50], 64, |_| Ok(())),
            Err(LineError::TooLarge(_))
        ));
        assert!(matches!(
            Lines::default().push(b"\xff\n", 64, |_| Ok(())),
            Err(LineError::Malformed(_))
        ));
        assert_eq!(
            Lines::default().push(b"x\n", 64, |_| Err("unreadable".into())),
            Err(LineError::Malformed("unreadable".into()))
        );
    }
}
