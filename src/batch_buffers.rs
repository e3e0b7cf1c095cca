//! Batch texts given back by the JS thread once V8 has copied them, for the engine threads
//! to write the next batches into.
//!
//! Without it every batch (up to about 70 KB) was a fresh allocation made on an engine
//! thread and freed on the JS thread, and the allocator handed the pages back to the system
//! in between: at 1 KB per event the profile showed page faults (`exc_page_fault`,
//! `clear_page_erms`) in a quarter of the batch encoding's time.

use napi::bindgen_prelude::*;
use std::sync::{Arc, Mutex};

/// Texts kept at most: about one per batch in flight under load.
const KEPT: usize = 4;
/// Texts with more room than this are let go of (a batch over a turn's usual size).
const MAX_KEPT_CAPACITY: usize = 256 * 1024;

/// The spare texts of one delivery.
#[derive(Default)]
pub(crate) struct BatchBuffers {
    spare: Mutex<Vec<String>>,
}

impl BatchBuffers {
    /// An empty text, with the room of an earlier batch when one was given back.
    pub(crate) fn take(&self) -> String {
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        spare.pop().unwrap_or_default()
    }

    fn give_back(&self, mut text: String) {
        if text.capacity() > MAX_KEPT_CAPACITY {
            return;
        }
        text.clear();
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < KEPT {
            spare.push(text);
        }
    }
}

/// A batch's text on its way to JS: made a JS string, then given back to `buffers`.
pub(crate) struct BatchText {
    pub(crate) text: String,
    pub(crate) buffers: Arc<BatchBuffers>,
}

impl ToNapiValue for BatchText {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        // SAFETY: napi-rs calls this on the JS thread with its env, as it would for the String;
        // V8 copies the text, so it can be written over afterwards.
        let js = unsafe { <&str>::to_napi_value(env, val.text.as_str()) }?;
        val.buffers.give_back(val.text);
        Ok(js)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_empty_and_only_a_few_are_kept() {
        let buffers = BatchBuffers::default();
        assert_eq!(buffers.take().capacity(), 0);
        for _ in 0..KEPT + 2 {
            buffers.give_back(String::from("[1,2]").repeat(100));
        }
        buffers.give_back(String::with_capacity(MAX_KEPT_CAPACITY + 1));
        let kept: Vec<String> = (0..KEPT + 1).map(|_| buffers.take()).collect();
        assert!(kept[..KEPT]
            .iter()
            .all(|t| t.is_empty() && t.capacity() >= 500));
        assert_eq!(kept[KEPT].capacity(), 0);
    }
}
