//! The one tokio runtime every client and test server in the process shares.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

/// The shared runtime, started on first use. Its threads never hold Node's event loop.
pub(crate) fn handle() -> Handle {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("pusher-io")
                .enable_all()
                .build()
                .expect("cannot start the pusher-native I/O runtime")
        })
        .handle()
        .clone()
}
