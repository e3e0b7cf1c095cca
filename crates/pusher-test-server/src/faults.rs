//! Fault injection: broken handshakes, closes, drops and silence.

use crate::connection::Outgoing;
use crate::frames;
use crate::TestServer;

/// What a new connection gets right after the WebSocket upgrade.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HandshakeMode {
    /// `pusher:connection_established` with `socket_id` and `activity_timeout`.
    #[default]
    Normal,
    /// `pusher:connection_established` without `activity_timeout`.
    NoActivityTimeout,
    /// `{"event":"hello","data":"{}"}` instead of `connection_established`;
    /// the connection then works as usual.
    InvalidFirstFrame,
    /// `pusher:error` with this code (`null` when `None`) and message; the
    /// socket stays open and works as usual.
    Error {
        /// The error code.
        code: Option<u16>,
        /// The error message.
        message: String,
    },
    /// A WebSocket close with this code and reason right after the upgrade.
    Close {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// Nothing at all: the connection never writes, and reads only to record
    /// frames and notice the client leaving.
    Silent,
    /// This text frame instead of `connection_established` (it need not be
    /// JSON); the connection then works as usual.
    FirstFrame(String),
}

/// How a connection opens, worked out from a [`HandshakeMode`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Opening {
    /// Text frames to send first.
    pub frames: Vec<String>,
    /// A close to send after them.
    pub close: Option<(u16, String)>,
    /// Whether the connection stays silent for good.
    pub silent: bool,
}

impl HandshakeMode {
    /// The opening for a connection with this socket id.
    pub(crate) fn opening(&self, socket_id: &str, activity_timeout: u64) -> Opening {
        let mut opening = Opening {
            frames: Vec::new(),
            close: None,
            silent: false,
        };
        match self {
            Self::Normal => opening.frames.push(frames::connection_established(
                socket_id,
                Some(activity_timeout),
            )),
            Self::NoActivityTimeout => opening
                .frames
                .push(frames::connection_established(socket_id, None)),
            Self::InvalidFirstFrame => opening
                .frames
                .push(r#"{"event":"hello","data":"{}"}"#.to_owned()),
            Self::Error { code, message } => opening.frames.push(frames::error(*code, message)),
            Self::Close { code, reason } => opening.close = Some((*code, reason.clone())),
            Self::Silent => opening.silent = true,
            Self::FirstFrame(text) => opening.frames.push(text.clone()),
        }
        opening
    }
}

impl TestServer {
    /// Closes one connection (`Some(socket_id)`) or all (`None`) cleanly with
    /// a WebSocket close frame; returns how many were asked to close.
    pub fn close(&self, socket_id: Option<&str>, code: u16, reason: &str) -> usize {
        self.inner()
            .send_each(socket_id, || Outgoing::Close(code, reason.to_owned()))
    }

    /// Drops one connection (`Some(socket_id)`) or all (`None`) at the TCP
    /// level, with no close frame; returns how many were dropped. Presence
    /// members of the dropped connections are removed at once.
    pub fn drop_connections(&self, socket_id: Option<&str>) -> usize {
        self.inner().drop_connections(socket_id)
    }

    /// While silent, no connection (existing or new) writes anything, so
    /// neither `pusher:ping` nor WebSocket pings get answered, and frames
    /// received are recorded in [`received`](Self::received) but not acted
    /// on. New connections still get their handshake frame first. Frames
    /// pushed meanwhile wait and go out when silence is turned off.
    pub fn set_silent(&self, silent: bool) {
        self.inner().silent.send_replace(silent);
    }

    /// While stalled, every connection (existing or new, after its handshake
    /// frame) stops reading and writing, as a hung peer would: its TCP receive
    /// window fills, so a client that keeps sending finds its writes blocked,
    /// and nothing it sends is answered or recorded. Turning it off resumes
    /// both.
    pub fn set_stalled(&self, stalled: bool) {
        self.inner().stalled.send_replace(stalled);
    }

    /// Sets how connections opened from now on are greeted.
    pub fn set_handshake(&self, mode: HandshakeMode) {
        *self
            .inner()
            .handshake
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = mode;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings() {
        let normal = HandshakeMode::Normal.opening("1.2", 30);
        assert_eq!(
            normal.frames,
            vec![frames::connection_established("1.2", Some(30))]
        );
        assert!(!normal.silent && normal.close.is_none());

        let bare = HandshakeMode::NoActivityTimeout.opening("1.2", 30);
        assert_eq!(
            bare.frames,
            vec![frames::connection_established("1.2", None)]
        );

        let hello = HandshakeMode::InvalidFirstFrame.opening("1.2", 30);
        assert_eq!(
            hello.frames,
            vec![r#"{"event":"hello","data":"{}"}"#.to_owned()]
        );

        let error = HandshakeMode::Error {
            code: Some(4100),
            message: "Over capacity".into(),
        }
        .opening("1.2", 30);
        assert_eq!(
            error.frames,
            vec![frames::error(Some(4100), "Over capacity")]
        );

        let close = HandshakeMode::Close {
            code: 4009,
            reason: "nope".into(),
        }
        .opening("1.2", 30);
        assert!(close.frames.is_empty());
        assert_eq!(close.close, Some((4009, "nope".to_owned())));

        let silent = HandshakeMode::Silent.opening("1.2", 30);
        assert!(silent.frames.is_empty() && silent.silent);

        let raw = HandshakeMode::FirstFrame("not json {".into()).opening("1.2", 30);
        assert_eq!(raw.frames, vec!["not json {".to_owned()]);
        assert!(!raw.silent && raw.close.is_none());
    }
}
