//! HTTP proxies: the WebSocket goes through an HTTP `CONNECT` tunnel; auth requests use the
//! same proxy through reqwest.
//!
//! Proxy URLs are read by the `url` crate and their credentials decoded by
//! `percent-encoding`; the proxy's answer to `CONNECT` is read by `httparse`.

use crate::error::{ConnectionError, Failure};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::percent_decode_str;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::{Host, Url};

/// The longest answer head accepted from a proxy.
const MAX_ANSWER_HEAD: usize = 16 * 1024;

/// Where reqwest is sent for a proxy setting that cannot be used: a name that never resolves
/// (`.invalid` is reserved, RFC 2606), so auth requests fail rather than go around the proxy.
const NOWHERE: &str = "http://unusable-proxy-setting.invalid:9";

/// An HTTP proxy, and the hosts that bypass it.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    via: Via,
    no_proxy: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum Via {
    /// A usable proxy.
    Http {
        /// The URL as parsed (credentials included), for reqwest.
        url: String,
        host: String,
        port: u16,
        authorization: Option<String>,
    },
    /// A setting that cannot be used, and why: connections it applies to fail.
    Unusable(String),
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show the address only.
        let mut d = f.debug_struct("Proxy");
        match &self.via {
            Via::Http { host, port, .. } => d.field("host", host).field("port", port),
            Via::Unusable(why) => d.field("unusable", why),
        };
        d.field("no_proxy", &self.no_proxy).finish()
    }
}

/// Why a proxy URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid proxy URL {url:?}: {why}")]
pub struct ProxyError {
    url: String,
    why: String,
}

impl Proxy {
    /// A proxy from a URL such as `http://user:pass@proxy.local:3128`, bypassed for the
    /// hosts in `no_proxy` (`NO_PROXY` syntax: names, `.suffix`, `*`; ports are ignored).
    /// User name and password may be percent-encoded.
    pub fn new(url: &str, no_proxy: &str) -> Result<Proxy, ProxyError> {
        let err = |why: String| ProxyError {
            url: redact(url),
            why,
        };
        let parsed = Url::parse(url).map_err(|e| err(e.to_string()))?;
        if parsed.scheme() != "http" {
            return Err(err("only http:// proxies are supported".into()));
        }
        let host = match parsed.host() {
            Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(Host::Ipv4(a)) => a.to_string(),
            Some(Host::Ipv6(a)) => a.to_string(),
            _ => return Err(err("no host".into())),
        };
        let port = parsed.port_or_known_default().unwrap_or(80);
        let authorization =
            (!parsed.username().is_empty() || parsed.password().is_some()).then(|| {
                let mut credentials: Vec<u8> = percent_decode_str(parsed.username()).collect();
                credentials.push(b':');
                credentials.extend(percent_decode_str(parsed.password().unwrap_or_default()));
                format!("Basic {}", STANDARD.encode(credentials))
            });
        Ok(Proxy {
            via: Via::Http {
                url: parsed.into(),
                host,
                port,
                authorization,
            },
            no_proxy: no_proxy_rules(no_proxy),
        })
    }

    /// A proxy setting that cannot be used (a malformed `HTTPS_PROXY`, say), bypassed for the
    /// hosts in `no_proxy`: every connection it applies to fails with `why`, so the client
    /// reports the problem instead of connecting around the proxy.
    pub fn unusable(why: impl Into<String>, no_proxy: &str) -> Proxy {
        Proxy {
            via: Via::Unusable(why.into()),
            no_proxy: no_proxy_rules(no_proxy),
        }
    }

    /// The proxy URL (for the HTTP client). For an [unusable](Proxy::unusable) setting, a URL
    /// that never connects.
    pub fn url(&self) -> &str {
        match &self.via {
            Via::Http { url, .. } => url,
            Via::Unusable(_) => NOWHERE,
        }
    }

    /// Why the setting cannot be used, for an [unusable](Proxy::unusable) one.
    pub(crate) fn unusable_reason(&self) -> Option<&str> {
        match &self.via {
            Via::Http { .. } => None,
            Via::Unusable(why) => Some(why),
        }
    }

    /// Whether connections to `host` go through the proxy.
    pub fn applies_to(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        !self.no_proxy.iter().any(|rule| {
            let domain = rule.trim_start_matches('.');
            rule == "*" || domain == host || host.ends_with(&format!(".{domain}"))
        })
    }

    /// Opens a tunnel to `host:port` through the proxy. Every error is a
    /// [`Failure::Proxy`].
    pub async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, ConnectionError> {
        let fail = |message: String| ConnectionError::socket(Failure::Proxy, message);
        let (proxy_host, proxy_port, authorization) = match &self.via {
            Via::Http {
                host,
                port,
                authorization,
                ..
            } => (host, *port, authorization),
            Via::Unusable(why) => return Err(fail(why.clone())),
        };
        let mut tcp = TcpStream::connect((proxy_host.as_str(), proxy_port))
            .await
            .map_err(|e| fail(format!("cannot reach proxy {proxy_host}:{proxy_port}: {e}")))?;
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(auth) = authorization {
            request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes())
            .await
            .map_err(|e| fail(format!("proxy write failed: {e}")))?;
        let mut head = Vec::with_capacity(512);
        let mut chunk = [0u8; 1024];
        loop {
            let n = tcp
                .read(&mut chunk)
                .await
                .map_err(|e| fail(format!("proxy closed the tunnel: {e}")))?;
            if n == 0 {
                return Err(fail("proxy closed the connection before answering".into()));
            }
            head.extend_from_slice(&chunk[..n]);
            match tunnel_answer(&head) {
                Ok(None) => continue,
                Ok(Some(())) => return Ok(tcp),
                Err(why) => return Err(fail(format!("proxy refused CONNECT {target}: {why}"))),
            }
        }
    }
}

/// Judges the proxy's answer to `CONNECT` read so far: `Ok(None)` until its head is complete,
/// then `Ok(Some(()))` for any 2xx, or why not.
fn tunnel_answer(buf: &[u8]) -> Result<Option<()>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut answer = httparse::Response::new(&mut headers);
    let head_len = match answer.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() < MAX_ANSWER_HEAD => return Ok(None),
        Ok(httparse::Status::Partial) => return Err("its answer head is too long".into()),
        Err(e) => return Err(format!("invalid HTTP answer: {e}")),
    };
    let code = answer.code.unwrap_or_default();
    if !(200..300).contains(&code) {
        return Err(format!("{code} {}", answer.reason.unwrap_or_default()));
    }
    // The target speaks only after us (TLS, or the upgrade request): bytes already here
    // came from the proxy, which should not send any.
    if buf.len() > head_len {
        return Err("it sent data after its answer".into());
    }
    Ok(Some(()))
}

fn no_proxy_rules(no_proxy: &str) -> Vec<String> {
    no_proxy
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .map(|s| s.split(':').next().unwrap_or_default().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The URL with any credentials replaced by `***`; never slices inside a character.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let (scheme, rest) = url.split_at(s + 3);
            let host = rest.rsplit_once('@').map_or("", |(_, h)| h);
            format!("{scheme}***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
