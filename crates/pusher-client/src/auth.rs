//! Authorization of private, presence and encrypted channels, and user sign-in.
//!
//! The engine asks an [`Authorizer`] and carries on with other work while it answers, so
//! many channels are authorized at once. [`HttpAuthorizer`] posts to an endpoint the way
//! pusher-js does; bindings plug in their own (for a JS `customHandler`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What a channel authorization returns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ChannelAuth {
    /// `<key>:<signature>`.
    pub auth: String,
    /// Presence channels: the member's JSON (`user_id`, `user_info`), exactly as signed.
    #[serde(default)]
    pub channel_data: Option<String>,
    /// Encrypted channels: the channel's key, base64.
    #[serde(default)]
    pub shared_secret: Option<String>,
}

/// What a user authentication returns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct UserAuth {
    /// `<key>:<signature>`.
    pub auth: String,
    /// The user's JSON (`id`, `user_info`, `watchlist`), exactly as signed.
    pub user_data: String,
}

/// The kind of an [`AuthError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthErrorKind {
    /// The endpoint answered with a status other than 200 (or could not be reached: 0).
    Status,
    /// The endpoint's answer was not the expected JSON.
    InvalidResponse,
    /// A custom handler reported an error (or threw, or rejected).
    Handler,
    /// No answer within the timeout.
    Timeout,
    /// Nothing is configured to authorize with.
    NotConfigured,
}

/// Why an authorization failed; reported as `pusher:subscription_error` or
/// `pusher:signin_error` with pusher-js's `{type: 'AuthError', error, status}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    /// What kind of failure.
    pub kind: AuthErrorKind,
    /// The message pusher-js would give.
    pub message: String,
    /// The HTTP status, for endpoint failures.
    pub status: Option<u16>,
}

impl AuthError {
    /// A failure of `kind` with a message.
    pub fn new(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        AuthError {
            kind,
            message: message.into(),
            status: None,
        }
    }

    /// The data of the `pusher:subscription_error` (or `pusher:signin_error`) event this
    /// failure becomes: `{type: "AuthError", error, status}`, the shape the Pusher protocol
    /// gives a server's `pusher:subscription_error`, so apps see one shape for both.
    pub fn subscription_error_data(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "type": "AuthError", "error": self.message });
        if let Some(s) = self.status {
            v["status"] = s.into();
        }
        v
    }
}

/// A boxed authorization in progress.
pub type AuthFuture<T> = Pin<Box<dyn Future<Output = Result<T, AuthError>> + Send>>;

/// Something that signs subscriptions and sign-ins for a socket.
pub trait Authorizer: Send + Sync + 'static {
    /// Authorizes `channel` for `socket_id`.
    fn authorize_channel(&self, socket_id: &str, channel: &str) -> AuthFuture<ChannelAuth>;
    /// Authenticates the user for `socket_id`.
    fn authenticate_user(&self, socket_id: &str) -> AuthFuture<UserAuth>;
}

/// Which of the two requests an endpoint serves; it shapes the body and the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// Channel authorization (`socket_id`, `channel_name`).
    Channel,
    /// User authentication (`socket_id`).
    User,
}

impl AuthKind {
    fn endpoint_name(self) -> &'static str {
        match self {
            AuthKind::Channel => "channel-authorization",
            AuthKind::User => "user-authentication",
        }
    }
    fn docs(self) -> &'static str {
        match self {
            AuthKind::Channel => "Clients must be authorized to join private or presence channels. See: https://pusher.com/docs/channels/server_api/authorizing-users/",
            AuthKind::User => "See: https://pusher.com/docs/channels/server_api/authenticating_users",
        }
    }
}

/// One auth endpoint: where to post and what to add.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    /// The URL (a relative one goes to `http://localhost`, as pusher-js does in Node).
    pub url: String,
    /// Extra form fields, after `socket_id` (and `channel_name`).
    pub params: Vec<(String, String)>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
}

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The form body pusher-js sends.
pub fn form_body(socket_id: &str, channel: Option<&str>, params: &[(String, String)]) -> String {
    let mut body = format!("socket_id={}", encode_uri_component(socket_id));
    if let Some(c) = channel {
        body.push_str("&channel_name=");
        body.push_str(&encode_uri_component(c));
    }
    push_params(&mut body, params);
    body
}

/// Appends `&name=value` for each field, encoded as pusher-js encodes them.
pub(crate) fn push_params(body: &mut String, params: &[(String, String)]) {
    for (k, v) in params {
        body.push('&');
        body.push_str(&encode_uri_component(k));
        body.push('=');
        body.push_str(&encode_uri_component(v));
    }
}

/// Turns an endpoint's answer into a result, with pusher-js's messages.
pub fn parse_response<T: serde::de::DeserializeOwned>(
    kind: AuthKind,
    url: &str,
    status: u16,
    body: &str,
) -> Result<T, AuthError> {
    if status != 200 {
        return Err(AuthError {
            kind: AuthErrorKind::Status,
            message: format!(
                "Unable to retrieve auth string from {} endpoint - received status: {status} from {url}. {}",
                kind.endpoint_name(),
                kind.docs()
            ),
            status: Some(status),
        });
    }
    serde_json::from_str(body).map_err(|_| AuthError {
        kind: AuthErrorKind::InvalidResponse,
        message: format!(
            "JSON returned from {} endpoint was invalid, yet status code was 200. Data was: {}",
            kind.endpoint_name(),
            body.chars().take(200).collect::<String>()
        ),
        status: Some(200),
    })
}

/// Posts to pusher-js's endpoints with reqwest over rustls.
#[derive(Clone)]
pub struct HttpAuthorizer {
    http: reqwest::Client,
    channel: Option<Endpoint>,
    user: Option<Endpoint>,
    timeout: Duration,
    /// Channel authorizations gathered into batch requests (see [`HttpAuthorizer::batched`]).
    batch: Option<Arc<crate::auth_batch::Batcher>>,
}

impl std::fmt::Debug for HttpAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpAuthorizer")
            .field("channel", &self.channel.as_ref().map(|e| &e.url))
            .field("user", &self.user.as_ref().map(|e| &e.url))
            .field("timeout", &self.timeout)
            .field("batched", &self.batch.is_some())
            .finish()
    }
}

impl HttpAuthorizer {
    /// An authorizer for these endpoints, each request limited to `timeout`.
    pub fn new(channel: Option<Endpoint>, user: Option<Endpoint>, timeout: Duration) -> Self {
        Self::with_transport(channel, user, timeout, crate::tls::default_config(), None)
    }

    /// As [`HttpAuthorizer::new`], verifying HTTPS endpoints with `tls` and sending requests
    /// through `proxy` (none: reqwest's own reading of `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`
    /// is turned off).
    pub fn with_transport(
        channel: Option<Endpoint>,
        user: Option<Endpoint>,
        timeout: Duration,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<&crate::proxy::Proxy>,
    ) -> Self {
        HttpAuthorizer {
            http: crate::http_client::shared(tls, proxy),
            channel,
            user,
            timeout,
            batch: None,
        }
    }

    /// Channel authorizations asked for within `delay` of each other (for one socket and
    /// endpoint) share one request, in the format of the `pusher-js-auth` plugin:
    /// `channel_name[0]=…&channel_name[1]=…`, answered per channel.
    pub fn batched(mut self, delay: Duration) -> Self {
        self.batch = Some(Arc::new(crate::auth_batch::Batcher::new(delay)));
        self
    }

    /// Authorizes `channel` at `endpoint`: one request, or a place in the next batch.
    pub fn post_channel(
        &self,
        endpoint: &Endpoint,
        socket_id: &str,
        channel: &str,
    ) -> AuthFuture<ChannelAuth> {
        match &self.batch {
            Some(batch) => batch.authorize(&self.http, endpoint, socket_id, channel, self.timeout),
            None => self.post(AuthKind::Channel, endpoint, socket_id, Some(channel)),
        }
    }

    /// Posts one request to `endpoint`; `extra` fields and headers come after the endpoint's.
    pub fn post<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        kind: AuthKind,
        endpoint: &Endpoint,
        socket_id: &str,
        channel: Option<&str>,
    ) -> AuthFuture<T> {
        let url = absolute(&endpoint.url);
        let body = form_body(socket_id, channel, &endpoint.params);
        let mut req = self
            .http
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .timeout(self.timeout);
        for (k, v) in &endpoint.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let shown = endpoint.url.clone();
        Box::pin(async move {
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    return Err(AuthError::new(
                        AuthErrorKind::Timeout,
                        format!(
                            "{} endpoint {shown} did not answer in time",
                            kind.endpoint_name()
                        ),
                    ))
                }
                // pusher-js reports a network failure as status 0.
                Err(_) => return parse_response(kind, &shown, 0, ""),
            };
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            parse_response(kind, &shown, status, &text)
        })
    }
}

impl Authorizer for HttpAuthorizer {
    fn authorize_channel(&self, socket_id: &str, channel: &str) -> AuthFuture<ChannelAuth> {
        match &self.channel {
            Some(e) => self.post_channel(e, socket_id, channel),
            None => not_configured("channel authorization"),
        }
    }

    fn authenticate_user(&self, socket_id: &str) -> AuthFuture<UserAuth> {
        match &self.user {
            Some(e) => self.post(AuthKind::User, e, socket_id, None),
            None => not_configured("user authentication"),
        }
    }
}

/// A future that fails at once: nothing is configured for this kind of request.
pub fn not_configured<T: Send + 'static>(what: &str) -> AuthFuture<T> {
    let msg = format!("no {what} is configured");
    Box::pin(async move { Err(AuthError::new(AuthErrorKind::NotConfigured, msg)) })
}

pub(crate) fn absolute(url: &str) -> String {
    if url.starts_with('/') {
        format!("http://localhost{url}")
    } else {
        url.to_owned()
    }
}

/// An authorizer shared between the engine and its user.
pub type SharedAuthorizer = Arc<dyn Authorizer>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode_uri_component("x y"), "x%20y");
        assert_eq!(encode_uri_component("a&b=c/d"), "a%26b%3Dc%2Fd");
        assert_eq!(encode_uri_component("é"), "%C3%A9");
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
    }

    #[test]
    fn form_body_as_pusher_js_sends_it() {
        let params = vec![("extra".into(), "x y".into()), ("dyn".into(), "p".into())];
        assert_eq!(
            form_body("123.456", Some("private-a"), &params),
            "socket_id=123.456&channel_name=private-a&extra=x%20y&dyn=p"
        );
        assert_eq!(form_body("1.2", None, &[]), "socket_id=1.2");
    }

    #[test]
    fn non_200_is_an_auth_error_with_status() {
        let e = parse_response::<ChannelAuth>(AuthKind::Channel, "/pusher/auth", 403, "no")
            .unwrap_err();
        assert_eq!(e.status, Some(403));
        assert!(e.message.starts_with("Unable to retrieve auth string from channel-authorization endpoint - received status: 403 from /pusher/auth."));
        assert_eq!(e.subscription_error_data()["type"], "AuthError");
        assert_eq!(e.subscription_error_data()["status"], 403);
    }

    #[test]
    fn invalid_json_with_200() {
        let e = parse_response::<UserAuth>(AuthKind::User, "/u", 200, "<html>").unwrap_err();
        assert_eq!(e.kind, AuthErrorKind::InvalidResponse);
        assert!(e
            .message
            .contains("user-authentication endpoint was invalid"));
        assert!(e.message.ends_with("Data was: <html>"));
    }

    #[test]
    fn good_answers_parse() {
        let a: ChannelAuth = parse_response(
            AuthKind::Channel,
            "/a",
            200,
            r#"{"auth":"k:s","channel_data":"{\"user_id\":1}"}"#,
        )
        .unwrap();
        assert_eq!(a.channel_data.as_deref(), Some(r#"{"user_id":1}"#));
        assert_eq!(a.shared_secret, None);
    }

    #[test]
    fn relative_endpoints_go_to_localhost() {
        assert_eq!(absolute("/pusher/auth"), "http://localhost/pusher/auth");
        assert_eq!(absolute("https://a.b/c"), "https://a.b/c");
    }
}
