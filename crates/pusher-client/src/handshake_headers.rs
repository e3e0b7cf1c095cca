//! Extra headers on the WebSocket upgrade request (`wsHeaders`), for gateways in front of
//! self-hosted servers: fixed ones, and ones asked for at every connection attempt.

use crate::error::{ConnectionError, Failure};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Headers the client sets itself, or that would change what the upgrade means.
const RESERVED: [&str; 8] = [
    "host",
    "connection",
    "upgrade",
    "content-length",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
];

/// A header list as `(name, value)` pairs.
pub type Headers = Vec<(String, String)>;

/// A boxed answer of a [`HeadersProvider`].
pub type HeadersFuture = Pin<Box<dyn Future<Output = Result<Headers, String>> + Send>>;

/// Gives the headers of the next upgrade request, at every connection attempt (for tokens
/// that expire).
pub trait HeadersProvider: Send + Sync + 'static {
    /// The headers for the attempt starting now, or why there are none.
    fn headers(&self) -> HeadersFuture;
}

/// Why a header cannot be sent.
pub fn check(name: &str, value: &str) -> Result<(), String> {
    // RFC 9110 5.1: a field name is a token.
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(format!("{name:?} is not a valid header name"));
    }
    if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("{name} is set by the WebSocket handshake itself"));
    }
    // RFC 9110 5.5: no CR, LF or NUL in a field value.
    if value.bytes().any(|c| c == b'\r' || c == b'\n' || c == 0) {
        return Err(format!("the value of {name} holds a line break or NUL"));
    }
    Ok(())
}

/// The extra headers of a client: fixed ones, then those of a provider.
#[derive(Clone, Default)]
pub struct HandshakeHeaders {
    fixed: Headers,
    provider: Option<Arc<dyn HeadersProvider>>,
}

impl fmt::Debug for HandshakeHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values are often credentials.
        let names: Vec<&str> = self.fixed.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HandshakeHeaders")
            .field("fixed", &names)
            .field("provider", &self.provider.is_some())
            .finish()
    }
}

impl HandshakeHeaders {
    /// Fixed headers, checked with [`check`].
    pub fn fixed(headers: Headers) -> Result<Self, String> {
        for (name, value) in &headers {
            check(name, value)?;
        }
        Ok(HandshakeHeaders {
            fixed: headers,
            provider: None,
        })
    }

    /// Adds a provider asked at every attempt; its headers follow the fixed ones.
    pub fn with_provider(mut self, provider: Arc<dyn HeadersProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The headers for the attempt starting now.
    pub(crate) async fn resolve(&self) -> Result<Headers, ConnectionError> {
        let mut headers = self.fixed.clone();
        if let Some(provider) = &self.provider {
            let more = provider
                .headers()
                .await
                .map_err(|why| fail(format!("wsHeaders failed: {why}")))?;
            for (name, value) in &more {
                check(name, value).map_err(|why| fail(format!("wsHeaders: {why}")))?;
            }
            headers.extend(more);
        }
        Ok(headers)
    }
}

fn fail(message: String) -> ConnectionError {
    ConnectionError::socket(Failure::Handshake, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<Headers, String>);
    impl HeadersProvider for Fixed {
        fn headers(&self) -> HeadersFuture {
            let answer = self.0.clone();
            Box::pin(async move { answer })
        }
    }

    fn pair(n: &str, v: &str) -> (String, String) {
        (n.into(), v.into())
    }

    #[test]
    fn names_and_values_are_checked() {
        assert!(check("Authorization", "Bearer x").is_ok());
        assert!(check("X-Tenant_1", "").is_ok());
        assert!(check("Bad Name", "x").is_err());
        assert!(check("", "x").is_err());
        assert!(check("Host", "evil").is_err());
        assert!(check("sec-websocket-key", "x").is_err());
        assert!(check("X-A", "a\r\nInjected: yes").is_err());
    }

    #[tokio::test]
    async fn fixed_headers_come_first_then_the_providers() {
        let h = HandshakeHeaders::fixed(vec![pair("X-A", "1")])
            .unwrap()
            .with_provider(Arc::new(Fixed(Ok(vec![pair("X-B", "2")]))));
        assert_eq!(
            h.resolve().await.unwrap(),
            vec![pair("X-A", "1"), pair("X-B", "2")]
        );
    }

    #[tokio::test]
    async fn a_failing_or_bad_provider_fails_the_attempt() {
        let h = HandshakeHeaders::default().with_provider(Arc::new(Fixed(Err("boom".into()))));
        assert_eq!(h.resolve().await.unwrap_err().failure, Failure::Handshake);
        let h =
            HandshakeHeaders::default().with_provider(Arc::new(Fixed(Ok(vec![pair("Host", "x")]))));
        assert!(h.resolve().await.unwrap_err().message.contains("Host"));
    }
}
