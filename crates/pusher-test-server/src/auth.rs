//! Pusher signatures: HMAC-SHA256 over the strings the protocol defines.
//!
//! Tests use these to build the `auth` values a real auth endpoint would return.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::AppConfig;

/// Hex-encoded HMAC-SHA256 of `string_to_sign` keyed by `secret`.
///
/// ```
/// let sig = pusher_test_server::auth::sign("7ad3773142a6692b25b8", "1234.1234:private-foobar");
/// assert_eq!(sig, "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
/// ```
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `auth` value for subscribing `socket_id` to `channel`: `"<key>:<hex>"`.
///
/// Pass `channel_data` (the exact JSON string sent) for presence channels.
pub fn channel_auth(
    app: &AppConfig,
    socket_id: &str,
    channel: &str,
    channel_data: Option<&str>,
) -> String {
    let signature = sign(
        &app.secret,
        &channel_string(socket_id, channel, channel_data),
    );
    format!("{}:{}", app.key, signature)
}

/// The `auth` value and `shared_secret` (standard base64) an auth endpoint
/// returns for subscribing `socket_id` to the `private-encrypted-` `channel`.
///
/// The signature is the ordinary private-channel one (the secret is not
/// signed); the secret is [`encryption::shared_secret`](crate::encryption::shared_secret)
/// of `channel` under `master_key`.
pub fn encrypted_channel_auth(
    app: &AppConfig,
    socket_id: &str,
    channel: &str,
    master_key: &[u8; 32],
) -> (String, String) {
    let auth = channel_auth(app, socket_id, channel, None);
    let secret = crate::encryption::shared_secret(channel, master_key);
    (auth, crate::encryption::to_base64(&secret))
}

/// The `auth` value for `pusher:signin` with `user_data` (the exact JSON string sent).
pub fn user_auth(app: &AppConfig, socket_id: &str, user_data: &str) -> String {
    let signature = sign(&app.secret, &user_string(socket_id, user_data));
    format!("{}:{}", app.key, signature)
}

/// The string signed for a channel subscription.
pub(crate) fn channel_string(socket_id: &str, channel: &str, channel_data: Option<&str>) -> String {
    match channel_data {
        Some(data) => format!("{socket_id}:{channel}:{data}"),
        None => format!("{socket_id}:{channel}"),
    }
}

/// The string signed for a user sign-in.
pub(crate) fn user_string(socket_id: &str, user_data: &str) -> String {
    format!("{socket_id}::user::{user_data}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "7ad3773142a6692b25b8";

    fn app() -> AppConfig {
        AppConfig::new("1", "278d425bdf160c739803", SECRET)
    }

    #[test]
    fn private_channel_vector() {
        assert_eq!(
            sign(SECRET, "1234.1234:private-foobar"),
            "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
        );
        assert_eq!(
            channel_auth(&app(), "1234.1234", "private-foobar", None),
            "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
        );
    }

    #[test]
    fn encrypted_channel_auth_signs_like_private_and_adds_the_key() {
        let (auth, secret) =
            encrypted_channel_auth(&app(), "1234.1234", "private-encrypted-x", &[1; 32]);
        assert_eq!(
            auth,
            channel_auth(&app(), "1234.1234", "private-encrypted-x", None)
        );
        let key = crate::encryption::shared_secret("private-encrypted-x", &[1; 32]);
        assert_eq!(crate::encryption::key_from_base64(&secret), Ok(key));
    }

    #[test]
    fn user_vector() {
        assert_eq!(
            user_auth(&app(), "1234.1234", r#"{"id":"12345"}"#),
            "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba"
        );
    }

    #[test]
    fn presence_vectors() {
        let pusher = r#"{"user_id":10,"user_info":{"name":"Mr. Pusher"}}"#;
        let channels = r#"{"user_id":10,"user_info":{"name":"Mr. Channels"}}"#;
        assert_eq!(
            channel_auth(&app(), "1234.1234", "presence-foobar", Some(pusher)),
            "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c"
        );
        assert_eq!(
            channel_auth(&app(), "1234.1234", "presence-foobar", Some(channels)),
            "278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80"
        );
    }
}
