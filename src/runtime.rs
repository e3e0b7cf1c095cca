//! The one tokio runtime every client and test server in the process shares.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

/// The shared runtime, started on first use. Its threads never hold Node's event loop.
pub(crate) fn handle() -> Handle {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            // Two workers at most (one when the process may use one core: a second would
            // only take turns with the first, costing a context switch per wake-up).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Builder::new_multi_thread()
                .worker_threads(cores.min(2))
                .thread_name("pusher-io")
                .enable_all()
                .build()
                .expect("cannot start the pusher-native I/O runtime")
        })
        .handle()
        .clone()
}
