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
    config_with(Some(pem), None)
}

/// A configuration trusting the default roots, `extra` and `ca`, shared as
/// [`config_with_ca`] shares it.
///
/// `ca` is what the user gave for this client: every block must be a usable certificate.
/// `extra` is a process-wide list (Node's `NODE_EXTRA_CA_CERTS`): as Node does, blocks that
/// cannot be used are skipped.
pub fn config_with(
    ca: Option<&str>,
    extra: Option<&str>,
) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    if ca.is_none() && extra.is_none() {
        return Ok(default_config());
    }
    type Key = (Option<String>, Option<String>);
    static CACHE: Mutex<Vec<(Key, Weak<rustls::ClientConfig>)>> = Mutex::new(Vec::new());
    let key: Key = (ca.map(str::to_owned), extra.map(str::to_owned));
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(config) = cache
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, config)| config.upgrade())
    {
        return Ok(config);
    }
    let mut roots = default_roots().clone();
    if let Some(extra) = extra {
        roots.add_parsable_certificates(
            CertificateDer::pem_slice_iter(extra.as_bytes()).filter_map(Result::ok),
        );
    }
    if let Some(ca) = ca {
        add_strict(&mut roots, ca)?;
    }
    let config = config_from(roots);
    cache.retain(|(_, config)| config.strong_count() > 0);
    cache.push((key, Arc::downgrade(&config)));
    Ok(config)
}

fn add_strict(roots: &mut RootCertStore, pem: &str) -> Result<(), TlsError> {
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
    Ok(())
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
    fn extra_roots_skip_what_cannot_be_used_and_ca_does_not() {
        let junk = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let extra = format!("{junk}{TEST_CA}");
        let with_extra = config_with(None, Some(&extra)).expect("the usable block is kept");
        assert!(!Arc::ptr_eq(&with_extra, &default_config()));
        assert!(config_with(Some(junk), None).is_err());
        assert!(config_with(Some(TEST_CA), Some(&extra)).is_ok());
        assert!(Arc::ptr_eq(
            &config_with(None, None).unwrap(),
            &default_config()
        ));
    }

    #[test]
    fn default_roots_are_not_empty() {
        assert!(!default_roots().is_empty());
    }
}
