//! HTTP proxies: the WebSocket goes through an HTTP `CONNECT` tunnel; auth requests use the
//! same proxy through reqwest.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An HTTP proxy, and the hosts that bypass it.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    url: String,
    host: String,
    port: u16,
    authorization: Option<String>,
    no_proxy: Vec<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show the address only.
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Why a proxy URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid proxy URL {url:?}: {why}")]
pub struct ProxyError {
    url: String,
    why: &'static str,
}

impl Proxy {
    /// A proxy from a URL such as `http://user:pass@proxy.local:3128`, bypassed for the
    /// hosts in `no_proxy` (`NO_PROXY` syntax: names, `.suffix`, `*`; ports are ignored).
    pub fn new(url: &str, no_proxy: &str) -> Result<Proxy, ProxyError> {
        let err = |why| ProxyError {
            url: redact(url),
            why,
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| err("only http:// proxies are supported"))?;
        let authority = rest.split('/').next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| err("the port is not a number"))?,
            ),
            _ => (hostport, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(err("no host"));
        }
        let authorization =
            userinfo.map(|u| format!("Basic {}", STANDARD.encode(percent_decode(u))));
        Ok(Proxy {
            url: url.to_owned(),
            host: host.to_owned(),
            port,
            authorization,
            no_proxy: no_proxy
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .map(|s| s.split(':').next().unwrap_or_default().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        })
    }

    /// The proxy URL (for the HTTP client).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether connections to `host` go through the proxy.
    pub fn applies_to(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        !self.no_proxy.iter().any(|rule| {
            let domain = rule.trim_start_matches('.');
            rule == "*" || domain == host || host.ends_with(&format!(".{domain}"))
        })
    }

    /// Opens a tunnel to `host:port` through the proxy.
    pub async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, String> {
        let mut tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("cannot reach proxy {}:{}: {e}", self.host, self.port))?;
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = &self.authorization {
            request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes())
            .await
            .map_err(|e| format!("proxy write failed: {e}"))?;
        // Read the response head byte by byte: nothing past it may be consumed.
        let mut head = Vec::with_capacity(256);
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 16 * 1024 {
                return Err("proxy response head too long".into());
            }
            let b = tcp
                .read_u8()
                .await
                .map_err(|e| format!("proxy closed the tunnel: {e}"))?;
            head.push(b);
        }
        let status_line = String::from_utf8_lossy(&head);
        let status = status_line.split_whitespace().nth(1).unwrap_or_default();
        if status != "200" {
            let first = status_line.lines().next().unwrap_or_default().to_owned();
            return Err(format!("proxy refused CONNECT {target}: {first}"));
        }
        Ok(tcp)
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let p = Proxy::new("http://user:p%40ss@proxy.local:3128", "").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.local", 3128));
        assert_eq!(
            p.authorization.as_deref(),
            Some(format!("Basic {}", STANDARD.encode("user:p@ss")).as_str())
        );
        let p = Proxy::new("http://127.0.0.1:8080/", "").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("127.0.0.1", 8080));
        assert_eq!(Proxy::new("http://proxy", "").unwrap().port, 80);
    }

    #[test]
    fn malformed_urls_are_errors_without_passwords() {
        let e = Proxy::new("socks5://a:secret@h:1", "").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(Proxy::new("http://h:notaport", "").is_err());
        assert!(Proxy::new("http://:80", "").is_err());
        assert!(Proxy::new("proxy.local:3128", "").is_err());
    }

    #[test]
    fn no_proxy_rules() {
        let p = Proxy::new("http://p:1", "localhost, .internal.example,exact.org:443").unwrap();
        assert!(!p.applies_to("localhost"));
        assert!(!p.applies_to("a.internal.example"));
        assert!(!p.applies_to("internal.example"));
        assert!(!p.applies_to("exact.org"));
        assert!(p.applies_to("ws-eu.pusher.com"));
        assert!(p.applies_to("notexact.org"));
        assert!(!Proxy::new("http://p:1", "*")
            .unwrap()
            .applies_to("anything"));
    }

    #[test]
    fn debug_hides_credentials() {
        let p = Proxy::new("http://user:secret@h:1", "").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
