//! One session of pusher-js's HTTP transports, `xhr_streaming` or `xhr_polling`: the server's
//! frames come on receive requests, ours go in `xhr_send` requests.
//!
//! The URLs are pusher-js's: `<base>/<0-999>/<8 characters>/xhr_streaming` (or `/xhr` for
//! polling) with the connection's query string, and `<base>/<session>/xhr_send`, each made
//! unique with `t=<ms>&n=<counter>`. A streaming response is let go of and asked for again
//! past 256 KiB, as pusher-js does, so no response body grows without end; a polling response
//! ends after each batch and the next poll is sent at once. A heartbeat line on a stream is
//! answered with an empty send (`[]`).
//!
//! Our frames wait in an outbox while one send is in flight and then go together in the next
//! (one JSON array), so they keep their order and a burst costs one request.

use crate::error::{ConnectionError, Failure};
use crate::http_frames::{parse_line, HttpFrame, LineError, Lines};
use crate::proxy::Proxy;
use crate::transports::HttpEndpoint;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Bytes of one streaming response after which it is asked for again (pusher-js's limit).
const STREAM_LIMIT: usize = 256 * 1024;
/// The smallest limit on one line of the server's answers.
const MIN_LINE_LIMIT: usize = 16 << 20;
/// The longest an `xhr_send` request may take; past it the session is taken for lost.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server's frames come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HttpKind {
    /// `xhr_streaming`: one long response.
    Streaming,
    /// `xhr_polling`: one response per batch.
    Polling,
}

impl HttpKind {
    /// pusher-js's name of the transport.
    pub(crate) fn name(self) -> &'static str {
        match self {
            HttpKind::Streaming => "xhr_streaming",
            HttpKind::Polling => "xhr_polling",
        }
    }

    fn receive_path(self) -> &'static str {
        match self {
            HttpKind::Streaming => "xhr_streaming",
            HttpKind::Polling => "xhr",
        }
    }
}

/// What arrived and waits to be read by [`HttpSocket::frames`].
#[derive(Debug)]
pub(crate) enum Inbound {
    /// One Pusher frame's text.
    Message(String),
    /// A heartbeat: the server is alive.
    Heartbeat,
    /// The server ended the session.
    Closed(u16, String),
    /// The server's answer could not be read; the session is over.
    Broken(ConnectionError),
}

/// A body chunk, with the response to read the next one from.
type NextChunk = BoxFuture<'static, (reqwest::Response, reqwest::Result<Option<Bytes>>)>;

enum Receiving {
    /// The request is sent; its answer's head is awaited.
    Request(BoxFuture<'static, reqwest::Result<reqwest::Response>>),
    /// The answer's body is being read.
    Body(NextChunk),
    /// The session is over: nothing more is asked for.
    Ended,
}

/// An open HTTP transport session.
pub(crate) struct HttpSocket {
    http: reqwest::Client,
    kind: HttpKind,
    /// `<base>/<server>/<session>`.
    session: String,
    /// The connection's query string (`?protocol=7&…`), repeated on receive requests.
    query: String,
    headers: Vec<(String, String)>,
    receiving: Option<Receiving>,
    /// Bytes read from the current streaming response.
    streamed: usize,
    lines: Lines,
    max_line: usize,
    opened: bool,
    inbox: VecDeque<Inbound>,
    outbox: Vec<String>,
    outbox_bytes: usize,
    /// A heartbeat to answer with an empty send.
    heartbeat_due: bool,
    /// The send in flight, and its bytes.
    sending: Option<(BoxFuture<'static, Result<(), String>>, usize)>,
}

/// Where and how an HTTP session is opened.
pub(crate) struct HttpTarget<'a> {
    pub(crate) kind: HttpKind,
    pub(crate) endpoint: &'a HttpEndpoint,
    pub(crate) tls: bool,
    pub(crate) key: &'a str,
    pub(crate) client_name: &'a str,
}

impl HttpSocket {
    /// Opens a session: the first receive request, answered with the `o` frame. Bounded by
    /// the attempt timeout, as the WebSocket's opening is.
    pub(crate) async fn open(
        target: HttpTarget<'_>,
        headers: &[(String, String)],
        max_message: usize,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<&Proxy>,
    ) -> Result<HttpSocket, ConnectionError> {
        let proxy = proxy.filter(|p| p.applies_to(&target.endpoint.host));
        if let Some(why) = proxy.and_then(Proxy::unusable_reason) {
            return Err(ConnectionError::socket(Failure::Proxy, why));
        }
        let (base, query) = target
            .endpoint
            .base(target.tls, target.key, target.client_name);
        let mut socket = HttpSocket {
            http: crate::http_client::shared(tls, proxy),
            kind: target.kind,
            session: format!("{base}/{}", session_path()),
            query,
            headers: headers.to_vec(),
            receiving: None,
            streamed: 0,
            lines: Lines::default(),
            // A line holds frames' JSON text escaped once more, and a poll's answer may hold
            // every frame queued since the last: at least 16 MiB.
            max_line: max_message
                .saturating_mul(2)
                .saturating_add(64)
                .max(MIN_LINE_LIMIT),
            opened: false,
            inbox: VecDeque::new(),
            outbox: Vec::new(),
            outbox_bytes: 0,
            heartbeat_due: false,
            sending: None,
        };
        let name = target.kind.name();
        while !socket.opened {
            std::future::poll_fn(|cx| socket.poll_receive(cx))
                .await
                .map_err(|mut e| {
                    e.message = format!("{name} session: {}", e.message);
                    e
                })?;
            if let Some(Inbound::Closed(code, reason)) = socket.inbox.front() {
                let message = format!("{name} session closed by the server: {code} {reason}");
                return Err(ConnectionError::socket(Failure::Handshake, message)
                    .with_code(i64::from(*code)));
            }
            if let Some(Inbound::Broken(e)) = socket.inbox.pop_front() {
                return Err(e);
            }
        }
        Ok(socket)
    }

    /// Reads what the server sent, as far as it has come; bytes read (never 0: an ended
    /// session is reported by [`HttpSocket::frames`]), or the session lost.
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        self.poll_receive(cx)
            .map_err(|e| io::Error::other(e.message))
    }

    fn poll_receive(&mut self, cx: &mut Context<'_>) -> Poll<Result<usize, ConnectionError>> {
        loop {
            match self.receiving.as_mut() {
                None => self.receiving = Some(self.receive_request()),
                Some(Receiving::Ended) => return Poll::Pending,
                Some(Receiving::Request(request)) => {
                    let answer = ready!(request.poll_unpin(cx)).map_err(request_failed);
                    let response = match answer {
                        Ok(r) if r.status() == reqwest::StatusCode::OK => r,
                        Ok(r) => {
                            self.receiving = Some(Receiving::Ended);
                            let status = r.status().as_u16();
                            return Poll::Ready(Err(ConnectionError::socket(
                                Failure::HttpStatus,
                                format!("connection interrupted (HTTP {status})"),
                            )
                            .with_code(i64::from(status))));
                        }
                        Err(e) => {
                            self.receiving = Some(Receiving::Ended);
                            return Poll::Ready(Err(e));
                        }
                    };
                    self.streamed = 0;
                    self.receiving = Some(Receiving::Body(next_chunk(response)));
                }
                Some(Receiving::Body(chunk)) => {
                    let (response, chunk) = ready!(chunk.poll_unpin(cx));
                    match chunk {
                        Ok(Some(bytes)) => {
                            self.streamed += bytes.len();
                            self.take(&bytes);
                            let reopen = self.kind == HttpKind::Streaming
                                && self.streamed > STREAM_LIMIT
                                && self.lines.is_empty();
                            if !matches!(self.receiving, Some(Receiving::Ended)) {
                                // Dropping the response aborts it; the next turn asks anew.
                                self.receiving =
                                    (!reopen).then(|| Receiving::Body(next_chunk(response)));
                            }
                            if !bytes.is_empty() {
                                return Poll::Ready(Ok(bytes.len()));
                            }
                        }
                        // A poll answered: poll again. A stream ended: the session is lost.
                        Ok(None) if self.kind == HttpKind::Polling && self.opened => {
                            self.receiving = None;
                        }
                        Ok(None) => {
                            self.receiving = Some(Receiving::Ended);
                            return Poll::Ready(Err(ConnectionError::socket(
                                Failure::Lost,
                                "connection interrupted (the server ended the response)",
                            )));
                        }
                        Err(e) => {
                            self.receiving = Some(Receiving::Ended);
                            return Poll::Ready(Err(ConnectionError::socket(
                                Failure::Lost,
                                format!("connection interrupted: {}", describe(&e)),
                            )));
                        }
                    }
                }
            }
        }
    }

    /// Cuts `bytes` into lines and the lines into what waits to be read.
    fn take(&mut self, bytes: &[u8]) {
        let HttpSocket {
            lines,
            inbox,
            opened,
            heartbeat_due,
            session,
            kind,
            max_line,
            ..
        } = self;
        let mut ended = false;
        let read = lines.push(bytes, *max_line, |line| {
            if ended {
                return Ok(());
            }
            match parse_line(line)? {
                HttpFrame::Open { hostname } if !*opened => {
                    *opened = true;
                    if let Some(host) = hostname {
                        *session = with_host(session, &host);
                    }
                }
                HttpFrame::Open { .. } => {
                    // pusher-js: a second `o` means the server lost the session.
                    inbox.push_back(Inbound::Closed(1006, "server lost session".into()));
                    ended = true;
                }
                // Messages before the session is open are not for us (as in pusher-js).
                HttpFrame::Messages(messages) if *opened => {
                    inbox.extend(messages.into_iter().map(Inbound::Message))
                }
                HttpFrame::Messages(_) | HttpFrame::Ignored => {}
                HttpFrame::Heartbeat => {
                    if *opened {
                        inbox.push_back(Inbound::Heartbeat);
                        *heartbeat_due |= *kind == HttpKind::Streaming;
                    }
                }
                HttpFrame::Close { code, reason } => {
                    inbox.push_back(Inbound::Closed(code, reason));
                    ended = true;
                }
            }
            Ok(())
        });
        if let Err(why) = read {
            let message = format!("the server's {} answer is malformed: {why}", kind.name());
            let failure = match why {
                LineError::TooLarge(_) => Failure::TooLarge,
                LineError::Malformed(_) => Failure::Protocol,
            };
            inbox.push_back(Inbound::Broken(ConnectionError::socket(failure, message)));
            ended = true;
        }
        if ended {
            self.receiving = Some(Receiving::Ended);
        }
    }

    /// The next thing read, if any.
    pub(crate) fn next_inbound(&mut self) -> Option<Inbound> {
        self.inbox.pop_front()
    }

    /// Whether frames were read and wait.
    pub(crate) fn buffered(&self) -> usize {
        self.inbox.len()
    }

    /// Lets go of the line buffer when no line is unfinished.
    pub(crate) fn release_idle_read_buffer(&mut self) {
        self.lines.release_if_idle();
        if self.inbox.is_empty() {
            self.inbox = VecDeque::new();
        }
    }

    /// Queues a frame for the next send.
    pub(crate) fn send_text(&mut self, text: &str) {
        self.outbox_bytes += text.len();
        self.outbox.push(text.to_owned());
    }

    /// Whether anything waits to be sent or is being sent.
    pub(crate) fn wants_flush(&self) -> bool {
        !self.outbox.is_empty() || self.heartbeat_due || self.sending.is_some()
    }

    /// Bytes not yet accepted by the server.
    pub(crate) fn unwritten(&self) -> usize {
        self.outbox_bytes + self.sending.as_ref().map_or(0, |(_, n)| *n)
    }

    /// Sends what waits, one request at a time; ready once the server has taken everything.
    pub(crate) fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if let Some((send, _)) = self.sending.as_mut() {
                let sent = ready!(send.poll_unpin(cx));
                self.sending = None;
                sent.map_err(io::Error::other)?;
            }
            if self.outbox.is_empty() && !self.heartbeat_due {
                return Poll::Ready(Ok(()));
            }
            let body = serde_json::to_string(&self.outbox).expect("strings serialize");
            let bytes = std::mem::take(&mut self.outbox_bytes);
            self.outbox.clear();
            self.heartbeat_due = false;
            let request = self
                .post(&format!("{}/xhr_send", self.session), body)
                .timeout(SEND_TIMEOUT)
                .send();
            let send = async move {
                match request.await {
                    Ok(r) if r.status().is_success() => Ok(()),
                    Ok(r) => Err(format!(
                        "the server refused a send (HTTP {})",
                        r.status().as_u16()
                    )),
                    Err(e) => Err(format!("a send failed: {}", describe(&e))),
                }
            };
            self.sending = Some((Box::pin(send), bytes));
        }
    }

    fn receive_request(&self) -> Receiving {
        let url = format!(
            "{}/{}{}",
            self.session,
            self.kind.receive_path(),
            self.query
        );
        Receiving::Request(Box::pin(self.post(&url, String::new()).send()))
    }

    fn post(&self, url: &str, body: String) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(unique(url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request
    }
}

fn next_chunk(mut response: reqwest::Response) -> NextChunk {
    Box::pin(async move {
        let chunk = response.chunk().await;
        (response, chunk)
    })
}

fn request_failed(e: reqwest::Error) -> ConnectionError {
    let failure = if e.is_connect() {
        Failure::Connect
    } else if e.is_timeout() {
        Failure::Timeout
    } else {
        Failure::Lost
    };
    ConnectionError::socket(failure, describe(&e))
}

/// The error with its causes, which reqwest keeps apart.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// pusher-js's session path: a server number below 1000 and eight base-32 characters.
fn session_path() -> String {
    let mut bytes = [0u8; 10];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    let server = u16::from_le_bytes([bytes[0], bytes[1]]) % 1000;
    let id: String = bytes[2..]
        .iter()
        .map(|b| char::from_digit(u32::from(b % 32), 32).expect("below 32"))
        .collect();
    format!("{server}/{id}")
}

/// `url` made unique, as pusher-js makes each request's (`t=<ms>&n=<counter>`), so no cache
/// on the way answers it.
fn unique(url: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let separator = if url.contains('?') { '&' } else { '?' };
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{url}{separator}t={ms}&n={n}")
}

/// `url` with its host replaced (the `o` frame's `hostname`).
fn with_host(url: &str, host: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    match parsed.set_host(Some(host)) {
        Ok(()) => parsed.into(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_paths_look_like_pusher_js_ones() {
        for _ in 0..100 {
            let path = session_path();
            let (server, id) = path.split_once('/').unwrap();
            assert!(server.parse::<u16>().unwrap() < 1000);
            assert_eq!(id.len(), 8);
            assert!(id
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c)));
        }
    }

    #[test]
    fn urls_are_made_unique() {
        let a = unique("http://h:1/pusher/app/k/1/abc/xhr?protocol=7");
        let b = unique("http://h:1/pusher/app/k/1/abc/xhr_send");
        assert!(a.starts_with("http://h:1/pusher/app/k/1/abc/xhr?protocol=7&t="));
        assert!(b.starts_with("http://h:1/pusher/app/k/1/abc/xhr_send?t="));
        assert_ne!(a.rsplit("&n=").next(), b.rsplit("&n=").next());
    }

    #[test]
    fn the_open_frame_may_move_the_session() {
        assert_eq!(
            with_host(
                "https://sockjs.pusher.com:8443/pusher/app/k/1/ab",
                "sockjs-7.pusher.com"
            ),
            "https://sockjs-7.pusher.com:8443/pusher/app/k/1/ab"
        );
    }
}
