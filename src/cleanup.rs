//! Stops a JS environment's clients when it goes away (a worker thread terminated).

use napi::Env;
use pusher_client::WeakClient;
use std::cell::RefCell;

/// The environment's clients; ended ones are swept out when the list has doubled since the
/// last sweep, so registering stays O(1) on average with thousands of clients.
struct Registered {
    clients: Vec<WeakClient>,
    sweep_at: usize,
}

// Each JS environment runs on its own thread, so a thread-local is a per-environment list.
thread_local! {
    static CLIENTS: RefCell<Option<Registered>> = const { RefCell::new(None) };
}

/// Remembers `client` so the environment's cleanup hook can shut it down.
pub(crate) fn register(env: &Env, client: WeakClient) -> napi::Result<()> {
    CLIENTS.with(|cell| {
        let mut slot = cell.borrow_mut();
        let list = match slot.as_mut() {
            Some(list) => list,
            None => {
                // Called from C by Node as the environment goes: a panic must not unwind out.
                env.add_env_cleanup_hook((), |()| drop(std::panic::catch_unwind(shutdown_all)))?;
                slot.insert(Registered {
                    clients: Vec::new(),
                    sweep_at: 64,
                })
            }
        };
        if list.clients.len() >= list.sweep_at {
            list.clients.retain(WeakClient::is_alive);
            list.sweep_at = (list.clients.len() * 2).max(64);
        }
        list.clients.push(client);
        Ok(())
    })
}

fn shutdown_all() {
    CLIENTS.with(|cell| {
        if let Some(list) = cell.borrow_mut().take() {
            for c in list.clients {
                c.shutdown();
            }
        }
    });
}
