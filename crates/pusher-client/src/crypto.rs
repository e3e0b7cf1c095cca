//! End-to-end encrypted channels: NaCl secretbox (XSalsa20-Poly1305), as Pusher's server
//! libraries encrypt.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};

/// A channel's 32-byte key.
#[derive(Clone)]
pub struct ChannelKey(XSalsa20Poly1305);

impl std::fmt::Debug for ChannelKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelKey(…)")
    }
}

/// Why an encrypted event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// The payload is not `{nonce, ciphertext}` in base64, or is too short.
    #[error("malformed encrypted payload: {0}")]
    Malformed(&'static str),
    /// The key does not open the box (wrong or rotated key, or tampered data).
    #[error("the payload could not be decrypted with the channel's key")]
    WrongKey,
}

impl ChannelKey {
    /// The key from the auth response's base64 `shared_secret`.
    pub fn from_base64(secret: &str) -> Option<ChannelKey> {
        let bytes = STANDARD.decode(secret.trim()).ok()?;
        let key: [u8; 32] = bytes.try_into().ok()?;
        Some(ChannelKey(XSalsa20Poly1305::new(Key::from_slice(&key))))
    }

    /// Opens an event's data (the decoded `{"nonce","ciphertext"}` JSON), returning the
    /// plaintext as text.
    pub fn open(&self, payload: &str) -> Result<String, DecryptError> {
        #[derive(serde::Deserialize)]
        struct Boxed<'a> {
            nonce: Option<&'a str>,
            ciphertext: Option<&'a str>,
        }
        let boxed: Boxed<'_> =
            serde_json::from_str(payload).map_err(|_| DecryptError::Malformed("not JSON"))?;
        let (Some(nonce), Some(ciphertext)) = (boxed.nonce, boxed.ciphertext) else {
            return Err(DecryptError::Malformed("nonce or ciphertext missing"));
        };
        let nonce = STANDARD
            .decode(nonce)
            .map_err(|_| DecryptError::Malformed("nonce is not base64"))?;
        let ciphertext = STANDARD
            .decode(ciphertext)
            .map_err(|_| DecryptError::Malformed("ciphertext is not base64"))?;
        if nonce.len() != 24 {
            return Err(DecryptError::Malformed("nonce is not 24 bytes"));
        }
        if ciphertext.len() < 16 {
            return Err(DecryptError::Malformed(
                "ciphertext is shorter than its tag",
            ));
        }
        let plain = self
            .0
            .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
            .map_err(|_| DecryptError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| DecryptError::Malformed("plaintext is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(key: &[u8; 32], nonce: &[u8; 24], text: &str) -> String {
        let c = XSalsa20Poly1305::new(Key::from_slice(key))
            .encrypt(Nonce::from_slice(nonce), text.as_bytes())
            .unwrap();
        serde_json::json!({"nonce": STANDARD.encode(nonce), "ciphertext": STANDARD.encode(c)})
            .to_string()
    }

    #[test]
    fn opens_what_secretbox_sealed() {
        let key = [7u8; 32];
        let k = ChannelKey::from_base64(&STANDARD.encode(key)).unwrap();
        let payload = seal(&key, &[1u8; 24], r#"{"hello":"world"}"#);
        assert_eq!(k.open(&payload).unwrap(), r#"{"hello":"world"}"#);
    }

    #[test]
    fn wrong_key_and_malformed_payloads() {
        let payload = seal(&[7u8; 32], &[1u8; 24], "x");
        let other = ChannelKey::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert_eq!(other.open(&payload), Err(DecryptError::WrongKey));
        assert!(matches!(other.open("{}"), Err(DecryptError::Malformed(_))));
        assert!(matches!(
            other.open("nope"),
            Err(DecryptError::Malformed(_))
        ));
        assert!(matches!(
            other.open(r#"{"nonce":"AAAA","ciphertext":"AAAA"}"#),
            Err(DecryptError::Malformed(_))
        ));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(ChannelKey::from_base64("not base64!").is_none());
        assert!(ChannelKey::from_base64(&STANDARD.encode([1u8; 16])).is_none());
    }
}
