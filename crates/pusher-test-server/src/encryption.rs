//! End-to-end encryption of `private-encrypted-` channels, as Pusher's server
//! libraries do it.
//!
//! Each channel has its own 32-byte key, derived from the app's master key;
//! the auth endpoint hands it to the client as `shared_secret` (base64). An
//! encrypted event's `data` is the JSON string
//! `{"nonce":"<base64>","ciphertext":"<base64>"}`, sealed with NaCl
//! `secretbox` (XSalsa20-Poly1305) under that key.
//!
//! ```
//! use pusher_test_server::encryption;
//! let key = encryption::shared_secret("private-encrypted-x", &[7; 32]);
//! let data = encryption::encrypt(&key, r#"{"hello":"world"}"#);
//! assert_eq!(encryption::decrypt(&key, &data).as_deref(), Some(r#"{"hello":"world"}"#));
//! assert_eq!(encryption::decrypt(&[0; 32], &data), None);
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead, AeadCore, KeyInit, OsRng};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The key of `channel`: SHA-256 of the channel name's bytes followed by the
/// master key's bytes, exactly as the official `pusher` npm library derives
/// it (`createHash("sha256").update(Buffer.concat([Buffer.from(channel), masterKey]))`).
pub fn shared_secret(channel: &str, master_key: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(channel.as_bytes());
    hash.update(master_key);
    hash.finalize().into()
}

/// The wire form of an encrypted event's data.
#[derive(Serialize, Deserialize)]
struct Sealed {
    nonce: String,
    ciphertext: String,
}

/// Seals `plaintext` under `key` with a random 24-byte nonce; returns the
/// event data string `{"nonce":"<base64>","ciphertext":"<base64>"}`
/// (standard base64 with padding).
pub fn encrypt(key: &[u8; 32], plaintext: &str) -> String {
    let cipher = XSalsa20Poly1305::new(key.into());
    let nonce = XSalsa20Poly1305::generate_nonce(&mut OsRng);
    // Sealing into a Vec only fails on allocation limits far beyond test data.
    let ciphertext = cipher
        .encrypt(&nonce, plaintext.as_bytes())
        .expect("secretbox sealing does not fail");
    let sealed = Sealed {
        nonce: STANDARD.encode(nonce),
        ciphertext: STANDARD.encode(ciphertext),
    };
    serde_json::to_string(&sealed).unwrap_or_default()
}

/// Opens event data made by [`encrypt`] (or by any Pusher server library);
/// `None` when it is malformed, the key is wrong or the plaintext is not UTF-8.
pub fn decrypt(key: &[u8; 32], data: &str) -> Option<String> {
    let sealed: Sealed = serde_json::from_str(data).ok()?;
    let nonce = STANDARD.decode(sealed.nonce).ok()?;
    if nonce.len() != 24 {
        return None;
    }
    let ciphertext = STANDARD.decode(sealed.ciphertext).ok()?;
    let cipher = XSalsa20Poly1305::new(key.into());
    let plaintext = cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .ok()?;
    String::from_utf8(plaintext).ok()
}

/// Standard base64 with padding, the encoding of `shared_secret` and of the
/// nonce and ciphertext.
pub fn to_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A 32-byte key from standard base64 (e.g. a `shared_secret` or a master
/// key given as `encryptionMasterKeyBase64`).
pub fn key_from_base64(text: &str) -> Result<[u8; 32], String> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not valid base64: {e}"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("a key must be 32 bytes, got {}", bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn shared_secret_is_sha256_of_channel_then_master_key() {
        // printf 'private-encrypted-x%s' 'pusher-test-server-master-key-01' | sha256sum
        let key = shared_secret("private-encrypted-x", b"pusher-test-server-master-key-01");
        let mut manual = Sha256::new();
        manual.update(b"private-encrypted-xpusher-test-server-master-key-01");
        assert_eq!(key, <[u8; 32]>::from(manual.finalize()));
        assert_ne!(key, shared_secret("private-encrypted-y", &[0; 32]));
    }

    #[test]
    fn round_trip_with_random_nonces() {
        let key = [9; 32];
        let a = encrypt(&key, "hello");
        let b = encrypt(&key, "hello");
        assert_ne!(a, b, "fresh nonce each time");
        let wire: Value = serde_json::from_str(&a).unwrap();
        let nonce = STANDARD.decode(wire["nonce"].as_str().unwrap()).unwrap();
        assert_eq!(nonce.len(), 24);
        let ciphertext = STANDARD
            .decode(wire["ciphertext"].as_str().unwrap())
            .unwrap();
        assert_eq!(ciphertext.len(), "hello".len() + 16, "Poly1305 tag");
        assert_eq!(decrypt(&key, &a).as_deref(), Some("hello"));
        assert_eq!(decrypt(&[8; 32], &a), None);
        assert_eq!(decrypt(&key, "{}"), None);
        assert_eq!(
            decrypt(&key, r#"{"nonce":"AA==","ciphertext":"AA=="}"#),
            None
        );
    }

    /// NaCl test vector (from tweetnacl's secretbox tests, `crypto_secretbox`
    /// "xsalsa20poly1305" in the NaCl distribution): proves the wire format is
    /// NaCl's, which pusher-js opens with tweetnacl.
    #[test]
    fn matches_nacl_secretbox() {
        let key: [u8; 32] = [
            0x1b, 0x27, 0x55, 0x64, 0x73, 0xe9, 0x85, 0xd4, 0x62, 0xcd, 0x51, 0x19, 0x7a, 0x9a,
            0x46, 0xc7, 0x60, 0x09, 0x54, 0x9e, 0xac, 0x64, 0x74, 0xf2, 0x06, 0xc4, 0xee, 0x08,
            0x44, 0xf6, 0x83, 0x89,
        ];
        let nonce: [u8; 24] = [
            0x69, 0x69, 0x6e, 0xe9, 0x55, 0xb6, 0x2b, 0x73, 0xcd, 0x62, 0xbd, 0xa8, 0x75, 0xfc,
            0x73, 0xd6, 0x82, 0x19, 0xe0, 0x03, 0x6b, 0x7a, 0x0b, 0x37,
        ];
        let message = [
            0xbe, 0x07, 0x5f, 0xc5, 0x3c, 0x81, 0xf2, 0xd5, 0xcf, 0x14, 0x13, 0x16, 0xeb, 0xeb,
            0x0c, 0x7b, 0x52, 0x28, 0xc5, 0x2a, 0x4c, 0x62, 0xcb, 0xd4, 0x4b, 0x66, 0x84, 0x9b,
            0x64, 0x24, 0x4f, 0xfc, 0xe5, 0xec, 0xba, 0xaf, 0x33, 0xbd, 0x75, 0x1a, 0x1a, 0xc7,
            0x28, 0xd4, 0x5e, 0x6c, 0x61, 0x29, 0x6c, 0xdc, 0x3c, 0x01, 0x23, 0x35, 0x61, 0xf4,
            0x1d, 0xb6, 0x6c, 0xce, 0x31, 0x4a, 0xdb, 0x31, 0x0e, 0x3b, 0xe8, 0x25, 0x0c, 0x46,
            0xf0, 0x6d, 0xce, 0xea, 0x3a, 0x7f, 0xa1, 0x34, 0x80, 0x57, 0xe2, 0xf6, 0x55, 0x6a,
            0xd6, 0xb1, 0x31, 0x8a, 0x02, 0x4a, 0x83, 0x8f, 0x21, 0xaf, 0x1f, 0xde, 0x04, 0x89,
            0x77, 0xeb, 0x48, 0xf5, 0x9f, 0xfd, 0x49, 0x24, 0xca, 0x1c, 0x60, 0x90, 0x2e, 0x52,
            0xf0, 0xa0, 0x89, 0xbc, 0x76, 0x89, 0x70, 0x40, 0xe0, 0x82, 0xf9, 0x37, 0x76, 0x38,
            0x48, 0x64, 0x5e, 0x07, 0x05,
        ];
        let cipher = XSalsa20Poly1305::new((&key).into());
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), message.as_slice())
            .unwrap();
        // The first bytes are the Poly1305 tag, as in NaCl's `crypto_secretbox`
        // output after its 16 zero bytes.
        assert_eq!(
            &sealed[..16],
            &[
                0xf3, 0xff, 0xc7, 0x70, 0x3f, 0x94, 0x00, 0xe5, 0x2a, 0x7d, 0xfb, 0x4b, 0x3d, 0x33,
                0x05, 0xd9
            ]
        );
        assert_eq!(
            &sealed[16..24],
            &[0x8e, 0x99, 0x3b, 0x9f, 0x48, 0x68, 0x12, 0x73]
        );
        assert_eq!(sealed.len(), message.len() + 16);
    }

    #[test]
    fn keys_from_base64() {
        let key = [5u8; 32];
        assert_eq!(key_from_base64(&to_base64(&key)), Ok(key));
        assert!(key_from_base64("AAAA").unwrap_err().contains("32 bytes"));
        assert!(key_from_base64("!!").unwrap_err().contains("base64"));
    }
}
