//! The HTTP client of auth requests and of the HTTP transports: reqwest over our rustls
//! configuration, through our proxy rules (never reqwest's own reading of the environment).

use std::sync::{Arc, Mutex, Weak};

/// The HTTP client for `tls` and `proxy`. Clients with the same TLS configuration and proxy
/// share one, and its connection pool, so thousands of them cost one.
pub(crate) fn shared(
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<&crate::proxy::Proxy>,
) -> reqwest::Client {
    let build = |tls: &rustls::ClientConfig| {
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .no_proxy();
        if let Some(p) = proxy {
            let rules = p.clone();
            builder = builder.proxy(reqwest::Proxy::custom(move |url| {
                let host = url.host_str()?;
                rules.applies_to(host).then(|| rules.url().to_owned())
            }));
        }
        builder
            .build()
            .expect("the HTTP client's configuration is static")
    };
    // Clients with the same TLS configuration and proxy share one HTTP client and its
    // connection pool, so thousands of them cost one.
    type Shared = (
        Weak<rustls::ClientConfig>,
        Option<crate::proxy::Proxy>,
        reqwest::Client,
    );
    static SHARED: Mutex<Vec<Shared>> = Mutex::new(Vec::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    let alike = |(config, p, _): &&Shared| {
        config.strong_count() > 0 && config.as_ptr() == Arc::as_ptr(&tls) && p.as_ref() == proxy
    };
    if let Some((_, _, http)) = shared.iter().find(alike) {
        return http.clone();
    }
    let http = build(&tls);
    shared.retain(|(config, _, _)| config.strong_count() > 0);
    shared.push((Arc::downgrade(&tls), proxy.cloned(), http.clone()));
    http
}
