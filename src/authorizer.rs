//! The auth bridge: signs subscriptions and sign-ins with the endpoint (in Rust) or, when the
//! user gave functions (`customHandler`, `paramsProvider`, `headersProvider`, the legacy
//! `authorizer`), by asking `lib/auth.js` on the JS thread and awaiting its promise.

use crate::batch::Progress;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use pusher_client::auth::{
    AuthError, AuthErrorKind, AuthFuture, AuthKind, Authorizer, ChannelAuth, Endpoint,
    HttpAuthorizer, UserAuth,
};
use std::sync::Arc;
use std::time::Duration;

/// An auth endpoint with its static form fields and headers, as `[name, value]` pairs.
#[napi(object)]
pub struct NativeEndpoint {
    /// The URL.
    pub url: String,
    /// Form fields after `socket_id` (and `channel_name`).
    pub params: Vec<Vec<String>>,
    /// Request headers.
    pub headers: Vec<Vec<String>>,
}

/// How channels and users are authorized.
#[napi(object)]
pub struct NativeAuth {
    /// The channel authorization endpoint.
    pub channel_endpoint: Option<NativeEndpoint>,
    /// The user authentication endpoint.
    pub user_endpoint: Option<NativeEndpoint>,
    /// Ask JS for channel authorizations.
    pub channel_js: bool,
    /// Ask JS for user authentications.
    pub user_js: bool,
    /// Longest wait for one authorization, in milliseconds.
    pub timeout_ms: f64,
    /// Batch channel authorizations (pusher-js-auth's format) asked for within this many
    /// milliseconds; absent: one request per channel.
    pub batch_delay_ms: Option<f64>,
}

/// What `lib/auth.js` answers: a result (`auth` set) or extra fields and headers for the
/// endpoint request.
#[napi(object)]
pub struct JsAuthAnswer {
    /// `<key>:<signature>`.
    pub auth: Option<String>,
    /// Presence member JSON.
    pub channel_data: Option<String>,
    /// Encrypted channel key, base64.
    pub shared_secret: Option<String>,
    /// User JSON (sign-in).
    pub user_data: Option<String>,
    /// Extra form fields for the endpoint.
    pub params: Option<Vec<Vec<String>>>,
    /// Extra headers for the endpoint.
    pub headers: Option<Vec<Vec<String>>>,
}

/// The JS authorize function as `connect` receives it (typed for TS by `ts_args_type`).
pub(crate) type JsAuthorize<'a> =
    Function<'a, FnArgs<(String, String, Option<String>)>, Promise<JsAuthAnswer>>;

/// `(kind, socketId, channelName) => Promise<JsAuthAnswer>`, weak: it never holds Node open.
pub(crate) type JsAuthFn = ThreadsafeFunction<
    FnArgs<(String, String, Option<String>)>,
    Promise<JsAuthAnswer>,
    FnArgs<(String, String, Option<String>)>,
    Status,
    false,
    true,
>;

/// `[name, value]` arrays from JS as pairs (a missing value is empty).
pub(crate) fn pairs(v: Vec<Vec<String>>) -> Vec<(String, String)> {
    v.into_iter()
        .filter_map(|p| {
            let mut it = p.into_iter();
            Some((it.next()?, it.next().unwrap_or_default()))
        })
        .collect()
}

impl From<NativeEndpoint> for Endpoint {
    fn from(e: NativeEndpoint) -> Self {
        Endpoint {
            url: e.url,
            params: pairs(e.params),
            headers: pairs(e.headers),
        }
    }
}

/// The settings part, made once per client.
pub(crate) struct AuthSettings {
    http: HttpAuthorizer,
    channel: Option<Endpoint>,
    user: Option<Endpoint>,
    channel_js: bool,
    user_js: bool,
    timeout: Duration,
}

impl AuthSettings {
    /// Settings from JS, verifying HTTPS endpoints with `tls`.
    pub(crate) fn new(
        a: NativeAuth,
        tls: Arc<rustls::ClientConfig>,
        proxy: Option<&pusher_client::proxy::Proxy>,
    ) -> Self {
        let timeout = Duration::from_millis(a.timeout_ms.max(1.0) as u64);
        let channel: Option<Endpoint> = a.channel_endpoint.map(Into::into);
        let user: Option<Endpoint> = a.user_endpoint.map(Into::into);
        let mut http =
            HttpAuthorizer::with_transport(channel.clone(), user.clone(), timeout, tls, proxy);
        if let Some(ms) = a.batch_delay_ms {
            http = http.batched(Duration::from_millis(ms.max(0.0) as u64));
        }
        AuthSettings {
            http,
            channel,
            user,
            channel_js: a.channel_js,
            user_js: a.user_js,
            timeout,
        }
    }
}

/// One session's authorizer: the settings plus the JS function of that session.
pub(crate) struct BindingAuthorizer {
    settings: Arc<AuthSettings>,
    js: Option<Arc<JsAuthFn>>,
    /// The session's batches: JS handlers are called once JS has seen them (the state the
    /// handler may read, such as `connected` and the socket id).
    progress: Arc<Progress>,
}

impl BindingAuthorizer {
    pub(crate) fn new(
        settings: Arc<AuthSettings>,
        js: Option<JsAuthFn>,
        progress: Arc<Progress>,
    ) -> Self {
        BindingAuthorizer {
            settings,
            js: js.map(Arc::new),
            progress,
        }
    }

    /// Asks JS, then (when JS only added fields) posts to the endpoint; all within the timeout.
    fn via_js<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        kind: AuthKind,
        socket_id: &str,
        channel: Option<&str>,
        from_answer: fn(JsAuthAnswer) -> std::result::Result<T, AuthError>,
        post: fn(&HttpAuthorizer, &Endpoint, &str, Option<&str>) -> AuthFuture<T>,
    ) -> AuthFuture<T> {
        let settings = self.settings.clone();
        let js = self.js.clone();
        let progress = self.progress.clone();
        let socket_id = socket_id.to_owned();
        let channel = channel.map(str::to_owned);
        let timeout = settings.timeout;
        let what = match kind {
            AuthKind::Channel => "channel authorization",
            AuthKind::User => "user authentication",
        };
        Box::pin(async move {
            let work = async {
                let Some(js) = js else {
                    return Err(AuthError::new(
                        AuthErrorKind::NotConfigured,
                        format!("no {what} handler"),
                    ));
                };
                let name = match kind {
                    AuthKind::Channel => "channel",
                    AuthKind::User => "user",
                };
                progress.caught_up().await;
                let answer = async {
                    let promise = js
                        .call_async_catch(
                            (name.to_owned(), socket_id.clone(), channel.clone()).into(),
                        )
                        .await?;
                    promise.await
                }
                .await
                .map_err(|e| AuthError::new(AuthErrorKind::Handler, e.reason.clone()))?;
                if answer.auth.is_some() {
                    return from_answer(answer);
                }
                let base = match kind {
                    AuthKind::Channel => settings.channel.clone(),
                    AuthKind::User => settings.user.clone(),
                };
                let mut endpoint = base.ok_or_else(|| {
                    AuthError::new(AuthErrorKind::NotConfigured, format!("no {what} endpoint"))
                })?;
                endpoint
                    .params
                    .extend(pairs(answer.params.unwrap_or_default()));
                endpoint
                    .headers
                    .extend(pairs(answer.headers.unwrap_or_default()));
                post(&settings.http, &endpoint, &socket_id, channel.as_deref()).await
            };
            match tokio::time::timeout(timeout, work).await {
                Ok(r) => r,
                Err(_) => Err(AuthError::new(
                    AuthErrorKind::Timeout,
                    format!("{what} did not answer within {} ms", timeout.as_millis()),
                )),
            }
        })
    }
}

fn channel_auth(a: JsAuthAnswer) -> std::result::Result<ChannelAuth, AuthError> {
    Ok(ChannelAuth {
        auth: a.auth.unwrap_or_default(),
        channel_data: a.channel_data,
        shared_secret: a.shared_secret,
    })
}

fn user_auth(a: JsAuthAnswer) -> std::result::Result<UserAuth, AuthError> {
    let user_data = a.user_data.ok_or_else(|| {
        AuthError::new(
            AuthErrorKind::InvalidResponse,
            "user authentication must return user_data",
        )
    })?;
    Ok(UserAuth {
        auth: a.auth.unwrap_or_default(),
        user_data,
    })
}

impl Authorizer for BindingAuthorizer {
    fn authorize_channel(&self, socket_id: &str, channel: &str) -> AuthFuture<ChannelAuth> {
        let request = if self.settings.channel_js {
            self.via_js(
                AuthKind::Channel,
                socket_id,
                Some(channel),
                channel_auth,
                |http, endpoint, socket_id, channel| {
                    http.post_channel(endpoint, socket_id, channel.unwrap_or_default())
                },
            )
        } else {
            self.settings.http.authorize_channel(socket_id, channel)
        };
        Box::pin(async move {
            // Polled by the engine's socket loop, which must survive a panic here.
            crate::test_hooks::check("auth");
            request.await
        })
    }

    fn authenticate_user(&self, socket_id: &str) -> AuthFuture<UserAuth> {
        if self.settings.user_js {
            self.via_js(
                AuthKind::User,
                socket_id,
                None,
                user_auth,
                |http, endpoint, socket_id, _| http.post(AuthKind::User, endpoint, socket_id, None),
            )
        } else {
            self.settings.http.authenticate_user(socket_id)
        }
    }
}
