//! Batched channel authorization, wire-compatible with the `pusher-js-auth` plugin, so the
//! batch endpoints its users already run keep working.
//!
//! Channel authorizations asked for within `delay` of the first one, for the same socket and
//! the same endpoint (URL, fields and headers), share one `POST`:
//! `socket_id=…&channel_name[0]=…&channel_name[1]=…&<params>`. The endpoint answers
//! `{"<socket_id>": {"<channel>": {"status": 200, "data": {"auth": …}}}}`; a channel whose
//! entry is missing (404) or has another status fails alone, and a failed request fails every
//! channel in it.

use crate::auth::{
    encode_uri_component, AuthError, AuthErrorKind, AuthFuture, AuthKind, ChannelAuth, Endpoint,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

type Waiter = (String, oneshot::Sender<Result<ChannelAuth, AuthError>>);

/// What makes requests shareable: the same socket and the same endpoint.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    socket_id: String,
    url: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

/// Gathers channel authorizations into batch requests.
#[derive(Debug)]
pub(crate) struct Batcher {
    delay: Duration,
    pending: Mutex<HashMap<KeyRef, Vec<Waiter>>>,
}

/// A [`Key`] behind an `Arc`, so the task that sends a batch can take it out again.
#[derive(Clone, PartialEq, Eq, Hash)]
struct KeyRef(Arc<Key>);

impl std::fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} for {}", self.0.url, self.0.socket_id)
    }
}

impl Batcher {
    /// Batches gathered for `delay` after their first request.
    pub(crate) fn new(delay: Duration) -> Self {
        Batcher {
            delay,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Authorizes `channel` for `socket_id` in the next batch request to `endpoint`.
    pub(crate) fn authorize(
        self: &Arc<Self>,
        http: &reqwest::Client,
        endpoint: &Endpoint,
        socket_id: &str,
        channel: &str,
        timeout: Duration,
    ) -> AuthFuture<ChannelAuth> {
        let key = KeyRef(Arc::new(Key {
            socket_id: socket_id.to_owned(),
            url: endpoint.url.clone(),
            params: endpoint.params.clone(),
            headers: endpoint.headers.clone(),
        }));
        let (tx, rx) = oneshot::channel();
        let first = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let waiters = pending.entry(key.clone()).or_default();
            waiters.push((channel.to_owned(), tx));
            waiters.len() == 1
        };
        if first {
            let batcher = self.clone();
            let http = http.clone();
            tokio::spawn(async move {
                tokio::time::sleep(batcher.delay).await;
                let waiters = batcher
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key)
                    .unwrap_or_default();
                send(&http, &key.0, waiters, timeout).await;
            });
        }
        let shown = endpoint.url.clone();
        Box::pin(async move {
            rx.await.unwrap_or_else(|_| {
                Err(AuthError::new(
                    AuthErrorKind::Handler,
                    format!("the batch request to {shown} was abandoned"),
                ))
            })
        })
    }
}

/// The form body of one batch, as pusher-js-auth composes it.
pub(crate) fn batch_body(
    socket_id: &str,
    channels: &[&str],
    params: &[(String, String)],
) -> String {
    let mut body = format!("socket_id={}", encode_uri_component(socket_id));
    for (i, channel) in channels.iter().enumerate() {
        body.push_str(&format!(
            "&channel_name[{i}]={}",
            encode_uri_component(channel)
        ));
    }
    crate::auth::push_params(&mut body, params);
    body
}

async fn send(http: &reqwest::Client, key: &Key, waiters: Vec<Waiter>, timeout: Duration) {
    if waiters.is_empty() {
        return;
    }
    let channels: Vec<&str> = waiters.iter().map(|(c, _)| c.as_str()).collect();
    let mut req = http
        .post(crate::auth::absolute(&key.url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(batch_body(&key.socket_id, &channels, &key.params))
        .timeout(timeout);
    for (k, v) in &key.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let answer = match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            crate::auth::parse_response::<serde_json::Value>(
                AuthKind::Channel,
                &key.url,
                status,
                &text,
            )
        }
        Err(e) if e.is_timeout() => Err(AuthError::new(
            AuthErrorKind::Timeout,
            format!(
                "batch channel-authorization endpoint {} did not answer in time",
                key.url
            ),
        )),
        Err(_) => crate::auth::parse_response(AuthKind::Channel, &key.url, 0, ""),
    };
    for (channel, tx) in waiters {
        let result = match &answer {
            Ok(json) => one_channel(json, key, &channel),
            Err(e) => Err(e.clone()),
        };
        let _ = tx.send(result);
    }
}

/// One channel's part of a batch answer.
fn one_channel(
    json: &serde_json::Value,
    key: &Key,
    channel: &str,
) -> Result<ChannelAuth, AuthError> {
    let Some(entry) = json.get(&key.socket_id).and_then(|s| s.get(channel)) else {
        return Err(refused(key, channel, 404));
    };
    let status = entry
        .get("status")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(200);
    if status != 200 {
        return Err(refused(
            key,
            channel,
            u16::try_from(status).unwrap_or(u16::MAX),
        ));
    }
    serde_json::from_value(entry.get("data").cloned().unwrap_or_default()).map_err(|_| {
        AuthError {
            kind: AuthErrorKind::InvalidResponse,
            message: format!(
                "the batch answer from {} for {channel} has no valid data (auth, channel_data, shared_secret)",
                key.url
            ),
            status: Some(200),
        }
    })
}

fn refused(key: &Key, channel: &str, status: u16) -> AuthError {
    AuthError {
        kind: AuthErrorKind::Status,
        message: format!(
            "Unable to retrieve auth string for {channel} from batch channel-authorization endpoint - received status: {status} from {}",
            key.url
        ),
        status: Some(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> Key {
        Key {
            socket_id: "1.2".into(),
            url: "/auth".into(),
            params: vec![],
            headers: vec![],
        }
    }

    #[test]
    fn the_body_is_pusher_js_auths() {
        assert_eq!(
            batch_body(
                "1.2",
                &["private-a", "private-b c"],
                &[("k".into(), "v w".into())]
            ),
            "socket_id=1.2&channel_name[0]=private-a&channel_name[1]=private-b%20c&k=v%20w"
        );
    }

    #[test]
    fn each_channel_gets_its_own_part_of_the_answer() {
        let answer = json!({"1.2": {
            "private-a": {"status": 200, "data": {"auth": "k:a"}},
            "private-b": {"status": 403, "data": {}},
            "presence-c": {"data": {"auth": "k:c", "channel_data": "{\"user_id\":\"1\"}"}},
        }});
        let k = key();
        assert_eq!(one_channel(&answer, &k, "private-a").unwrap().auth, "k:a");
        assert_eq!(
            one_channel(&answer, &k, "private-b").unwrap_err().status,
            Some(403)
        );
        let c = one_channel(&answer, &k, "presence-c").unwrap();
        assert_eq!(c.channel_data.as_deref(), Some("{\"user_id\":\"1\"}"));
        assert_eq!(
            one_channel(&answer, &k, "private-d").unwrap_err().status,
            Some(404)
        );
    }
}
