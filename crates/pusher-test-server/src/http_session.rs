//! One session of Pusher's HTTP transports, as pure state: what to write to the receive
//! request that is waiting (if any), when, and when the session is over. No I/O and no clock:
//! the session task (`http_link`) passes `now` in and waits for [`Session::deadline`].
//!
//! A session outlives its requests. Frames for the client wait in a queue until a receive
//! request takes them: a streaming one (`xhr_streaming`) takes line after line and stays open;
//! a polling one (`xhr`) takes one line and ends. The first receive request of a session gets
//! `o` only. A session whose client has no receive request open for the disconnect delay is
//! over, and so is one whose queue outgrows its limit (a client that stopped polling).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::connection::Outgoing;
use crate::http_frames;

/// pusher-js's `MAX_BUFFER_LENGTH`: once a streaming response is longer than this and fully
/// read, pusher-js aborts it and opens a new one on the same session.
pub(crate) const STREAM_LIMIT: usize = 256 * 1024;

/// The most bytes a session keeps queued for its client; past it the session is dropped.
pub(crate) const QUEUE_LIMIT: usize = 64 * 1024 * 1024;

/// A line of frames grows until it reaches this many bytes (it always holds at least one).
pub(crate) const LINE_BUDGET: usize = 64 * 1024;

/// The session's timings and sizes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Quiet time after which a receive request gets `h`.
    pub heartbeat: Duration,
    /// How long a session lives with no receive request open.
    pub disconnect_delay: Duration,
    /// [`QUEUE_LIMIT`], smaller in tests.
    pub queue: usize,
    /// [`STREAM_LIMIT`], smaller in tests.
    pub stream: usize,
    /// [`LINE_BUDGET`], smaller in tests.
    pub line: usize,
}

impl Limits {
    /// The given timings with the standard sizes.
    pub fn new(heartbeat: Duration, disconnect_delay: Duration) -> Self {
        Self {
            heartbeat,
            disconnect_delay,
            queue: QUEUE_LIMIT,
            stream: STREAM_LIMIT,
            line: LINE_BUDGET,
        }
    }
}

/// The two kinds of receive request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Receive {
    /// `xhr_streaming`: a response that stays open, one line per write.
    Streaming,
    /// `xhr`: a response of one line.
    Polling,
}

/// What to hand the waiting receive request next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// Bytes to write (a whole line, or raw bytes from `send_bytes`).
    Line(Vec<u8>),
    /// End the response (the request is then detached).
    End,
}

/// How the session stands.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Still serving its client.
    Open,
    /// Its `c[...]` line went out: over.
    Closed,
    /// No receive request for the disconnect delay: the client is gone.
    Expired,
    /// Its queue passed the limit: to be dropped.
    Overflowed,
}

/// Something queued for the client.
#[derive(Debug)]
enum Item {
    /// `count` copies of a frame (more than one only from `blast`).
    Frame { text: Utf8Bytes, count: u64 },
    /// Bytes written as they are.
    Raw(Vec<u8>),
    /// `h` (what a WebSocket ping becomes).
    Heartbeat,
    /// `c[code,"reason"]`, the last thing the session writes.
    Close(u16, String),
}

impl Item {
    /// The memory it holds, for the queue limit (a blast's text counts once: it is shared).
    fn size(&self) -> usize {
        match self {
            Item::Frame { text, .. } => text.len(),
            Item::Raw(bytes) => bytes.len(),
            Item::Heartbeat => 1,
            Item::Close(_, reason) => reason.len(),
        }
    }
}

/// The receive request being served.
#[derive(Debug)]
struct Receiver {
    kind: Receive,
    /// Bytes handed to it so far.
    written: usize,
    /// When it last got something (or was attached).
    last_write: Instant,
    /// Its last line went out; `End` is next.
    finished: bool,
}

/// What [`Session::next`] would do.
enum Plan {
    End,
    Open,
    Queue,
    Heartbeat,
}

/// One HTTP session's queue and receive request.
#[derive(Debug)]
pub(crate) struct Session {
    limits: Limits,
    /// `o` went out.
    opened: bool,
    queue: VecDeque<Item>,
    /// The sum of the queued items' sizes.
    queued: usize,
    /// How many items at the head of the queue are the handshake's, which go out even while
    /// the server is silent or stalled (as a WebSocket's handshake frame does).
    opening: usize,
    receiver: Option<Receiver>,
    /// Since when no receive request is attached.
    idle_since: Option<Instant>,
    /// The `c[...]` line went out.
    closed: bool,
    overflowed: bool,
}

impl Session {
    /// A new session whose handshake (from [`HandshakeMode::opening`](crate::HandshakeMode))
    /// is `frames` and then, if given, a close.
    pub fn new(
        limits: Limits,
        now: Instant,
        frames: Vec<String>,
        close: Option<(u16, String)>,
    ) -> Self {
        let mut session = Session {
            limits,
            opened: false,
            queue: VecDeque::new(),
            queued: 0,
            opening: 0,
            receiver: None,
            idle_since: Some(now),
            closed: false,
            overflowed: false,
        };
        for text in frames {
            session.enqueue(Item::Frame {
                text: text.into(),
                count: 1,
            });
        }
        if let Some((code, reason)) = close {
            session.enqueue(Item::Close(code, reason));
        }
        session.opening = session.queue.len();
        session
    }

    /// Queues something the server sends this client. A WebSocket ping becomes `h`; a binary
    /// frame has no HTTP form and is dropped.
    pub fn push(&mut self, outgoing: Outgoing) {
        let item = match outgoing {
            Outgoing::Text(text) => Item::Frame { text, count: 1 },
            Outgoing::Blast(text, count) => Item::Frame { text, count },
            Outgoing::Raw(bytes) => Item::Raw(bytes),
            Outgoing::Ping => Item::Heartbeat,
            Outgoing::Close(code, reason) => Item::Close(code, reason),
            Outgoing::Binary(_) => return,
        };
        self.enqueue(item);
    }

    fn enqueue(&mut self, item: Item) {
        if self.closed || matches!(&item, Item::Frame { count: 0, .. }) {
            return;
        }
        self.queued += item.size();
        self.queue.push_back(item);
        if self.queued > self.limits.queue {
            self.overflowed = true;
        }
    }

    /// A receive request arrived; it replaces the one attached (which the caller ends).
    pub fn attach(&mut self, kind: Receive, now: Instant) {
        self.receiver = Some(Receiver {
            kind,
            written: 0,
            last_write: now,
            finished: false,
        });
        self.idle_since = None;
    }

    /// The attached receive request went away.
    pub fn detach(&mut self, now: Instant) {
        if self.receiver.take().is_some() {
            self.idle_since = Some(now);
        }
    }

    /// Whether a receive request is attached.
    #[cfg(test)]
    pub fn is_attached(&self) -> bool {
        self.receiver.is_some()
    }

    /// Whether [`next`](Self::next) has something now. `paused` (the server is silent or
    /// stalled) holds back all but `o` and the handshake.
    pub fn has_output(&self, now: Instant, paused: bool) -> bool {
        self.plan(now, paused).is_some()
    }

    fn plan(&self, now: Instant, paused: bool) -> Option<Plan> {
        let receiver = self.receiver.as_ref()?;
        if receiver.finished {
            return Some(Plan::End);
        }
        if !self.opened {
            return Some(Plan::Open);
        }
        // Past pusher-js's limit it is about to reopen the stream: anything written to this
        // response now could arrive after it stopped reading, and be lost.
        if receiver.kind == Receive::Streaming && receiver.written > self.limits.stream {
            return None;
        }
        if !self.queue.is_empty() && (!paused || self.opening > 0) {
            return Some(Plan::Queue);
        }
        if !paused && now >= receiver.last_write + self.limits.heartbeat {
            return Some(Plan::Heartbeat);
        }
        None
    }

    /// The next thing for the attached receive request, if any now.
    pub fn next(&mut self, now: Instant, paused: bool) -> Option<Output> {
        let line = match self.plan(now, paused)? {
            Plan::End => {
                self.detach(now);
                return Some(Output::End);
            }
            Plan::Open => {
                self.opened = true;
                http_frames::OPEN.to_vec()
            }
            Plan::Queue => self.take_line(paused),
            Plan::Heartbeat => http_frames::HEARTBEAT.to_vec(),
        };
        let receiver = self.receiver.as_mut()?;
        receiver.written += line.len();
        receiver.last_write = now;
        // A poll is answered with one line; a stream ends only with its close line.
        receiver.finished |= self.closed || receiver.kind == Receive::Polling;
        Some(Output::Line(line))
    }

    /// Takes the line for the head of the queue: one raw write, `h`, the close, or a run of
    /// frames up to the line budget.
    fn take_line(&mut self, paused: bool) -> Vec<u8> {
        let mut frames: Vec<Utf8Bytes> = Vec::new();
        let mut length = 0;
        while let Some(item) = self.queue.front_mut() {
            if paused && self.opening == 0 {
                break;
            }
            let Item::Frame { text, count } = item else {
                if !frames.is_empty() {
                    break;
                }
                let Some(item) = self.pop() else { break };
                return match item {
                    Item::Raw(bytes) => bytes,
                    Item::Heartbeat => http_frames::HEARTBEAT.to_vec(),
                    Item::Close(code, reason) => {
                        self.closed = true;
                        self.queue.clear();
                        self.queued = 0;
                        http_frames::close_line(code, &reason)
                    }
                    Item::Frame { .. } => unreachable!("frames are taken below"),
                };
            };
            let size = http_frames::encoded_len(text);
            while *count > 0 && (frames.is_empty() || length + size <= self.limits.line) {
                frames.push(text.clone());
                length += size;
                *count -= 1;
            }
            if *count > 0 {
                break;
            }
            self.pop();
        }
        http_frames::array_line(frames.iter().map(|f| f.as_str()))
    }

    /// Removes the head of the queue, keeping the counters right.
    fn pop(&mut self) -> Option<Item> {
        let item = self.queue.pop_front()?;
        self.queued -= item.size();
        self.opening = self.opening.saturating_sub(1);
        Some(item)
    }

    /// When something is due without any input: the next heartbeat of the attached request,
    /// or the end of the disconnect delay.
    pub fn deadline(&self, paused: bool) -> Option<Instant> {
        match &self.receiver {
            Some(r) if r.finished || !self.opened || paused => None,
            Some(r) if r.kind == Receive::Streaming && r.written > self.limits.stream => None,
            Some(r) => Some(r.last_write + self.limits.heartbeat),
            None => self
                .idle_since
                .map(|since| since + self.limits.disconnect_delay),
        }
    }

    /// How the session stands at `now`.
    pub fn status(&self, now: Instant) -> Status {
        if self.overflowed {
            Status::Overflowed
        } else if self.closed && self.receiver.is_none() {
            Status::Closed
        } else if self
            .idle_since
            .is_some_and(|since| now >= since + self.limits.disconnect_delay)
        {
            Status::Expired
        } else {
            Status::Open
        }
    }

    /// Whether the `c[...]` line went out (the connection is over for the server).
    #[cfg(test)]
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

#[cfg(test)]
#[path = "http_session_tests.rs"]
mod tests;
