//! HTTP sessions at run time: the registry that finds a session by its URL, and one task per
//! session that feeds its receive requests.
//!
//! A session is registered with the server like a WebSocket connection (a socket id, a send
//! queue and a kill switch). Its task owns the [`Session`] state and polls everything
//! together: frames the server queues for it, receive requests arriving, the attached request
//! going away or having room for a line, the heartbeat or disconnect deadline, and the server's
//! silence and stall switches. The request itself is written by the connection task that read
//! it (`http_transport`), from a small bounded channel, so a slow client holds lines back in
//! the session's queue, where they count against its limit.

use std::collections::HashMap;
use std::future::pending;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use tokio::sync::{mpsc, watch, Notify};
use tokio::time::{sleep_until, Instant};

use crate::connection::Outgoing;
use crate::http_session::{Output, Receive, Session, Status};
use crate::server::Inner;
use crate::Transport;

/// Lines in flight between a session and the request writing them.
const IN_FLIGHT: usize = 8;

/// What a session hands the receive request that is writing its response.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// Bytes to write and flush.
    Line(Vec<u8>),
    /// End the response. A channel closed without it means: cut the connection.
    End,
}

/// A receive request joining its session.
struct Attach {
    kind: Receive,
    lines: mpsc::Sender<Chunk>,
}

/// A live session, as the registry knows it.
struct Entry {
    /// Tells this session from a later one under the same URL.
    generation: u64,
    socket_id: String,
    /// Whether it was opened in [`HandshakeMode::Silent`](crate::HandshakeMode::Silent).
    silent: bool,
    attach: mpsc::UnboundedSender<Attach>,
}

/// The session a client's `xhr_send` goes to.
pub(crate) struct SendTarget {
    /// The session's socket id.
    pub socket_id: String,
    /// Opened in [`HandshakeMode::Silent`](crate::HandshakeMode::Silent): frames are recorded,
    /// not acted on.
    pub silent: bool,
}

/// Who opened a session: the parts of its first receive request.
pub(crate) struct Opener<'a> {
    /// `<app key>/<server>/<session>`, unique per client session.
    pub key: &'a str,
    /// The app key.
    pub app_key: &'a str,
    /// The request target, recorded as the connection's path.
    pub path: &'a str,
    /// The request headers, recorded as the connection's headers.
    pub headers: Vec<(String, String)>,
    /// Streaming or polling.
    pub kind: Receive,
}

/// Open sessions by `<app key>/<server>/<session>`.
#[derive(Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Entry>>,
    next_generation: AtomicU64,
}

impl Sessions {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open session under `key`, for a send request.
    pub fn find(&self, key: &str) -> Option<SendTarget> {
        self.map().get(key).map(|entry| SendTarget {
            socket_id: entry.socket_id.clone(),
            silent: entry.silent,
        })
    }

    /// Forgets every session (the server stopped; their tasks end as their queues close).
    pub fn clear(&self) {
        self.map().clear();
    }
}

/// Attaches a receive request to its session, opening the session (and registering it with
/// the server) if it is new; returns what to write to the response.
///
/// The registry's lock is held throughout, so a session cannot be opened twice; the server
/// state's lock is taken inside it and never the other way round.
pub(crate) fn attach(inner: &Arc<Inner>, opener: Opener<'_>) -> mpsc::Receiver<Chunk> {
    let (lines, receiver) = mpsc::channel(IN_FLIGHT);
    let mut map = inner.sessions.map();
    let mut request = Attach {
        kind: opener.kind,
        lines,
    };
    if let Some(entry) = map.get(opener.key) {
        match entry.attach.send(request) {
            Ok(()) => return receiver,
            // The session just ended; this request opens a new one.
            Err(mpsc::error::SendError(back)) => request = back,
        }
    }
    let (tx, outgoing) = mpsc::unbounded_channel();
    let kill = Arc::new(Notify::new());
    let transport = match opener.kind {
        Receive::Streaming => Transport::XhrStreaming,
        Receive::Polling => Transport::XhrPolling,
    };
    let socket_id = inner.register(
        opener.app_key,
        opener.path,
        opener.headers,
        tx,
        kill.clone(),
        transport,
    );
    let opening = inner
        .handshake_mode()
        .opening(&socket_id, inner.activity_timeout);
    let session = Session::new(
        inner.http_limits,
        Instant::now(),
        opening.frames,
        opening.close,
    );
    let (attach, commands) = mpsc::unbounded_channel();
    let generation = inner
        .sessions
        .next_generation
        .fetch_add(1, Ordering::Relaxed);
    // Cannot fail: `commands` is alive.
    let _ = attach.send(request);
    map.insert(
        opener.key.to_owned(),
        Entry {
            generation,
            socket_id: socket_id.clone(),
            silent: opening.silent,
            attach,
        },
    );
    drop(map);
    let link = Link {
        inner: Arc::downgrade(inner),
        key: opener.key.to_owned(),
        generation,
        socket_id,
        session,
        outgoing,
        commands,
        kill,
        forced_silent: opening.silent,
        writer: None,
        silence: inner.silent.subscribe(),
        stall: inner.stalled.subscribe(),
    };
    tokio::spawn(link.run());
    receiver
}

/// Why a session's task ends.
enum End {
    /// Dropped by the server (`drop_connections`) or the server stopped: nothing left to do.
    Killed,
    /// Its close went out, or its client left: unregister it.
    Over,
    /// Its queue outgrew the limit: drop it as `drop_connections` would.
    Overflowed,
}

/// The task of one session.
struct Link {
    /// Weak, so a server dropped without `stop()` is not kept alive by its sessions.
    inner: Weak<Inner>,
    key: String,
    generation: u64,
    socket_id: String,
    session: Session,
    outgoing: mpsc::UnboundedReceiver<Outgoing>,
    commands: mpsc::UnboundedReceiver<Attach>,
    kill: Arc<Notify>,
    forced_silent: bool,
    /// The attached receive request.
    writer: Option<mpsc::Sender<Chunk>>,
    silence: watch::Receiver<bool>,
    stall: watch::Receiver<bool>,
}

impl Link {
    async fn run(mut self) {
        let end = self.pump().await;
        if let Some(inner) = self.inner.upgrade() {
            match end {
                End::Killed => {}
                End::Over => inner.unregister(&self.socket_id),
                End::Overflowed => {
                    inner.drop_connections(Some(&self.socket_id));
                }
            }
            let mut map = inner.sessions.map();
            if map
                .get(&self.key)
                .is_some_and(|e| e.generation == self.generation)
            {
                map.remove(&self.key);
            }
        }
        // A request that attached while the session was ending is cut, as is the attached
        // one unless it was ended.
        self.commands.close();
    }

    fn paused(&mut self) -> bool {
        self.forced_silent || *self.silence.borrow_and_update() || *self.stall.borrow_and_update()
    }

    async fn pump(&mut self) -> End {
        loop {
            let paused = self.paused();
            let now = Instant::now();
            self.hand_over(now, paused);
            match self.session.status(now) {
                Status::Open => {}
                Status::Closed | Status::Expired => return End::Over,
                Status::Overflowed => return End::Overflowed,
            }
            let wants = self.writer.is_some() && self.session.has_output(now, paused);
            let deadline = self.session.deadline(paused).filter(|_| !wants);
            tokio::select! {
                _ = self.kill.notified() => return End::Killed,
                outgoing = self.outgoing.recv() => match outgoing {
                    Some(outgoing) => self.session.push(outgoing),
                    None => return End::Killed,
                },
                attach = self.commands.recv() => match attach {
                    Some(attach) => {
                        if let Some(old) = self.writer.take() {
                            // A new stream replaces the old (pusher-js reopens past 256 KiB,
                            // and has aborted the old one): end it if it has room, else cut.
                            let _ = old.try_send(Chunk::End);
                        }
                        self.session.attach(attach.kind, Instant::now());
                        self.writer = Some(attach.lines);
                    }
                    None => return End::Killed,
                },
                _ = closed(&self.writer) => {
                    self.writer = None;
                    self.session.detach(Instant::now());
                }
                _ = room(&self.writer), if wants => {}
                _ = sleep_until(deadline.unwrap_or(now)), if deadline.is_some() => {}
                changed = self.silence.changed() => if changed.is_err() { return End::Killed },
                changed = self.stall.changed() => if changed.is_err() { return End::Killed },
            }
        }
    }

    /// Hands the attached request as much as it has room for.
    fn hand_over(&mut self, now: Instant, paused: bool) {
        while let Some(writer) = &self.writer {
            if !self.session.has_output(now, paused) {
                return;
            }
            let permit = match writer.try_reserve() {
                Ok(permit) => permit,
                // `room` wakes the task.
                Err(mpsc::error::TrySendError::Full(())) => return,
                Err(mpsc::error::TrySendError::Closed(())) => break,
            };
            match self.session.next(now, paused) {
                Some(Output::Line(line)) => permit.send(Chunk::Line(line)),
                Some(Output::End) => {
                    permit.send(Chunk::End);
                    self.writer = None;
                }
                None => return,
            }
        }
        if self.writer.as_ref().is_some_and(|w| w.is_closed()) {
            self.writer = None;
            self.session.detach(now);
        }
    }
}

/// Resolves when the attached request's receiver is gone (never without one).
async fn closed(writer: &Option<mpsc::Sender<Chunk>>) {
    match writer {
        Some(writer) => writer.closed().await,
        None => pending().await,
    }
}

/// Resolves when the attached request can take a line (or is gone).
async fn room(writer: &Option<mpsc::Sender<Chunk>>) {
    match writer {
        // The permit is released at once: `hand_over` takes it again.
        Some(writer) => drop(writer.reserve().await),
        None => pending().await,
    }
}
