//! Stops a JS environment's clients when it goes away (a worker thread terminated).

use napi::Env;
use pusher_client::WeakClient;
use std::cell::RefCell;

// Each JS environment runs on its own thread, so a thread-local is a per-environment list.
thread_local! {
    static CLIENTS: RefCell<Option<Vec<WeakClient>>> = const { RefCell::new(None) };
}

/// Remembers `client` so the environment's cleanup hook can shut it down.
pub(crate) fn register(env: &Env, client: WeakClient) -> napi::Result<()> {
    CLIENTS.with(|cell| {
        let mut slot = cell.borrow_mut();
        match slot.as_mut() {
            Some(list) => {
                list.retain(WeakClient::is_alive);
                list.push(client);
            }
            None => {
                env.add_env_cleanup_hook((), |()| shutdown_all())?;
                *slot = Some(vec![client]);
            }
        }
        Ok(())
    })
}

fn shutdown_all() {
    CLIENTS.with(|cell| {
        if let Some(list) = cell.borrow_mut().take() {
            for c in list {
                c.shutdown();
            }
        }
    });
}
