//! TLS for `wss://` and auth requests: rustls with the ring provider. Certificates are
//! always verified, against the platform's roots plus Mozilla's bundled ones, and any
//! private CA the user adds.

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::sync::{Arc, OnceLock};

/// Why a custom CA could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CA certificate: {0}")]
pub struct TlsError(String);

/// The platform's roots and Mozilla's bundled roots (webpki-roots), read once.
fn default_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // A platform store that cannot be read leaves the bundled roots.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        roots
    })
}

fn config_from(roots: RootCertStore) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(config)
}

/// The shared configuration with the default roots.
pub fn default_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| config_from(default_roots().clone()))
        .clone()
}

/// A configuration that also trusts the certificates in `pem` (one or more PEM blocks):
/// for private CAs and self-signed servers.
pub fn config_with_ca(pem: &str) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let mut roots = default_roots().clone();
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| TlsError(format!("not PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| TlsError(format!("not a usable certificate: {e}")))?;
        added += 1;
    }
    if added == 0 {
        return Err(TlsError(
            "no CERTIFICATE block found in the PEM text".into(),
        ));
    }
    Ok(config_from(roots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_ca_text_is_an_error() {
        assert!(config_with_ca("hello").is_err());
        assert!(
            config_with_ca("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
                .is_err()
        );
    }

    #[test]
    fn default_roots_are_not_empty() {
        assert!(!default_roots().is_empty());
    }
}
