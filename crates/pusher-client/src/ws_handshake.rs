//! The WebSocket opening handshake (RFC 6455 section 4), without I/O: where a `ws://` or
//! `wss://` URL points, the upgrade request, and the checks on the server's answer.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};

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

    /// The upgrade request, with `key` as `Sec-WebSocket-Key`.
    pub(crate) fn request(&self, key: &str) -> String {
        format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n",
            self.path, self.authority
        )
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A `Sec-WebSocket-Key` from 16 random bytes.
pub(crate) fn key(random: [u8; 16]) -> String {
    STANDARD.encode(random)
}

/// The `Sec-WebSocket-Accept` a server must answer `key` with.
pub(crate) fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    STANDARD.encode(sha.finalize())
}

/// The longest response head accepted.
pub(crate) const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// The HTTP status of the answer in `buf`, once its status line has arrived.
pub(crate) fn response_status(buf: &[u8]) -> Option<u16> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(buf) {
        Ok(_) | Err(httparse::Error::TooManyHeaders) => response.code,
        Err(_) => None,
    }
}

/// Checks the server's answer to the upgrade request sent with `key`. `Ok(None)` until the
/// whole head has arrived; then the head's length (any bytes after it are frames).
pub(crate) fn check_response(buf: &[u8], key: &str) -> Result<Option<usize>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() < MAX_RESPONSE_HEAD => return Ok(None),
        Ok(httparse::Status::Partial) => return Err("the HTTP response head is too long".into()),
        Err(e) => return Err(format!("invalid HTTP response: {e}")),
    };
    let code = response.code.unwrap_or_default();
    if code != 101 {
        return Err(format!(
            "HTTP error: {code} {}",
            response.reason.unwrap_or_default()
        ));
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    if !header("Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err("the server did not upgrade to websocket".into());
    }
    let connection_upgrades = header("Connection").is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    });
    if !connection_upgrades {
        return Err("the server's Connection header does not say Upgrade".into());
    }
    if header("Sec-WebSocket-Accept").as_deref() != Some(accept_for(key).as_str()) {
        return Err("wrong Sec-WebSocket-Accept".into());
    }
    Ok(Some(head_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_and_path() {
        let t = Target::parse("ws://127.0.0.1:6001/ws/app/key?protocol=7").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (false, "127.0.0.1", 6001));
        assert!(t
            .request("k")
            .starts_with("GET /ws/app/key?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1:6001\r\n"));
        let t = Target::parse("WSS://[::1]/app/k").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (true, "::1", 443));
        assert!(t.request("k").contains("Host: [::1]\r\n"));
        let t = Target::parse("ws://example.com?x=1").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("example.com", 80));
        assert!(t.request("k").starts_with("GET /?x=1 HTTP/1.1"));
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

    #[test]
    fn accept_matches_the_rfc_example() {
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(key(*b"the sample nonce"), "dGhlIHNhbXBsZSBub25jZQ==");
    }

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn response(status: &str, headers: &str) -> Vec<u8> {
        format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes()
    }

    #[test]
    fn a_good_answer_gives_the_head_length_and_leaves_the_frames() {
        let mut buf = response(
            "101 Switching Protocols",
            "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n",
        );
        let head = buf.len();
        for cut in 0..head {
            assert_eq!(check_response(&buf[..cut], KEY), Ok(None), "cut {cut}");
        }
        buf.extend_from_slice(&[0x81, 0]);
        assert_eq!(check_response(&buf, KEY), Ok(Some(head)));
    }

    #[test]
    fn bad_answers_are_refused() {
        let good_accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
        let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
        for (buf, why) in [
            (
                response("404 Not Found", ""),
                "HTTP error: 404 Not Found".to_owned(),
            ),
            (
                response("101 OK", &format!("Connection: Upgrade\r\n{good_accept}")),
                "the server did not upgrade to websocket".to_owned(),
            ),
            (
                response("101 OK", &format!("Upgrade: websocket\r\n{good_accept}")),
                "the server's Connection header does not say Upgrade".to_owned(),
            ),
            (
                response(
                    "101 OK",
                    &format!("{upgrade}Sec-WebSocket-Accept: nope\r\n"),
                ),
                "wrong Sec-WebSocket-Accept".to_owned(),
            ),
            (
                b"HTTP/1.1 abc\r\n\r\n".to_vec(),
                "invalid HTTP response: invalid response status".to_owned(),
            ),
            (
                vec![b'a'; MAX_RESPONSE_HEAD],
                "invalid HTTP response: invalid HTTP version".to_owned(),
            ),
        ] {
            assert_eq!(check_response(&buf, KEY), Err(why));
        }
        let endless = format!("HTTP/1.1 101 OK\r\nX: {}", "y".repeat(MAX_RESPONSE_HEAD));
        assert_eq!(
            check_response(endless.as_bytes(), KEY),
            Err("the HTTP response head is too long".into())
        );
    }
}
