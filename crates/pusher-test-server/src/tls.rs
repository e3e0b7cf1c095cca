//! TLS mode: a self-signed certificate made when the server starts, and the
//! stream a connection is served over (plain TCP or TLS).

use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The certificate and acceptor of a server started with
/// [`ServerOptions::tls`](crate::ServerOptions::tls); kept for the server's
/// life, so a restart serves the same certificate.
pub(crate) struct Tls {
    /// The self-signed certificate in PEM: also the CA a client must trust.
    pub pem: String,
    /// Accepts TLS on an accepted TCP connection.
    pub acceptor: TlsAcceptor,
}

impl Tls {
    /// Makes a fresh key pair and a self-signed certificate for `127.0.0.1`
    /// (IP), `localhost` and, when it is another concrete address or name,
    /// `host`.
    pub fn generate(host: &str) -> io::Result<Tls> {
        let key = KeyPair::generate().map_err(io::Error::other)?;
        let mut params = CertificateParams::default();
        // A name of its own (from the key), so a client that trusts another
        // test server's certificate fails with "unknown issuer" rather than
        // matching a same-named root and failing its signature.
        let fingerprint = Sha256::digest(key.public_key_raw());
        let mut names = DistinguishedName::new();
        names.push(
            DnType::CommonName,
            format!("pusher-test-server {}", hex::encode(&fingerprint[..8])),
        );
        params.distinguished_name = names;
        params.subject_alt_names = subject_alt_names(host)?;
        let cert = params.self_signed(&key).map_err(io::Error::other)?;

        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        // The ring provider, given explicitly: no process-wide default needed.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key_der)
            .map_err(io::Error::other)?;
        Ok(Tls {
            pem: cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// `127.0.0.1`, `localhost`, and `host` unless it is one of those or a
/// wildcard address.
fn subject_alt_names(host: &str) -> io::Result<Vec<SanType>> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let localhost = || "localhost".to_owned().try_into().map_err(io::Error::other);
    let mut names = vec![SanType::IpAddress(loopback), SanType::DnsName(localhost()?)];
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) if ip != loopback && !ip.is_unspecified() => names.push(SanType::IpAddress(ip)),
        Ok(_) => {}
        Err(_) if host.eq_ignore_ascii_case("localhost") || host.is_empty() => {}
        // A name rcgen cannot encode is left out rather than failing start.
        Err(_) => {
            if let Ok(name) = host.to_owned().try_into() {
                names.push(SanType::DnsName(name));
            }
        }
    }
    Ok(names)
}

/// What a connection is served over.
pub(crate) enum ServerStream {
    /// `ws://`.
    Plain(TcpStream),
    /// `wss://`.
    Tls(Box<TlsStream<TcpStream>>),
}

impl ServerStream {
    /// Whether this is a TLS stream.
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls(_))
    }
}

impl AsyncRead for ServerStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ServerStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_ip(names: &[SanType], ip: &str) -> bool {
        let ip: IpAddr = ip.parse().unwrap();
        names.contains(&SanType::IpAddress(ip))
    }

    fn has_dns(names: &[SanType], name: &str) -> bool {
        names
            .iter()
            .any(|n| matches!(n, SanType::DnsName(d) if d.as_str() == name))
    }

    #[test]
    fn names_cover_loopback_and_localhost() {
        for host in ["127.0.0.1", "localhost", "0.0.0.0", "::", "[::]", ""] {
            let names = subject_alt_names(host).unwrap();
            assert_eq!(names.len(), 2, "{host}: {names:?}");
            assert!(has_ip(&names, "127.0.0.1") && has_dns(&names, "localhost"));
        }
        let v6 = subject_alt_names("::1").unwrap();
        assert!(has_ip(&v6, "::1") && has_ip(&v6, "127.0.0.1") && v6.len() == 3);
        let bracketed = subject_alt_names("[::1]").unwrap();
        assert!(has_ip(&bracketed, "::1"));
        let named = subject_alt_names("test.local").unwrap();
        assert!(has_dns(&named, "test.local") && named.len() == 3);
    }

    #[test]
    fn each_generation_is_a_fresh_pem_certificate() {
        let one = Tls::generate("127.0.0.1").unwrap();
        let two = Tls::generate("127.0.0.1").unwrap();
        assert!(one.pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(one.pem.trim_end().ends_with("-----END CERTIFICATE-----"));
        assert_ne!(one.pem, two.pem);
    }
}
