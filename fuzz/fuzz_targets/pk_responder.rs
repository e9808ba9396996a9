//! The public-key envelope responder (RFC 3830 §3.2, `PkResponder`) with the stored
//! 1024-bit key, fed arbitrary bytes and mutations of valid messages our `PkInitiator`
//! built once (`mikey_fuzz::pk`: V, public-key update, cached envelope key with a PSK
//! update, HMAC-SHA-256 with COUNTER timestamps): no panic, never the same bytes accepted
//! twice, replay cache within its capacity, no mutated message accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_fuzz::pk::PkHarness;
use mikey_fuzz::responder;
use std::sync::LazyLock;

static HARNESS: LazyLock<PkHarness> = LazyLock::new(PkHarness::new);

fuzz_target!(|data: &[u8]| responder::run(&*HARNESS, data));
