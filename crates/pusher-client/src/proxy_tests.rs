//! Proxy URL parsing, `NO_PROXY` rules and the `CONNECT` exchange.

use super::*;
use tokio::net::TcpListener;

fn basic(credentials: &[u8]) -> Option<String> {
    Some(format!("Basic {}", STANDARD.encode(credentials)))
}

fn endpoint(p: &Proxy) -> (&str, u16, Option<&str>) {
    match &p.via {
        Via::Http {
            host,
            port,
            authorization,
            ..
        } => (host, *port, authorization.as_deref()),
        Via::Unusable(why) => panic!("unusable: {why}"),
    }
}

#[test]
fn parses_urls() {
    let p = Proxy::new("http://user:p%40ss@proxy.local:3128", "").unwrap();
    assert_eq!(
        endpoint(&p),
        ("proxy.local", 3128, basic(b"user:p@ss").as_deref())
    );
    let p = Proxy::new("http://127.0.0.1:8080/", "").unwrap();
    assert_eq!(endpoint(&p), ("127.0.0.1", 8080, None));
    assert_eq!(endpoint(&Proxy::new("http://proxy", "").unwrap()).1, 80);
    assert_eq!(
        endpoint(&Proxy::new("HTTP://[::1]:9", "").unwrap()).0,
        "::1"
    );
    let p = Proxy::new("http://only-user@h:1", "").unwrap();
    assert_eq!(endpoint(&p).2, basic(b"only-user:").as_deref());
}

#[test]
fn non_ascii_and_stray_percent_signs_in_credentials_do_not_panic() {
    // The URL of issue 11: a `%` not followed by two hex digits, then a multi-byte character.
    let p = Proxy::new("http://us%€r:pw@proxy:3128", "").unwrap();
    assert_eq!(
        endpoint(&p),
        ("proxy", 3128, basic("us%€r:pw".as_bytes()).as_deref())
    );
    for url in [
        "http://€:€@h:1",
        "http://%:%@h",
        "http://a%e2%82:b@h",
        "http://é.example",
    ] {
        let _ = Proxy::new(url, "");
    }
    let e = Proxy::new("http://us%€r:secret@:3128", "").unwrap_err();
    assert!(!e.to_string().contains("secret"), "{e}");
}

#[test]
fn malformed_urls_are_errors_without_passwords() {
    let e = Proxy::new("socks5://a:secret@h:1", "").unwrap_err();
    assert!(!e.to_string().contains("secret"), "{e}");
    assert!(Proxy::new("http://h:notaport", "").is_err());
    assert!(Proxy::new("http://h:70000", "").is_err());
    assert!(Proxy::new("http://:80", "").is_err());
    assert!(Proxy::new("proxy.local:3128", "").is_err());
    assert!(Proxy::new("", "").is_err());
}

#[test]
fn no_proxy_rules() {
    let p = Proxy::new("http://p:1", "localhost, .internal.example,exact.org:443").unwrap();
    assert!(!p.applies_to("localhost"));
    assert!(!p.applies_to("a.internal.example"));
    assert!(!p.applies_to("internal.example"));
    assert!(!p.applies_to("exact.org"));
    assert!(p.applies_to("ws-eu.pusher.com"));
    assert!(p.applies_to("notexact.org"));
    assert!(!Proxy::new("http://p:1", "*")
        .unwrap()
        .applies_to("anything"));
    let unusable = Proxy::unusable("bad", "localhost");
    assert!(!unusable.applies_to("localhost"));
    assert!(unusable.applies_to("ws-eu.pusher.com"));
}

#[test]
fn debug_hides_credentials() {
    let p = Proxy::new("http://user:secret@h:1", "").unwrap();
    assert!(!format!("{p:?}").contains("secret"));
}

#[test]
fn tunnel_answers() {
    assert_eq!(
        tunnel_answer(b"HTTP/1.1 200 Connection established\r\n\r\n"),
        Ok(Some(()))
    );
    assert_eq!(
        tunnel_answer(b"HTTP/1.0 204 No Content\r\nX: y\r\n\r\n"),
        Ok(Some(()))
    );
    let whole = b"HTTP/1.1 200 OK\r\nProxy-Agent: t\r\n\r\n";
    for cut in 0..whole.len() {
        assert_eq!(tunnel_answer(&whole[..cut]), Ok(None), "cut {cut}");
    }
    assert_eq!(
        tunnel_answer(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
        Err("407 Proxy Authentication Required".into())
    );
    assert!(tunnel_answer(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
    assert!(tunnel_answer(b"HTTP/1.1 200 OK\r\n\r\nextra").is_err());
    let endless = format!("HTTP/1.1 200 OK\r\nX: {}", "y".repeat(MAX_ANSWER_HEAD));
    assert!(tunnel_answer(endless.as_bytes()).is_err());
}

/// A proxy on loopback that reads a `CONNECT` head and writes `answer` in two pieces.
async fn fake_proxy(answer: &'static [u8]) -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 256];
        while !request.ends_with(b"\r\n\r\n") {
            let n = s.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
        }
        let (a, b) = answer.split_at(answer.len() / 2);
        s.write_all(a).await.unwrap();
        s.flush().await.unwrap();
        tokio::task::yield_now().await;
        s.write_all(b).await.unwrap();
        // Hold the socket open until the client is done with it.
        let _ = s.read(&mut buf).await;
        String::from_utf8(request).unwrap()
    });
    (port, task)
}

#[tokio::test]
async fn connect_sends_credentials_and_accepts_any_2xx() {
    let (port, proxy) = fake_proxy(b"HTTP/1.1 201 Created\r\nVia: test\r\n\r\n").await;
    let p = Proxy::new(&format!("http://u%20s:p%3Aw@127.0.0.1:{port}"), "").unwrap();
    let tcp = p.connect("ws.example", 443).await.expect("tunnel");
    drop(tcp);
    let request = proxy.await.unwrap();
    assert!(
        request.starts_with("CONNECT ws.example:443 HTTP/1.1\r\n"),
        "{request}"
    );
    let auth = format!(
        "Proxy-Authorization: Basic {}\r\n",
        STANDARD.encode("u s:p:w")
    );
    assert!(request.contains(&auth), "{request}");
}

#[tokio::test]
async fn a_refusal_or_an_unusable_setting_is_a_proxy_failure() {
    let (port, _proxy) = fake_proxy(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
    let p = Proxy::new(&format!("http://127.0.0.1:{port}"), "").unwrap();
    let e = p.connect("::1", 80).await.unwrap_err();
    assert_eq!(e.failure, Failure::Proxy);
    let e = Proxy::unusable("Invalid proxy URL in HTTPS_PROXY", "")
        .connect("h", 1)
        .await
        .unwrap_err();
    assert_eq!(e.failure, Failure::Proxy);
    assert!(e.message.contains("HTTPS_PROXY"));
}
