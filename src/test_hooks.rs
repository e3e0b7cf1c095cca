//! A test hook to provoke panics at the binding's boundaries, so tests can check that none
//! reaches Node. Not part of the API: `lib/` never calls it.
//!
//! Arming costs the entry points one relaxed atomic load while disarmed.

use napi_derive::napi;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static ARMED_ANY: AtomicBool = AtomicBool::new(false);
static ARMED: Mutex<Option<String>> = Mutex::new(None);

/// Makes the next pass through `site` panic (once): `NativeClient.constructor`,
/// `NativeClient.url`, `NativeClient.subscribe`, `TestServer.start`,
/// `TestServer.connections`, `delivery` (converting a batch on the JS thread) or `auth`
/// (an authorization future on the engine's thread). `null` disarms.
#[doc(hidden)]
#[napi(catch_unwind, js_name = "__armPanic")]
pub fn arm_panic(site: Option<String>) {
    let mut armed = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    ARMED_ANY.store(site.is_some(), Ordering::Release);
    *armed = site;
}

/// Panics if `site` is armed (and disarms it).
pub(crate) fn check(site: &str) {
    if !ARMED_ANY.load(Ordering::Acquire) {
        return;
    }
    let mut armed = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    if armed.as_deref() == Some(site) {
        *armed = None;
        ARMED_ANY.store(false, Ordering::Release);
        drop(armed);
        panic!("panic provoked in {site} by a test");
    }
}
