//! The DH-SIGN responder (RFC 3830 §3.3, `DhSignResponder`) in OAKLEY 1 with the stored
//! 1024-bit key, fed arbitrary bytes and mutations of valid messages our
//! `DhSignInitiator` built once (`mikey_fuzz::dh`: initial, updates with and without
//! fresh DH values, PSS with HMAC-SHA-256 PRF and COUNTER timestamps): no panic, never
//! the same bytes accepted twice, replay cache within its capacity, no mutated message
//! accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_fuzz::dh::{DhHarness, Mode};
use mikey_fuzz::responder;
use std::sync::LazyLock;

static HARNESS: LazyLock<DhHarness> = LazyLock::new(|| DhHarness::new(Mode::Sign));

fuzz_target!(|data: &[u8]| responder::run(&*HARNESS, data));
