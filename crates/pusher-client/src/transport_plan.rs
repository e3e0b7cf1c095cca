//! Which transports one connection attempt tries, when, and the race between them.
//!
//! pusher-js's default strategy, as it runs in Node: the WebSocket at once; with TLS, the HTTP
//! transports from 2 s on (`xhr_streaming` at 2 s, `xhr_polling` at 6 s); without TLS from
//! 5 s (its `wss` fallback takes the 2 s slot, which the engine's machine alternates with
//! `ws` from one attempt to the next). Without the WebSocket, streaming at once and polling
//! 4 s later. Every candidate started keeps running; the first to open wins and the others
//! are dropped (cancelled). The HTTP transports are only planned where the options give an
//! [`HttpEndpoint`](crate::transports::HttpEndpoint).
//!
//! The transport that opened is remembered for the process per host, for 30 minutes (as
//! pusher-js caches it per host): an HTTP transport that won starts at once next time, racing
//! the WebSocket, so a network that breaks WebSockets does not cost every reconnection the
//! wait, and a WebSocket that works again wins back its place.

use crate::error::{ConnectionError, Failure};
use crate::handshake_headers::HandshakeHeaders;
use crate::http_socket::{HttpKind, HttpSocket, HttpTarget};
use crate::options::ClientOptions;
use crate::proxy::Proxy;
use crate::socket::Socket;
use crate::transports::HttpEndpoint;
use crate::websocket::WebSocket;
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// How long a transport that opened is remembered (pusher-js's cache lifetime).
const REMEMBERED_FOR: Duration = Duration::from_secs(30 * 60);
/// The HTTP transports' delay after the WebSocket, with TLS.
const HTTP_AFTER_TLS: Duration = Duration::from_secs(2);
/// The HTTP transports' delay after the WebSocket, without TLS (after the `wss` fallback).
const HTTP_AFTER_PLAIN: Duration = Duration::from_secs(5);
/// Polling's delay after streaming.
const POLLING_AFTER_STREAMING: Duration = Duration::from_secs(4);

/// A transport to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Candidate {
    /// The WebSocket at this URL.
    WebSocket(String),
    /// An HTTP transport.
    Http(HttpKind),
}

impl Candidate {
    #[cfg(test)]
    fn name(&self) -> &'static str {
        match self {
            Candidate::WebSocket(url) if url.starts_with("wss:") => "wss",
            Candidate::WebSocket(_) => "ws",
            Candidate::Http(kind) => kind.name(),
        }
    }
}

/// A candidate and when to start it, from the start of the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) after: Duration,
    pub(crate) candidate: Candidate,
}

/// Everything needed to open any of the transports, taken from the options at the start of
/// an attempt.
pub(crate) struct Dialer {
    key: String,
    client_name: String,
    http: Option<HttpEndpoint>,
    http_tls: bool,
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<Proxy>,
    max_message: usize,
    headers: HandshakeHeaders,
    memory_key: String,
}

impl Dialer {
    pub(crate) fn new(options: &ClientOptions) -> Dialer {
        Dialer {
            key: options.key.clone(),
            client_name: options.client_name.clone(),
            http: options.http.as_deref().cloned(),
            http_tls: options.use_tls,
            tls: options.tls(),
            proxy: options.proxy.as_deref().cloned(),
            max_message: options.max_message_size,
            headers: options.headers.clone(),
            memory_key: memory_key(options),
        }
    }

    async fn open(
        &self,
        candidate: &Candidate,
        headers: &[(String, String)],
    ) -> Result<Socket, ConnectionError> {
        let tls = self.tls.clone();
        match candidate {
            Candidate::WebSocket(url) => {
                WebSocket::open(url, headers, self.max_message, tls, self.proxy.clone())
                    .await
                    .map(Socket::Ws)
            }
            Candidate::Http(kind) => {
                let endpoint = self.http.as_ref().expect("planned only with an endpoint");
                let target = HttpTarget {
                    kind: *kind,
                    endpoint,
                    tls: self.http_tls,
                    key: &self.key,
                    client_name: &self.client_name,
                };
                HttpSocket::open(target, headers, self.max_message, tls, self.proxy.as_ref())
                    .await
                    .map(|s| Socket::Http(Box::new(s)))
            }
        }
    }
}

/// The steps of one attempt whose WebSocket URL is `ws_url`.
pub(crate) fn plan(options: &ClientOptions, ws_url: String) -> Vec<Step> {
    let allowed = options.transports;
    let mut steps = Vec::new();
    if allowed.ws {
        steps.push(Step {
            after: Duration::ZERO,
            candidate: Candidate::WebSocket(ws_url),
        });
    }
    if options.http.is_some() {
        let mut at = match (allowed.ws, options.use_tls) {
            (false, _) => Duration::ZERO,
            (true, true) => HTTP_AFTER_TLS,
            (true, false) => HTTP_AFTER_PLAIN,
        };
        for (on, kind) in [
            (allowed.xhr_streaming, HttpKind::Streaming),
            (allowed.xhr_polling, HttpKind::Polling),
        ] {
            if on {
                steps.push(Step {
                    after: at,
                    candidate: Candidate::Http(kind),
                });
                at += POLLING_AFTER_STREAMING;
            }
        }
    }
    if let Some(kind) = remembered(&memory_key(options)) {
        put_first(&mut steps, &Candidate::Http(kind));
    }
    steps
}

/// The remembered candidate at once, racing the WebSocket from the start; the rest keep their
/// delays. Where the WebSocket works again it can win and be remembered instead.
fn put_first(steps: &mut [Step], first: &Candidate) {
    for step in steps.iter_mut().filter(|s| &s.candidate == first) {
        step.after = Duration::ZERO;
    }
    steps.sort_by_key(|s| s.after);
}

/// Runs the steps: the first socket to open wins. A candidate that fails while others still
/// run is reported on `failures` at once (the app hears of a refused WebSocket without
/// waiting for the fallback); the last one to fail is the attempt's error.
pub(crate) async fn open(
    dialer: Dialer,
    steps: Vec<Step>,
    failures: UnboundedSender<ConnectionError>,
) -> Result<Socket, ConnectionError> {
    let headers = dialer.headers.resolve().await?;
    let mut running = FuturesUnordered::new();
    for (i, step) in steps.iter().enumerate() {
        let (dialer, headers) = (&dialer, &headers);
        running.push(async move {
            tokio::time::sleep(step.after).await;
            (i, dialer.open(&step.candidate, headers).await)
        });
    }
    while let Some((i, opened)) = running.next().await {
        match opened {
            Ok(socket) => {
                remember(&dialer.memory_key, &steps[i].candidate);
                return Ok(socket);
            }
            Err(e) if running.is_empty() => return Err(e),
            Err(e) => {
                let _ = failures.send(e);
            }
        }
    }
    Err(ConnectionError::socket(
        Failure::Connect,
        "no transport is allowed to connect",
    ))
}

type Memory = HashMap<String, (HttpKind, Instant)>;

fn with_memory<T>(f: impl FnOnce(&mut Memory) -> T) -> T {
    static MEMORY: Mutex<Option<Memory>> = Mutex::new(None);
    let mut guard = MEMORY.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// What a transport is remembered for: the WebSocket's URL (host, port, TLS) and the HTTP
/// endpoint.
fn memory_key(options: &ClientOptions) -> String {
    match options.http.as_deref() {
        Some(h) => format!(
            "{} {}:{}:{}",
            options.url(),
            h.host,
            h.http_port,
            h.https_port
        ),
        None => options.url(),
    }
}

fn remembered(key: &str) -> Option<HttpKind> {
    with_memory(|memory| match memory.get(key) {
        Some((kind, at)) if at.elapsed() < REMEMBERED_FOR => Some(*kind),
        Some(_) => {
            memory.remove(key);
            None
        }
        None => None,
    })
}

fn remember(key: &str, opened: &Candidate) {
    with_memory(|memory| match opened {
        Candidate::Http(kind) => {
            memory.insert(key.to_owned(), (*kind, Instant::now()));
        }
        Candidate::WebSocket(_) => {
            memory.remove(key);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transports::Transports;

    fn at(steps: &[Step]) -> Vec<(u64, &'static str)> {
        steps
            .iter()
            .map(|s| (s.after.as_secs(), s.candidate.name()))
            .collect()
    }

    fn options(host: &str) -> ClientOptions {
        ClientOptions::new("key").host(host)
    }

    #[test]
    fn without_an_http_endpoint_only_the_websocket() {
        let o = options("plan-a.example");
        assert_eq!(at(&plan(&o, o.url())), [(0, "wss")]);
    }

    #[test]
    fn pusher_js_schedule_with_and_without_tls() {
        let o = options("plan-b.example").http_endpoint(Some(HttpEndpoint::pusher(Some("eu"))));
        assert_eq!(
            at(&plan(&o, o.url())),
            [(0, "wss"), (2, "xhr_streaming"), (6, "xhr_polling")]
        );
        let o = o.use_tls(false);
        assert_eq!(
            at(&plan(&o, o.url())),
            [(0, "ws"), (5, "xhr_streaming"), (9, "xhr_polling")]
        );
    }

    #[test]
    fn transports_can_be_left_out() {
        let o = options("plan-c.example")
            .http_endpoint(Some(HttpEndpoint::pusher(None)))
            .transports(Transports {
                ws: false,
                xhr_streaming: true,
                xhr_polling: true,
            });
        assert_eq!(
            at(&plan(&o, o.url())),
            [(0, "xhr_streaming"), (4, "xhr_polling")]
        );
        let o = o.transports(Transports {
            ws: true,
            xhr_streaming: false,
            xhr_polling: true,
        });
        assert_eq!(at(&plan(&o, o.url())), [(0, "wss"), (2, "xhr_polling")]);
    }

    #[test]
    fn an_http_transport_that_opened_races_the_websocket_from_the_start_next_time() {
        let o = options("plan-d.example").http_endpoint(Some(HttpEndpoint::pusher(None)));
        remember(&memory_key(&o), &Candidate::Http(HttpKind::Polling));
        assert_eq!(
            at(&plan(&o, o.url())),
            [(0, "wss"), (0, "xhr_polling"), (2, "xhr_streaming")]
        );
        remember(&memory_key(&o), &Candidate::WebSocket(o.url()));
        assert_eq!(
            at(&plan(&o, o.url())),
            [(0, "wss"), (2, "xhr_streaming"), (6, "xhr_polling")]
        );
    }
}
