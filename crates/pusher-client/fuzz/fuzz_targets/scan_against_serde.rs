//! The one-pass frame scan and JSON check against serde_json: same answers where they answer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pusher_client::fuzzing::scan_against_serde(data));
