//! The HTTP transports over real sockets, with a minimal HTTP/1.1 client: sessions, lines,
//! sends, faults, and the stream reopened past pusher-js's 256 KiB limit.

mod common;

use std::time::Duration;

use common::{start, Client, TIMEOUT};
use pusher_test_server::{auth, HandshakeMode, ServerOptions, TestServer, Transport};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// A response being read: status, headers, and the body line by line.
struct Response {
    status: u16,
    head: String,
    reader: BufReader<TcpStream>,
    /// Body bytes not yet returned as a line.
    pending: Vec<u8>,
    chunked: bool,
    /// Body bytes read so far.
    length: usize,
}

impl Response {
    /// The next line of the body, without its `\n`; `None` at the end of the body.
    async fn line(&mut self) -> Option<String> {
        loop {
            if let Some(i) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=i).collect();
                return Some(String::from_utf8(line[..i].to_vec()).unwrap());
            }
            if !self.read_part().await {
                return None;
            }
        }
    }

    /// The next line, which must come within [`TIMEOUT`].
    async fn expect_line(&mut self) -> String {
        timeout(TIMEOUT, self.line())
            .await
            .expect("a line in time")
            .expect("a line before the end")
    }

    /// Reads one chunk (or, unchunked, whatever comes); false at the end.
    async fn read_part(&mut self) -> bool {
        if !self.chunked {
            let mut buf = [0u8; 4096];
            let n = self.reader.read(&mut buf).await.unwrap_or(0);
            self.pending.extend_from_slice(&buf[..n]);
            self.length += n;
            return n > 0;
        }
        let mut size = String::new();
        if self.reader.read_line(&mut size).await.unwrap_or(0) == 0 {
            return false;
        }
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        let mut data = vec![0u8; size + 2];
        if self.reader.read_exact(&mut data).await.is_err() {
            return false;
        }
        assert_eq!(&data[size..], b"\r\n");
        self.pending.extend_from_slice(&data[..size]);
        self.length += size;
        size > 0
    }

    /// The whole rest of the body, as text.
    async fn rest(mut self) -> String {
        let mut out = String::from_utf8(std::mem::take(&mut self.pending)).unwrap();
        while let Some(line) = timeout(TIMEOUT, self.line()).await.expect("in time") {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&String::from_utf8(self.pending).unwrap());
        out
    }
}

/// Sends one request on a new connection and reads the response head.
async fn post(port: u16, path: &str, body: &str) -> Response {
    request(port, "POST", path, body).await
}

async fn request(port: u16, method: &str, path: &str, body: &str) -> Response {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut reader = BufReader::new(tcp);
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    reader
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    read_head(reader).await
}

async fn read_head(mut reader: BufReader<TcpStream>) -> Response {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = timeout(TIMEOUT, reader.read_line(&mut line))
            .await
            .expect("a head in time")
            .unwrap();
        assert!(n > 0, "the connection ended in the head: {head}");
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head[9..12].parse().unwrap();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Response {
        status,
        head,
        reader,
        pending: Vec::new(),
        chunked,
        length: 0,
    }
}

/// One client session's URLs.
struct Session {
    port: u16,
    base: String,
}

impl Session {
    fn new(server: &TestServer, id: &str) -> Session {
        Session {
            port: server.port(),
            base: format!("/pusher/app/{}/123/{id}", server.app().key),
        }
    }

    async fn stream(&self) -> Response {
        let path = format!(
            "{}/xhr_streaming?protocol=7&client=js&version=8.6.0&t=1&n=1",
            self.base
        );
        let response = post(self.port, &path, "").await;
        assert_eq!(response.status, 200, "{}", response.head);
        assert!(response
            .head
            .contains("Content-Type: application/javascript; charset=UTF-8"));
        assert!(response.chunked);
        response
    }

    async fn poll(&self) -> Response {
        let path = format!(
            "{}/xhr?protocol=7&client=js&version=8.6.0&t=1&n=2",
            self.base
        );
        post(self.port, &path, "").await
    }

    async fn send(&self, frames: &[Value]) -> u16 {
        let texts: Vec<String> = frames.iter().map(Value::to_string).collect();
        self.send_raw(&serde_json::to_string(&texts).unwrap())
            .await
            .status
    }

    async fn send_raw(&self, body: &str) -> Response {
        post(self.port, &format!("{}/xhr_send?t=1&n=3", self.base), body).await
    }
}

/// The Pusher frames of an `a[...]` line.
fn frames(line: &str) -> Vec<Value> {
    assert!(line.starts_with("a["), "not an a-line: {line:?}");
    let texts: Vec<String> = serde_json::from_str(&line[1..]).unwrap();
    texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect()
}

/// The one Pusher frame of an `a[...]` line.
fn frame(line: &str) -> Value {
    let mut all = frames(line);
    assert_eq!(all.len(), 1, "{line}");
    all.remove(0)
}

async fn start_with(options: ServerOptions) -> TestServer {
    TestServer::start(options).await.expect("server starts")
}

#[tokio::test]
async fn a_streaming_session_connects_subscribes_receives_and_closes() {
    let server = start().await;
    let session = Session::new(&server, "abcd1234");
    let mut stream = session.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    let established = frame(&stream.expect_line().await);
    assert_eq!(established["event"], "pusher:connection_established");
    let data: Value = serde_json::from_str(established["data"].as_str().unwrap()).unwrap();
    let socket_id = data["socket_id"].as_str().unwrap().to_owned();

    let connections = server.connections();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].socket_id, socket_id);
    assert_eq!(connections[0].transport, Transport::XhrStreaming);
    assert!(connections[0]
        .path
        .ends_with("/xhr_streaming?protocol=7&client=js&version=8.6.0&t=1&n=1"));

    let auth = auth::channel_auth(&server.app(), &socket_id, "private-a", None);
    let subscribe =
        json!({"event": "pusher:subscribe", "data": {"channel": "private-a", "auth": auth}});
    let ping = json!({"event": "pusher:ping", "data": {}});
    assert_eq!(session.send(&[subscribe, ping]).await, 204);
    let mut got = Vec::new();
    while got.len() < 2 {
        got.extend(frames(&stream.expect_line().await));
    }
    assert_eq!(got[0]["event"], "pusher_internal:subscription_succeeded");
    assert_eq!(got[1]["event"], "pusher:pong");

    assert_eq!(server.trigger("private-a", "one", "1"), 1);
    assert_eq!(server.trigger("private-a", "two", "2"), 1);
    let mut events = Vec::new();
    while events.len() < 2 {
        events.extend(frames(&stream.expect_line().await));
    }
    assert_eq!(events[0]["event"], "one");
    assert_eq!(events[1]["event"], "two");

    let trigger = json!({"event": "client-x", "channel": "private-a", "data": {"n": 1}});
    assert_eq!(session.send(&[trigger]).await, 204);
    assert!(server
        .received()
        .iter()
        .any(|r| r.frame.event().as_deref() == Some("client-x")));
    assert_eq!(session.send(&[]).await, 204, "a heartbeat");

    assert_eq!(server.close(Some(&socket_id), 4009, "bye"), 1);
    assert_eq!(stream.expect_line().await, "c[4009,\"bye\"]");
    assert_eq!(
        timeout(TIMEOUT, stream.line()).await.unwrap(),
        None,
        "the end"
    );
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(session.send(&[]).await, 404, "the session is gone");
}

#[tokio::test]
async fn a_polling_session_answers_each_poll_with_one_line() {
    let server = start_with(ServerOptions {
        http_heartbeat: Duration::from_millis(200),
        ..ServerOptions::default()
    })
    .await;
    let session = Session::new(&server, "pollpoll");
    assert_eq!(session.poll().await.rest().await, "o\n");
    assert_eq!(server.connections()[0].transport, Transport::XhrPolling);
    let first = session.poll().await.rest().await;
    assert_eq!(
        frame(first.trim_end())["event"],
        "pusher:connection_established"
    );

    let subscribe = json!({"event": "pusher:subscribe", "data": {"channel": "news"}});
    assert_eq!(session.send(&[subscribe]).await, 204);
    let answer = session.poll().await.rest().await;
    assert_eq!(
        frame(answer.trim_end())["event"],
        "pusher_internal:subscription_succeeded"
    );

    // Held until something is queued.
    let held = session.poll();
    let trigger = async {
        server
            .wait_for(|s| s.http_requests().len() == 5, TIMEOUT)
            .await
            .unwrap();
        server.trigger("news", "a", "1");
        server.trigger("news", "b", "2");
    };
    let (response, ()) = tokio::join!(held, trigger);
    let answer = response.rest().await;
    assert_eq!(answer.matches('\n').count(), 1, "one line: {answer}");
    let mut got = frames(answer.trim_end());
    // "b" may have been queued after the answer went out: then the next poll has it.
    if got.len() == 1 {
        got.extend(frames(session.poll().await.rest().await.trim_end()));
    }
    let events: Vec<&str> = got.iter().map(|f| f["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["a", "b"]);

    // Nothing queued: a heartbeat after the interval.
    assert_eq!(session.poll().await.rest().await, "h\n");

    let id = server.connections()[0].socket_id.clone();
    server.close(Some(&id), 4200, "again");
    assert_eq!(session.poll().await.rest().await, "c[4200,\"again\"]\n");
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .unwrap();
}

#[tokio::test]
async fn sends_are_checked() {
    let server = start().await;
    let session = Session::new(&server, "sendsend");
    assert_eq!(session.send(&[]).await, 404, "no such session");
    let mut stream = session.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    for body in ["{}", "[1]", "not json"] {
        let response = session.send_raw(body).await;
        assert_eq!(response.status, 500, "{body}");
        assert_eq!(response.rest().await, "Broken JSON encoding.");
    }
    assert_eq!(session.send_raw("").await.status, 500);
    let get = request(
        server.port(),
        "GET",
        &format!("{}/xhr_send", session.base),
        "",
    )
    .await;
    assert_eq!(get.status, 405);
    assert_eq!(
        post(server.port(), "/pusher/app/test-key/1/x/xhr", "")
            .await
            .status,
        404
    );
    assert_eq!(post(server.port(), "/", "").await.status, 404);
    let requests = server.http_requests();
    assert_eq!(requests.len(), 9);
    assert_eq!(requests[0].method, "POST");
    assert!(requests[0].path.ends_with("/xhr_send?t=1&n=3"));
    assert_eq!(requests[6].method, "GET");
}

#[tokio::test]
async fn an_unknown_app_key_is_refused_as_over_a_websocket() {
    let server = start().await;
    let path = "/pusher/app/nope/1/abcdefgh/xhr_streaming";
    let body = post(server.port(), path, "").await.rest().await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "o");
    let error = frame(lines[1]);
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4001);
    assert_eq!(lines[2], "c[4001,\"App key nope not in this cluster\"]");
    assert!(server.connections().is_empty());
}

#[tokio::test]
async fn with_http_transports_off_requests_get_404_and_are_recorded() {
    let server = start_with(ServerOptions {
        http_transports: false,
        ..ServerOptions::default()
    })
    .await;
    let session = Session::new(&server, "offoffof");
    let path = format!("{}/xhr_streaming", session.base);
    assert_eq!(post(server.port(), &path, "").await.status, 404);
    assert_eq!(server.http_requests().len(), 1);
    assert!(server.connections().is_empty());
    // WebSockets are not affected, and are not recorded as HTTP requests.
    Client::connect(&server).await;
    assert_eq!(server.http_requests().len(), 1);
    server.set_http_transports(true);
    let mut stream = session.stream().await;
    assert_eq!(stream.expect_line().await, "o");
}

#[tokio::test]
async fn dropping_cuts_the_stream_and_a_client_that_leaves_is_forgotten() {
    let server = start_with(ServerOptions {
        http_disconnect_delay: Duration::from_millis(100),
        ..ServerOptions::default()
    })
    .await;
    let one = Session::new(&server, "dropdrop");
    let mut stream = one.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    stream.expect_line().await;
    assert_eq!(server.drop_connections(None), 1);
    // Cut: the body ends without its last chunk.
    let mut rest = Vec::new();
    let _ = timeout(TIMEOUT, stream.reader.read_to_end(&mut rest)).await;
    assert!(
        !String::from_utf8_lossy(&rest).contains("0\r\n\r\n"),
        "{rest:?}"
    );
    assert!(server.connections().is_empty());
    assert_eq!(one.send(&[]).await, 404);

    let two = Session::new(&server, "leaving1");
    let mut stream = two.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    assert_eq!(server.connections().len(), 1);
    drop(stream);
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .expect("unregistered after the disconnect delay");
}

#[tokio::test]
async fn a_stream_reopened_past_256_kib_loses_nothing() {
    let server = start().await;
    let session = Session::new(&server, "reopen01");
    let mut stream = session.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    stream.expect_line().await;
    let subscribe = json!({"event": "pusher:subscribe", "data": {"channel": "bulk"}});
    session.send(&[subscribe]).await;
    frame(&stream.expect_line().await);

    let data = "é".repeat(500);
    const COUNT: usize = 1200;
    for n in 0..COUNT {
        server.trigger("bulk", &format!("e{n}"), &data);
    }
    let mut seen = 0;
    let mut streams = 1;
    while seen < COUNT {
        // As pusher-js: read whole lines; once past 256 KiB with all read, open a new stream.
        let line = stream.expect_line().await;
        for f in frames(&line) {
            assert_eq!(f["event"], format!("e{seen}"));
            assert_eq!(f["data"], data);
            seen += 1;
        }
        if stream.length > 256 * 1024 && stream.pending.is_empty() {
            stream = session.stream().await;
            streams += 1;
        }
    }
    assert!(streams >= 4, "{streams} streams for over 1 MiB");
    assert_eq!(server.connections().len(), 1);
}

#[tokio::test]
async fn tls_serves_the_same() {
    let server = common::start_tls().await;
    let config = common::trusting_server(&server);
    let connector = tokio_rustls::TlsConnector::from(config);
    let tcp = TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let request = "POST /pusher/app/test-key/7/tlstls01/xhr HTTP/1.1\r\nHost: localhost\r\n\
                   Content-Length: 0\r\nConnection: close\r\n\r\n";
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    timeout(TIMEOUT, tls.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("\r\n\r\n2\r\no\n\r\n0\r\n\r\n"),
        "{response:?}"
    );
    assert_eq!(server.connections()[0].transport, Transport::XhrPolling);
}

#[tokio::test]
async fn keep_alive_serves_requests_one_after_another() {
    let server = start().await;
    let tcp = TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let mut reader = BufReader::new(tcp);
    let path = "/pusher/app/test-key/1/keepaliv/xhr";
    for expected in ["o", "a["] {
        let request = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .unwrap();
        let mut response = read_head(reader).await;
        assert!(response.head.contains("Connection: keep-alive"));
        assert!(response.expect_line().await.starts_with(expected));
        assert_eq!(timeout(TIMEOUT, response.line()).await.unwrap(), None);
        reader = response.reader;
    }
}

#[tokio::test]
async fn handshake_modes_silence_pings_and_raw_bytes_apply_to_sessions() {
    let server = start().await;
    server.set_handshake(HandshakeMode::Error {
        code: Some(4100),
        message: "Over capacity".into(),
    });
    let mut stream = Session::new(&server, "errorerr").stream().await;
    assert_eq!(stream.expect_line().await, "o");
    assert_eq!(frame(&stream.expect_line().await)["event"], "pusher:error");

    // Silent: `o` (the transport's own), then nothing; sends are recorded, not acted on.
    server.set_handshake(HandshakeMode::Silent);
    let quiet = Session::new(&server, "silent01");
    let mut stream = quiet.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    let ping = json!({"event": "pusher:ping", "data": {}});
    assert_eq!(quiet.send(std::slice::from_ref(&ping)).await, 204);
    server
        .wait_for(|s| s.received().len() == 1, TIMEOUT)
        .await
        .unwrap();
    assert!(timeout(Duration::from_millis(200), stream.line())
        .await
        .is_err());

    server.set_handshake(HandshakeMode::Normal);
    let loud = Session::new(&server, "normal01");
    let mut stream = loud.stream().await;
    assert_eq!(stream.expect_line().await, "o");
    stream.expect_line().await;
    let id = server.connections().last().unwrap().socket_id.clone();
    // Server-wide silence holds frames back until it ends.
    server.set_silent(true);
    server.send_raw(Some(&id), "{\"event\":\"held\"}");
    assert!(timeout(Duration::from_millis(200), stream.line())
        .await
        .is_err());
    server.set_silent(false);
    assert_eq!(frame(&stream.expect_line().await)["event"], "held");

    assert_eq!(server.send_ping(Some(&id)), 1);
    assert_eq!(stream.expect_line().await, "h");
    assert_eq!(server.send_binary(Some(&id), b"dropped"), 1);
    assert_eq!(server.send_bytes(Some(&id), b"a[\"raw\"]\n"), 1);
    assert_eq!(stream.expect_line().await, "a[\"raw\"]");
}

#[tokio::test]
async fn a_session_whose_client_stops_reading_is_dropped_past_64_mib() {
    let server = start_with(ServerOptions {
        http_disconnect_delay: Duration::from_secs(60),
        ..ServerOptions::default()
    })
    .await;
    let session = Session::new(&server, "nopoll01");
    assert_eq!(session.poll().await.rest().await, "o\n");
    let id = server.connections()[0].socket_id.clone();
    let big = "x".repeat(1024 * 1024);
    for _ in 0..65 {
        server.send_raw(Some(&id), &big);
    }
    server
        .wait_for(|s| s.connections().is_empty(), TIMEOUT)
        .await
        .expect("dropped");
    assert_eq!(session.send(&[]).await, 404);
}
