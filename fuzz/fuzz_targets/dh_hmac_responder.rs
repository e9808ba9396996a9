//! The DHHMAC responder (RFC 4650, `DhHmacResponder`) in OAKLEY 1 with a fixed PSK, fed
//! arbitrary bytes and mutations of valid messages our `DhHmacInitiator` built once
//! (`mikey_fuzz::dh`: initial, updates with and without fresh DH values, HMAC-SHA-256
//! with COUNTER timestamps): no panic, never the same bytes accepted twice, replay cache
//! within its capacity, no mutated message accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_fuzz::dh::{DhHarness, Mode};
use mikey_fuzz::responder;
use std::sync::LazyLock;

static HARNESS: LazyLock<DhHarness> = LazyLock::new(|| DhHarness::new(Mode::Hmac));

fuzz_target!(|data: &[u8]| responder::run(&*HARNESS, data));
