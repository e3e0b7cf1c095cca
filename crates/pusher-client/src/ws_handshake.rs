//! The WebSocket opening handshake (RFC 6455 section 4), without I/O: where a `ws://` or
//! `wss://` URL points, the upgrade request, and the checks on the server's answer.

use crate::ws_error::{WebSocketError, WebSocketErrorKind as Kind};

/// Where a WebSocket URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `wss://`.
    pub(crate) tls: bool,
    /// The host to connect to, without IPv6 brackets.
    pub(crate) host: String,
    /// The port (80 or 443 when the URL has none).
    pub(crate) port: u16,
    /// The `Host` header.
    authority: String,
    /// Path and query.
    path: String,
}

impl Target {
    /// Reads a `ws://` or `wss://` URL.
    pub(crate) fn parse(url: &str) -> Result<Target, String> {
        let err = |why: &str| format!("invalid URL {url}: {why}");
        if url.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(err("it contains spaces or control characters"));
        }
        let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "wss://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "ws://") {
            (false, rest)
        } else {
            return Err(err("the scheme must be ws:// or wss://"));
        };
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let path = match path {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        if authority.contains('@') {
            return Err(err("user names in the URL are not supported"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']').ok_or_else(|| err("unclosed ["))?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err(err("no host"));
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| err("the port is not a number"))?,
            None if tls => 443,
            None => 80,
        };
        Ok(Target {
            tls,
            host: host.to_owned(),
            port,
            authority: authority.to_owned(),
            path,
        })
    }

    /// The upgrade request, with `key` as `Sec-WebSocket-Key` and `extra` headers (already
    /// checked by `handshake_headers::check`) after the handshake's own.
    pub(crate) fn request(&self, key: &str, extra: &[(String, String)]) -> String {
        let mut request = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n",
            self.path, self.authority
        );
        for (name, value) in extra {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A fresh `Sec-WebSocket-Key`: "a nonce consisting of a randomly selected 16-byte value
/// that has been base64-encoded" (RFC 6455 section 4.1).
pub(crate) fn key() -> String {
    tungstenite::handshake::client::generate_key()
}

/// The longest response head accepted.
pub(crate) const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// The HTTP status of the answer in `buf`, once its status line has arrived (even when the
/// rest of the head never does).
pub(crate) fn response_status(buf: &[u8]) -> Option<u16> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(buf) {
        Ok(_) | Err(httparse::Error::TooManyHeaders) => response.code,
        Err(_) => None,
    }
}

/// Checks the server's answer to the upgrade request sent with `key` (which offered no
/// extension and no subprotocol). `Ok(None)` until the whole head has arrived; then the
/// head's length (any bytes after it are frames).
pub(crate) fn check_response(buf: &[u8], key: &str) -> Result<Option<usize>, WebSocketError> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() < MAX_RESPONSE_HEAD => return Ok(None),
        Ok(httparse::Status::Partial) => {
            return Err(WebSocketError::with(
                Kind::ResponseTooLong,
                format!("over {MAX_RESPONSE_HEAD} bytes"),
            ))
        }
        Err(e) => return Err(WebSocketError::with(Kind::InvalidResponse, e.to_string())),
    };
    let code = response.code.unwrap_or_default();
    // "If the status code received from the server is not 101, the client handles the
    // response per HTTP [RFC2616] procedures." (RFC 6455 section 4.1) For us: it failed.
    if code != 101 {
        return Err(WebSocketError::status_line(
            code,
            response.reason.unwrap_or_default(),
        ));
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    // "If the response lacks an |Upgrade| header field or the |Upgrade| header field
    // contains a value that is not an ASCII case-insensitive match for the value
    // "websocket", the client MUST _Fail the WebSocket Connection_." (RFC 6455 section 4.1)
    if !header("Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(WebSocketError::new(Kind::NoUpgradeHeader));
    }
    // "If the response lacks a |Connection| header field or the |Connection| header field
    // doesn't contain a token that is an ASCII case-insensitive match for the value
    // "Upgrade", the client MUST _Fail the WebSocket Connection_." (RFC 6455 section 4.1)
    let connection_upgrades = header("Connection").is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    });
    if !connection_upgrades {
        return Err(WebSocketError::new(Kind::NoConnectionUpgrade));
    }
    // "If the response lacks a |Sec-WebSocket-Accept| header field or the
    // |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the
    // concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the
    // string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" [...] the client MUST _Fail the
    // WebSocket Connection_." (RFC 6455 section 4.1)
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    if header("Sec-WebSocket-Accept").as_deref() != Some(accept.as_str()) {
        return Err(WebSocketError::new(Kind::BadAccept));
    }
    // "If the response includes a |Sec-WebSocket-Extensions| header field and this header
    // field indicates the use of an extension that was not present in the client's
    // handshake (the server has indicated an extension not requested by the client), the
    // client MUST _Fail the WebSocket Connection_." (RFC 6455 section 4.1) We offer none,
    // so any extension named is one we did not offer (permessage-deflate would otherwise
    // reach us as compressed frames with RSV1 set).
    if let Some(named) = listed(&response, "Sec-WebSocket-Extensions") {
        return Err(WebSocketError::with(Kind::UnofferedExtension, named));
    }
    // "If the response includes a |Sec-WebSocket-Protocol| header field and this header
    // field indicates the use of a subprotocol that was not present in the client's
    // handshake (the server has indicated a subprotocol not requested by the client), the
    // client MUST _Fail the WebSocket Connection_." (RFC 6455 section 4.1) We request none.
    if let Some(named) = listed(&response, "Sec-WebSocket-Protocol") {
        return Err(WebSocketError::with(Kind::UnrequestedSubprotocol, named));
    }
    Ok(Some(head_len))
}

/// The non-empty values of every `name` header, joined: what the server selected there.
fn listed(response: &httparse::Response<'_, '_>, name: &str) -> Option<String> {
    let values: Vec<String> = response
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
        .filter(|v| !v.split(',').all(|item| item.trim().is_empty()))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_and_path() {
        let t = Target::parse("ws://127.0.0.1:6001/ws/app/key?protocol=7").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (false, "127.0.0.1", 6001));
        assert!(t
            .request("k", &[])
            .starts_with("GET /ws/app/key?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1:6001\r\n"));
        let t = Target::parse("WSS://[::1]/app/k").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (true, "::1", 443));
        assert!(t.request("k", &[]).contains("Host: [::1]\r\n"));
        let t = Target::parse("ws://example.com?x=1").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("example.com", 80));
        assert!(t.request("k", &[]).starts_with("GET /?x=1 HTTP/1.1"));
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        for (url, why) in [
            ("http://h/app", "the scheme must be ws:// or wss://"),
            ("ws://h:x/app", "the port is not a number"),
            ("ws://h:70000/app", "the port is not a number"),
            ("ws:///app", "no host"),
            ("ws://a b/app", "it contains spaces or control characters"),
            ("ws://u:p@h/app", "user names in the URL are not supported"),
            ("ws://[::1/app", "unclosed ["),
        ] {
            assert_eq!(
                Target::parse(url),
                Err(format!("invalid URL {url}: {why}")),
                "{url}"
            );
        }
    }

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    /// The accept for `KEY`, from RFC 6455 section 1.3.
    const ACCEPT: &str = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    const UPGRADE: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\n";

    fn response(status: &str, headers: &str) -> Vec<u8> {
        format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes()
    }

    fn kind_of(buf: &[u8]) -> Kind {
        check_response(buf, KEY).expect_err("refused").kind()
    }

    #[test]
    fn keys_are_fresh_16_byte_nonces() {
        use base64::Engine;
        let (a, b) = (key(), key());
        assert_ne!(a, b);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .expect("base64");
        assert_eq!(raw.len(), 16);
    }

    #[test]
    fn a_good_answer_gives_the_head_length_and_leaves_the_frames() {
        let mut buf = response(
            "101 Switching Protocols",
            &format!(
                "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n{ACCEPT}\
                      Sec-WebSocket-Extensions:  \r\n"
            ),
        );
        let head = buf.len();
        for cut in 0..head {
            assert_eq!(check_response(&buf[..cut], KEY), Ok(None), "cut {cut}");
        }
        buf.extend_from_slice(&[0x81, 0]);
        assert_eq!(check_response(&buf, KEY), Ok(Some(head)));
    }

    #[test]
    fn bad_answers_are_refused_by_rule() {
        for (buf, want) in [
            (response("404 Not Found", ""), Kind::BadStatus),
            (response("200 OK", &format!("{UPGRADE}{ACCEPT}")), Kind::BadStatus),
            (
                response("101 OK", &format!("Connection: Upgrade\r\n{ACCEPT}")),
                Kind::NoUpgradeHeader,
            ),
            (
                response("101 OK", &format!("Upgrade: h2c\r\nConnection: Upgrade\r\n{ACCEPT}")),
                Kind::NoUpgradeHeader,
            ),
            (
                response("101 OK", &format!("Upgrade: websocket\r\n{ACCEPT}")),
                Kind::NoConnectionUpgrade,
            ),
            (
                response("101 OK", &format!("{UPGRADE}Sec-WebSocket-Accept: nope\r\n")),
                Kind::BadAccept,
            ),
            (response("101 OK", UPGRADE), Kind::BadAccept),
            (
                response(
                    "101 OK",
                    &format!("{UPGRADE}{ACCEPT}Sec-WebSocket-Extensions: permessage-deflate\r\n"),
                ),
                Kind::UnofferedExtension,
            ),
            (
                response(
                    "101 OK",
                    &format!("{UPGRADE}{ACCEPT}Sec-WebSocket-Extensions: ,\r\nSec-WebSocket-Extensions: x-foo\r\n"),
                ),
                Kind::UnofferedExtension,
            ),
            (
                response("101 OK", &format!("{UPGRADE}{ACCEPT}Sec-WebSocket-Protocol: chat\r\n")),
                Kind::UnrequestedSubprotocol,
            ),
            (b"HTTP/1.1 abc\r\n\r\n".to_vec(), Kind::InvalidResponse),
            (vec![b'a'; MAX_RESPONSE_HEAD], Kind::InvalidResponse),
        ] {
            assert_eq!(kind_of(&buf), want, "{}", String::from_utf8_lossy(&buf));
        }
        let e = check_response(&response("503 Busy", ""), KEY).unwrap_err();
        assert_eq!(e.status(), Some(503));
        let endless = format!("HTTP/1.1 101 OK\r\nX: {}", "y".repeat(MAX_RESPONSE_HEAD));
        assert_eq!(kind_of(endless.as_bytes()), Kind::ResponseTooLong);
    }
}
