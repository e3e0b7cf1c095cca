//! Live heap bytes per connected, subscribed client, counted by a wrapping allocator: the Rust
//! side of the benchmark's memory figure.
//!
//! `cargo run --release -p pusher-client --example memory_per_connection -- <port> [clients]`
//! against any Pusher-protocol server on 127.0.0.1 (e.g. a `TestServer` started from Node).

use pusher_client::{Batch, Client, ClientOptions, Event};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

async fn connect_all(
    port: u16,
    n: usize,
) -> Vec<(Client, tokio::sync::mpsc::UnboundedReceiver<Batch>)> {
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let c = Client::new(
            ClientOptions::new("test-key")
                .cluster("x")
                .host("127.0.0.1")
                .ws_port(port)
                .use_tls(false),
        );
        c.subscribe(&format!("idle-{i}"));
        c.connect(Box::new(tx));
        clients.push((c, rx));
    }
    for (_, rx) in clients.iter_mut() {
        'wait: while let Some(batch) = rx.recv().await {
            for e in batch.events {
                if matches!(&e, Event::Message(m) if m.event == "pusher:subscription_succeeded") {
                    break 'wait;
                }
            }
        }
    }
    clients
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().expect("port").parse().expect("a port");
    let n: usize = args.next().map_or(1000, |s| s.parse().expect("a count"));
    let warm = connect_all(port, 10).await;
    let kb = |bytes: isize| bytes as f64 / n as f64 / 1024.0;
    let before = LIVE.load(Ordering::Relaxed);
    let idle: Vec<Client> = (0..n)
        .map(|_| Client::new(ClientOptions::new("k").cluster("x")))
        .collect();
    tokio::task::yield_now().await;
    let unconnected = LIVE.load(Ordering::Relaxed) - before;
    drop(idle);
    let before = LIVE.load(Ordering::Relaxed);
    let clients = connect_all(port, n).await;
    let after = LIVE.load(Ordering::Relaxed);
    println!(
        "{n} clients: {:.1} KB of live Rust heap per connected, subscribed client \
         ({:.1} KB of it for a client that never connected)",
        kb(after - before),
        kb(unconnected)
    );
    drop((warm, clients));
}
