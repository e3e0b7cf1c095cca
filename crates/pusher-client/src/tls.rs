//! TLS for `wss://` and auth requests: rustls with the ring provider. Certificates are
//! always verified, against the platform's roots plus Mozilla's bundled ones, and any
//! private CA the user adds.

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::sync::{Arc, Mutex, OnceLock, Weak};

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
/// for private CAs and self-signed servers. Clients given the same text share one
/// configuration while any of them lives: each holds a copy of every root, about 100 KiB.
pub fn config_with_ca(pem: &str) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    static BY_PEM: Mutex<Vec<(String, Weak<rustls::ClientConfig>)>> = Mutex::new(Vec::new());
    let mut cache = BY_PEM.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(config) = cache
        .iter()
        .find(|(text, _)| text == pem)
        .and_then(|(_, config)| config.upgrade())
    {
        return Ok(config);
    }
    let config = build_with_ca(pem)?;
    cache.retain(|(_, config)| config.strong_count() > 0);
    cache.push((pem.to_owned(), Arc::downgrade(&config)));
    Ok(config)
}

fn build_with_ca(pem: &str) -> Result<Arc<rustls::ClientConfig>, TlsError> {
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

    /// A self-signed P-256 certificate, made with `openssl req -x509` for these tests.
    const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBlzCCAT2gAwIBAgIUHcc760KnvJxgWZrVrJTFaj7e4bgwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVcHVzaGVyLW5hdGl2ZSB0ZXN0IENBMCAXDTI2MTEyMzAzNDM1
NloYDzIxMjYxMDMwMDM0MzU2WjAgMR4wHAYDVQQDDBVwdXNoZXItbmF0aXZlIHRl
c3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATFPnmeargqFWF8WNePMSs3
H5FO8R2k+fis6YGmP6nxgHDfY0BaHIi3UO6BHBdufqMchnOCLrgLqGz344567WF7
o1MwUTAdBgNVHQ4EFgQUwUfabhQ1delLtIRNB0ZWMJjF+QYwHwYDVR0jBBgwFoAU
wUfabhQ1delLtIRNB0ZWMJjF+QYwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNIADBFAiEAhQxPq1D/DqYffMy0CIg2hA0vGzJq2dJdlHZadQSyUKkCIEn4eTDK
edezZApQQaCilLbmDD3pc6SQQZxUUOguiHkN
-----END CERTIFICATE-----
";

    #[test]
    fn the_same_ca_text_gives_the_same_configuration_while_it_is_held() {
        let pem = TEST_CA;
        let a = config_with_ca(pem).expect("a usable CA");
        let b = config_with_ca(pem).expect("a usable CA");
        assert!(Arc::ptr_eq(&a, &b));
        let weak = Arc::downgrade(&a);
        drop((a, b));
        assert!(weak.upgrade().is_none(), "the cache does not keep it alive");
    }

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
