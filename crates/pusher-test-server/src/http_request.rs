//! HTTP/1.1 on one accepted connection, as far as the test server needs it: request heads
//! (httparse), request bodies (`Content-Length` or chunked), and responses that are either
//! whole or streamed in chunks, each chunk flushed at once.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The longest request head read; a longer one is left to tungstenite (which refuses it).
const HEAD_LIMIT: usize = 64 * 1024;

/// The most headers parsed; a request with more is left to tungstenite.
const MAX_HEADERS: usize = 64;

/// The longest request body accepted (an `xhr_send` body is a few frames).
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// A parsed request line and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    /// The minor version: `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub version: u8,
    /// Headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The head's length in bytes.
    len: usize,
}

impl RequestHead {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header_has(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether it asks for a WebSocket (`Upgrade: websocket`); those go to tungstenite.
    pub fn is_websocket_upgrade(&self) -> bool {
        self.header_has("upgrade", "websocket")
    }

    /// Whether the connection may serve another request after this one: HTTP/1.1 without
    /// `Connection: close`. HTTP/1.0 gets one request per connection (a streamed response
    /// has no length there, so only closing the connection can end it).
    pub fn keep_alive(&self) -> bool {
        self.version == 1 && !self.header_has("connection", "close")
    }

    /// Whether responses to it can use chunked transfer encoding (HTTP/1.1).
    pub fn chunked_response(&self) -> bool {
        self.version == 1
    }
}

/// What came first on the connection.
#[derive(Debug)]
pub(crate) enum Next {
    /// A request head (not yet consumed: see [`HttpConn::consume_head`]).
    Head(RequestHead),
    /// The client closed the connection (or it failed) between requests.
    Closed,
    /// Bytes that are no HTTP request this parser takes: too long, too many headers, or
    /// malformed. The WebSocket path gets them, so its errors stay as they were.
    NotHttp,
}

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// Larger than [`BODY_LIMIT`].
    #[error("request body too large")]
    TooLarge,
    /// A bad `Content-Length` or chunk header.
    #[error("malformed request body framing")]
    Malformed,
    /// The connection ended or failed.
    #[error("connection lost: {0}")]
    Io(#[from] io::Error),
}

/// One connection, with the bytes read from it and not yet used.
pub(crate) struct HttpConn<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> HttpConn<S> {
    /// Wraps an accepted connection.
    pub fn new(stream: S) -> Self {
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    /// The stream and the bytes read from it that nobody used yet (a WebSocket upgrade's head
    /// among them).
    pub fn into_parts(self) -> (S, Vec<u8>) {
        (self.stream, self.buf)
    }

    /// The stream.
    pub fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Reads until a whole request head is buffered, and parses it without consuming it.
    pub async fn next_request(&mut self) -> Next {
        loop {
            if !self.buf.is_empty() {
                match parse_head(&self.buf) {
                    Ok(Some(head)) => return Next::Head(head),
                    Ok(None) if self.buf.len() < HEAD_LIMIT => {}
                    Ok(None) | Err(()) => return Next::NotHttp,
                }
            }
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return Next::Closed,
                Ok(_) => {}
            }
        }
    }

    /// Drops the head of a request this connection serves as HTTP.
    pub fn consume_head(&mut self, head: &RequestHead) {
        self.buf.drain(..head.len.min(self.buf.len()));
    }

    /// Reads the body of the request whose head was consumed.
    pub async fn read_body(&mut self, head: &RequestHead) -> Result<Vec<u8>, BodyError> {
        if head
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            return self.read_chunked().await;
        }
        let length = match head.header("content-length") {
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| BodyError::Malformed)?,
            None => 0,
        };
        if length > BODY_LIMIT {
            return Err(BodyError::TooLarge);
        }
        self.fill(length).await?;
        Ok(self.buf.drain(..length).collect())
    }

    async fn read_chunked(&mut self) -> Result<Vec<u8>, BodyError> {
        let mut body = Vec::new();
        loop {
            let (start, size) = loop {
                match httparse::parse_chunk_size(&self.buf) {
                    Ok(httparse::Status::Complete((start, size))) => break (start, size),
                    Ok(httparse::Status::Partial) if self.buf.len() < HEAD_LIMIT => {
                        self.read_more().await?;
                    }
                    _ => return Err(BodyError::Malformed),
                }
            };
            let size = usize::try_from(size).map_err(|_| BodyError::TooLarge)?;
            if body.len() + size > BODY_LIMIT {
                return Err(BodyError::TooLarge);
            }
            // The data and its CRLF; the last chunk (size 0) is followed by a CRLF alone, as
            // no client of these transports sends trailers.
            self.fill(start + size + 2).await?;
            if &self.buf[start + size..start + size + 2] != b"\r\n" {
                return Err(BodyError::Malformed);
            }
            body.extend_from_slice(&self.buf[start..start + size]);
            self.buf.drain(..start + size + 2);
            if size == 0 {
                return Ok(body);
            }
        }
    }

    /// Reads until at least `n` bytes are buffered.
    async fn fill(&mut self, n: usize) -> io::Result<()> {
        while self.buf.len() < n {
            self.read_more().await?;
        }
        Ok(())
    }

    /// Reads whatever comes next into the buffer; an end of stream is an error. Cancel-safe,
    /// so a held response can watch for its client leaving.
    pub async fn read_more(&mut self) -> io::Result<()> {
        if self.buf.len() >= HEAD_LIMIT + BODY_LIMIT {
            return Err(io::Error::other("client sent too much without waiting"));
        }
        match self.stream.read_buf(&mut self.buf).await? {
            0 => Err(io::ErrorKind::UnexpectedEof.into()),
            _ => Ok(()),
        }
    }

    /// Writes a whole response with a `text/plain` body (or none for 204).
    pub async fn respond(
        &mut self,
        status: u16,
        reason: &str,
        body: &str,
        keep_alive: bool,
    ) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
        if status != 204 {
            head.push_str("Content-Type: text/plain; charset=UTF-8\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        if status == 405 {
            head.push_str("Allow: POST\r\n");
        }
        head.push_str(connection(keep_alive));
        head.push_str("\r\n");
        head.push_str(body);
        self.stream.write_all(head.as_bytes()).await?;
        self.stream.flush().await
    }

    /// Writes the head of a `200` whose body follows in [`write_part`](Self::write_part)s:
    /// chunked, or (HTTP/1.0) delimited by closing the connection.
    pub async fn start_body(&mut self, chunked: bool, keep_alive: bool) -> io::Result<()> {
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\n\
             Content-Type: application/javascript; charset=UTF-8\r\n\
             Cache-Control: no-store, no-cache, no-transform, must-revalidate, max-age=0\r\n",
        );
        if chunked {
            head.push_str("Transfer-Encoding: chunked\r\n");
        }
        head.push_str(connection(keep_alive && chunked));
        head.push_str("\r\n");
        self.stream.write_all(head.as_bytes()).await?;
        self.stream.flush().await
    }

    /// Writes one part of a body begun with [`start_body`](Self::start_body) and flushes it.
    pub async fn write_part(&mut self, data: &[u8], chunked: bool) -> io::Result<()> {
        if data.is_empty() {
            // An empty chunk would end the body.
            return Ok(());
        }
        if chunked {
            let size = format!("{:x}\r\n", data.len());
            self.stream.write_all(size.as_bytes()).await?;
            self.stream.write_all(data).await?;
            self.stream.write_all(b"\r\n").await?;
        } else {
            self.stream.write_all(data).await?;
        }
        self.stream.flush().await
    }

    /// Ends a body begun with [`start_body`](Self::start_body) (the last chunk).
    pub async fn end_body(&mut self, chunked: bool) -> io::Result<()> {
        if chunked {
            self.stream.write_all(b"0\r\n\r\n").await?;
        }
        self.stream.flush().await
    }
}

fn connection(keep_alive: bool) -> &'static str {
    if keep_alive {
        "Connection: keep-alive\r\n"
    } else {
        "Connection: close\r\n"
    }
}

/// A complete head at the start of `buf` (`None`: not complete yet; `Err`: not one this
/// parser takes).
fn parse_head(buf: &[u8]) -> Result<Option<RequestHead>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(()),
    };
    Ok(Some(RequestHead {
        method: request.method.unwrap_or_default().to_owned(),
        target: request.path.unwrap_or_default().to_owned(),
        version: request.version.unwrap_or(1),
        headers: request
            .headers
            .iter()
            .map(|h| {
                let value = String::from_utf8_lossy(h.value).into_owned();
                (h.name.to_ascii_lowercase(), value)
            })
            .collect(),
        len,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn conn_with(input: &[u8]) -> HttpConn<tokio::io::DuplexStream> {
        let (near, mut far) = tokio::io::duplex(1 << 16);
        far.write_all(input).await.unwrap();
        drop(far);
        HttpConn::new(near)
    }

    #[tokio::test]
    async fn heads_and_bodies_of_consecutive_requests() {
        let mut conn = conn_with(
            b"POST /pusher/app/k/1/abcdefgh/xhr_send?t=1 HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 4\r\n\r\n[\"\"]\
              POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
              2\r\n[]\r\n0\r\n\r\n",
        )
        .await;
        let Next::Head(head) = conn.next_request().await else {
            panic!("a head")
        };
        assert_eq!(head.method, "POST");
        assert_eq!(head.target, "/pusher/app/k/1/abcdefgh/xhr_send?t=1");
        assert_eq!(head.header("content-type"), Some("application/json"));
        assert!(head.keep_alive() && !head.is_websocket_upgrade());
        conn.consume_head(&head);
        assert_eq!(conn.read_body(&head).await.unwrap(), b"[\"\"]");

        let Next::Head(head) = conn.next_request().await else {
            panic!("a second head")
        };
        assert!(!head.keep_alive());
        conn.consume_head(&head);
        assert_eq!(conn.read_body(&head).await.unwrap(), b"[]");
        assert!(matches!(conn.next_request().await, Next::Closed));
    }

    #[tokio::test]
    async fn upgrades_and_garbage_are_left_unconsumed() {
        let upgrade = b"GET /app/k HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n";
        let mut conn = conn_with(upgrade).await;
        let Next::Head(head) = conn.next_request().await else {
            panic!("a head")
        };
        assert!(head.is_websocket_upgrade());
        assert_eq!(conn.into_parts().1, upgrade);

        let mut conn = conn_with(b"\x16\x03\x01 not http\r\n\r\n").await;
        assert!(matches!(conn.next_request().await, Next::NotHttp));
        assert!(!conn.into_parts().1.is_empty());
    }

    #[tokio::test]
    async fn bad_body_framing_is_refused() {
        let mut conn = conn_with(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n").await;
        let Next::Head(head) = conn.next_request().await else {
            panic!()
        };
        conn.consume_head(&head);
        assert!(matches!(
            conn.read_body(&head).await,
            Err(BodyError::Malformed)
        ));
        let big = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            BODY_LIMIT + 1
        );
        let mut conn = conn_with(big.as_bytes()).await;
        let Next::Head(head) = conn.next_request().await else {
            panic!()
        };
        conn.consume_head(&head);
        assert!(matches!(
            conn.read_body(&head).await,
            Err(BodyError::TooLarge)
        ));
    }

    #[tokio::test]
    async fn streamed_bodies_are_chunked_and_flushed() {
        let (near, mut far) = tokio::io::duplex(1 << 16);
        let mut conn = HttpConn::new(near);
        conn.start_body(true, true).await.unwrap();
        conn.write_part(b"o\n", true).await.unwrap();
        conn.write_part(b"", true).await.unwrap();
        conn.end_body(true).await.unwrap();
        drop(conn);
        let mut out = String::new();
        far.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(out.contains("Content-Type: application/javascript; charset=UTF-8\r\n"));
        assert!(out.contains("Transfer-Encoding: chunked\r\n"));
        assert!(out.ends_with("\r\n\r\n2\r\no\n\r\n0\r\n\r\n"), "{out:?}");
    }
}
