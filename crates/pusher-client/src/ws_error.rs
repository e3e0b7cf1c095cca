//! Why the WebSocket layer gave up on a connection: one kind per rule of RFC 6455 that the
//! server broke, for the opening handshake and for the frames after it.

use std::fmt;

/// What went wrong in the WebSocket layer. Each kind is one rule of RFC 6455 (or one limit
/// of ours); match on it rather than on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebSocketErrorKind {
    /// The stream broke or ended before the server answered the upgrade request.
    NoResponse,
    /// The answer to the upgrade request is not an HTTP response.
    InvalidResponse,
    /// The answer's head is longer than we read.
    ResponseTooLong,
    /// The answer's status is not `101 Switching Protocols` (see
    /// [`WebSocketError::status`]).
    BadStatus,
    /// The answer has no `Upgrade: websocket`.
    NoUpgradeHeader,
    /// The answer's `Connection` header has no `Upgrade` token.
    NoConnectionUpgrade,
    /// The answer's `Sec-WebSocket-Accept` does not match our key.
    BadAccept,
    /// The answer selects an extension we never offered.
    UnofferedExtension,
    /// The answer selects a subprotocol we never requested.
    UnrequestedSubprotocol,
    /// A frame has an opcode RFC 6455 reserves.
    UnknownOpcode,
    /// A frame has reserved bits set, and no extension gives them a meaning.
    ReservedBits,
    /// The server masked a frame.
    MaskedFrame,
    /// A control frame (close, ping, pong) is fragmented.
    FragmentedControlFrame,
    /// A control frame's payload is longer than 125 bytes.
    ControlFrameTooLong,
    /// A continuation frame came with no message to continue.
    UnexpectedContinuation,
    /// A new message began before the fragmented one was finished.
    UnfinishedMessage,
    /// A close frame's payload is one byte: too short for a code.
    InvalidClosePayload,
    /// A text message or a close reason is not UTF-8.
    InvalidUtf8,
    /// A frame or message is larger than the configured maximum.
    TooLarge,
}

impl WebSocketErrorKind {
    /// The close code that answers this failure on the wire (RFC 6455 section 7.4.1): 1002
    /// for a protocol error, 1007 for data that does not match its type, 1009 for a message
    /// too big. `None` for a failed handshake, where there is no WebSocket to close.
    pub fn close_code(self) -> Option<u16> {
        use WebSocketErrorKind::*;
        match self {
            NoResponse
            | InvalidResponse
            | ResponseTooLong
            | BadStatus
            | NoUpgradeHeader
            | NoConnectionUpgrade
            | BadAccept
            | UnofferedExtension
            | UnrequestedSubprotocol => None,
            InvalidUtf8 => Some(1007),
            TooLarge => Some(1009),
            UnknownOpcode
            | ReservedBits
            | MaskedFrame
            | FragmentedControlFrame
            | ControlFrameTooLong
            | UnexpectedContinuation
            | UnfinishedMessage
            | InvalidClosePayload => Some(1002),
        }
    }

    /// Whether this failure happened in the opening handshake.
    pub fn is_handshake(self) -> bool {
        self.close_code().is_none()
    }

    fn describe(self) -> &'static str {
        use WebSocketErrorKind::*;
        match self {
            NoResponse => "no answer to the upgrade request",
            InvalidResponse => "the answer to the upgrade request is not HTTP",
            ResponseTooLong => "the answer's HTTP head is too long",
            BadStatus => "the server did not switch protocols",
            NoUpgradeHeader => "the server did not upgrade to websocket",
            NoConnectionUpgrade => "the server's Connection header does not say Upgrade",
            BadAccept => "wrong Sec-WebSocket-Accept",
            UnofferedExtension => "the server selected an extension we did not offer",
            UnrequestedSubprotocol => "the server selected a subprotocol we did not request",
            UnknownOpcode => "a frame with a reserved opcode",
            ReservedBits => "reserved bits set, but no extension was agreed",
            MaskedFrame => "the server masked a frame",
            FragmentedControlFrame => "a fragmented control frame",
            ControlFrameTooLong => "a control frame longer than 125 bytes",
            UnexpectedContinuation => "a continuation frame with no message",
            UnfinishedMessage => "a new message began inside a fragmented one",
            InvalidClosePayload => "a close frame with a one-byte payload",
            InvalidUtf8 => "text that is not valid UTF-8",
            TooLarge => "a message larger than the limit",
        }
    }
}

/// A failure of the WebSocket layer: its [kind](WebSocketErrorKind) and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketError {
    kind: WebSocketErrorKind,
    status: Option<u16>,
    detail: String,
}

impl WebSocketError {
    /// An error of `kind` with nothing more to say.
    pub(crate) fn new(kind: WebSocketErrorKind) -> Self {
        Self::with(kind, String::new())
    }

    /// An error of `kind` with what was seen (a header's value, a size).
    pub(crate) fn with(kind: WebSocketErrorKind, detail: impl Into<String>) -> Self {
        WebSocketError {
            kind,
            status: None,
            detail: detail.into(),
        }
    }

    /// A [`WebSocketErrorKind::BadStatus`] answer with its status line.
    pub(crate) fn status_line(status: u16, reason: &str) -> Self {
        WebSocketError {
            status: Some(status),
            ..Self::with(WebSocketErrorKind::BadStatus, format!("{status} {reason}"))
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> WebSocketErrorKind {
        self.kind
    }

    /// The HTTP status of an answer that did not switch protocols.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The close code that answers this failure; see [`WebSocketErrorKind::close_code`].
    pub fn close_code(&self) -> Option<u16> {
        self.kind.close_code()
    }
}

impl fmt::Display for WebSocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for WebSocketError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_follow_section_7_4_1() {
        use WebSocketErrorKind::*;
        assert_eq!(InvalidUtf8.close_code(), Some(1007));
        assert_eq!(TooLarge.close_code(), Some(1009));
        for kind in [
            ReservedBits,
            MaskedFrame,
            UnknownOpcode,
            InvalidClosePayload,
        ] {
            assert_eq!(kind.close_code(), Some(1002), "{kind:?}");
        }
        for kind in [
            BadStatus,
            BadAccept,
            UnofferedExtension,
            UnrequestedSubprotocol,
        ] {
            assert!(kind.is_handshake(), "{kind:?}");
        }
    }

    #[test]
    fn a_bad_status_keeps_the_status() {
        let e = WebSocketError::status_line(404, "Not Found");
        assert_eq!(
            (e.kind(), e.status()),
            (WebSocketErrorKind::BadStatus, Some(404))
        );
        assert_eq!(e.close_code(), None);
    }
}
