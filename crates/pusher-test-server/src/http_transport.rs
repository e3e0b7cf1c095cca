//! Request routing for Pusher's HTTP transports, as pusher-js 8.6.0 uses them (its
//! `HTTPSocket`, `http_streaming_socket` and `http_polling_socket`): every request is a `POST`
//! to `<httpPath>/app/<key>/<server>/<session>/<kind>` with any query, where `<kind>` is
//!
//! - `xhr_streaming`: receive, in a response that stays open;
//! - `xhr`: receive, one line per response (polling);
//! - `xhr_send`: send, a JSON array of frame texts; answered `204`.
//!
//! Any `httpPath` prefix is accepted. `<server>` is 1 to 3 digits and `<session>` 8 letters
//! or digits, as pusher-js makes them; other paths get `404`.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::http_frames::{self, parse_send_body};
use crate::http_link::{self, Chunk, Opener};
use crate::http_request::{BodyError, HttpConn, RequestHead};
use crate::http_session::Receive;
use crate::server::Inner;
use crate::{frames, ReceivedFrame};

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `xhr_streaming` or `xhr`.
    Receive(Receive),
    /// `xhr_send`.
    Send,
}

/// A transport URL, taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Route<'a> {
    /// The app key.
    pub app_key: &'a str,
    /// `<key>/<server>/<session>`: the session's name.
    pub session: &'a str,
    /// What the request is for.
    pub kind: Kind,
}

/// The route of a request target (path and query), if it is a transport URL.
pub(crate) fn route(target: &str) -> Option<Route<'_>> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let mut parts = path.rsplitn(6, '/');
    let kind = match parts.next()? {
        "xhr_streaming" => Kind::Receive(Receive::Streaming),
        "xhr" => Kind::Receive(Receive::Polling),
        "xhr_send" => Kind::Send,
        _ => return None,
    };
    let session = parts.next()?;
    let server = parts.next()?;
    let app_key = parts.next()?;
    if parts.next()? != "app" {
        return None;
    }
    // What comes before `/app` (the httpPath) must exist, even if empty.
    parts.next()?;
    let server_ok = (1..=3).contains(&server.len()) && server.bytes().all(|b| b.is_ascii_digit());
    let session_ok = session.len() == 8 && session.bytes().all(|b| b.is_ascii_alphanumeric());
    if app_key.is_empty() || !server_ok || !session_ok {
        return None;
    }
    // `app_key/server/session` is a contiguous slice of `path`.
    let start = app_key.as_ptr() as usize - path.as_ptr() as usize;
    let end = session.as_ptr() as usize - path.as_ptr() as usize + session.len();
    Some(Route {
        app_key,
        session: &path[start..end],
        kind,
    })
}

/// What the connection does after a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// Reads the next request.
    KeepAlive,
    /// Closes cleanly (the response was complete).
    Close,
    /// Drops the connection at once (the response was cut, or the client left).
    Cut,
}

/// Serves one HTTP request whose head is `head` (not a WebSocket upgrade).
pub(crate) async fn serve<S>(inner: &Arc<Inner>, conn: &mut HttpConn<S>, head: RequestHead) -> After
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    conn.consume_head(&head);
    inner.record_http(&head.method, &head.target);
    let keep = if head.keep_alive() {
        After::KeepAlive
    } else {
        After::Close
    };
    let body = match conn.read_body(&head).await {
        Ok(body) => body,
        Err(BodyError::Io(_)) => return After::Cut,
        Err(e @ (BodyError::TooLarge | BodyError::Malformed)) => {
            let status = if matches!(e, BodyError::TooLarge) {
                (413, "Payload Too Large")
            } else {
                (400, "Bad Request")
            };
            return answer(conn, status, &e.to_string(), After::Close).await;
        }
    };
    if !inner.http_enabled() {
        return answer(conn, (404, "Not Found"), "HTTP transports are off", keep).await;
    }
    let Some(route) = route(&head.target) else {
        return answer(conn, (404, "Not Found"), "Not found", keep).await;
    };
    if head.method != "POST" {
        return answer(conn, (405, "Method Not Allowed"), "POST only", keep).await;
    }
    match route.kind {
        Kind::Send => send(inner, conn, &route, &body, keep).await,
        Kind::Receive(kind) => receive(inner, conn, &head, &route, kind, keep).await,
    }
}

/// Writes a short `text/plain` response; `Cut` if that fails.
async fn answer<S>(conn: &mut HttpConn<S>, status: (u16, &str), body: &str, then: After) -> After
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let keep_alive = then == After::KeepAlive;
    match conn.respond(status.0, status.1, body, keep_alive).await {
        Ok(()) => then,
        Err(_) => After::Cut,
    }
}

/// `xhr_send`: hands each frame to the server state as a WebSocket text frame would be.
async fn send<S>(
    inner: &Arc<Inner>,
    conn: &mut HttpConn<S>,
    route: &Route<'_>,
    body: &[u8],
    keep: After,
) -> After
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // A stalled server reads nothing: the client's request waits unanswered.
    let mut stall = inner.stalled.subscribe();
    if stall.wait_for(|stalled| !stalled).await.is_err() {
        return After::Cut;
    }
    let Some(target) = inner.sessions.find(route.session) else {
        return answer(conn, (404, "Not Found"), "Session not found", keep).await;
    };
    let frames = match parse_send_body(body) {
        Ok(frames) => frames,
        Err(e) => return answer(conn, (500, "Internal Server Error"), &e.to_string(), keep).await,
    };
    let act = !target.silent && !*inner.silent.borrow();
    for frame in frames {
        inner.receive(&target.socket_id, ReceivedFrame::Text(frame), act);
    }
    answer(conn, (204, "No Content"), "", keep).await
}

/// `xhr_streaming` and `xhr`: attaches the request to its session and writes what the session
/// hands it, until the session ends the response or the client leaves.
async fn receive<S>(
    inner: &Arc<Inner>,
    conn: &mut HttpConn<S>,
    head: &RequestHead,
    route: &Route<'_>,
    kind: Receive,
    keep: After,
) -> After
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let chunked = head.chunked_response();
    if conn
        .start_body(chunked, keep == After::KeepAlive)
        .await
        .is_err()
    {
        return After::Cut;
    }
    if !inner.knows_key(route.app_key) {
        return refuse(conn, route.app_key, chunked, keep).await;
    }
    let mut lines = http_link::attach(
        inner,
        Opener {
            key: route.session,
            app_key: route.app_key,
            path: &head.target,
            headers: head.headers.clone(),
            kind,
        },
    );
    loop {
        tokio::select! {
            chunk = lines.recv() => match chunk {
                Some(Chunk::Line(line)) => {
                    if conn.write_part(&line, chunked).await.is_err() {
                        return After::Cut;
                    }
                }
                Some(Chunk::End) => {
                    return match conn.end_body(chunked).await {
                        Ok(()) if chunked => keep,
                        // Without chunks, closing the connection is what ends the body.
                        Ok(()) => After::Close,
                        Err(_) => After::Cut,
                    };
                }
                None => return After::Cut,
            },
            // Nothing is expected from the client while it waits: an end (or anything
            // unreasonable) means it left.
            read = conn.read_more() => if read.is_err() {
                return After::Cut;
            },
        }
    }
}

/// An unknown app key: what a WebSocket connection gets (`pusher:error` 4001 and a close),
/// in one response, with no session.
async fn refuse<S>(conn: &mut HttpConn<S>, app_key: &str, chunked: bool, keep: After) -> After
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let message = format!("App key {app_key} not in this cluster");
    let error = frames::error(Some(4001), &message);
    let mut body = http_frames::OPEN.to_vec();
    body.extend(http_frames::array_line([error.as_str()]));
    body.extend(http_frames::close_line(4001, &message));
    match conn.write_part(&body, chunked).await {
        Ok(()) => {}
        Err(_) => return After::Cut,
    }
    match conn.end_body(chunked).await {
        Ok(()) if chunked => keep,
        Ok(()) => After::Close,
        Err(_) => After::Cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_under_any_http_path() {
        let r = route("/pusher/app/test-key/123/ab0cd9ef/xhr_streaming?protocol=7&t=1&n=2");
        assert_eq!(
            r,
            Some(Route {
                app_key: "test-key",
                session: "test-key/123/ab0cd9ef",
                kind: Kind::Receive(Receive::Streaming),
            })
        );
        let r = route("/app/k/0/abcdefgh/xhr").unwrap();
        assert_eq!(r.kind, Kind::Receive(Receive::Polling));
        assert_eq!(r.session, "k/0/abcdefgh");
        let r = route("/a/b/c/app/k/999/ABCDEFGH/xhr_send?t=1").unwrap();
        assert_eq!((r.app_key, r.kind), ("k", Kind::Send));
    }

    #[test]
    fn other_paths_are_not_routes() {
        for target in [
            "/app/k",
            "/pusher/app/k/1/abcdefgh",
            "/pusher/app/k/1/abcdefgh/eventsource",
            "/pusher/app/k/1234/abcdefgh/xhr",
            "/pusher/app/k/x/abcdefgh/xhr",
            "/pusher/app/k/1/abcdefg/xhr",
            "/pusher/app/k/1/abcdefg!/xhr",
            "/pusher/ap/k/1/abcdefgh/xhr",
            "/pusher/app//1/abcdefgh/xhr",
            "app/k/1/abcdefgh/xhr",
            "",
        ] {
            assert_eq!(route(target), None, "{target}");
        }
    }
}
