//! MIKEY-RSA-R (RFC 4738): the `RsaRResponder` (unicast, group mode, lenient) handling
//! I_MESSAGEs, and an `RsaRInitiator` handling the R_MESSAGE (flavour 3), with the stored
//! 1024-bit key; arbitrary bytes and mutations of valid messages built once
//! (`mikey_fuzz::rsa_r`): no panic, never the same bytes accepted twice, replay cache
//! within its capacity, no mutated message accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_fuzz::responder;
use mikey_fuzz::rsa_r::RsaRHarness;
use std::sync::LazyLock;

static HARNESS: LazyLock<RsaRHarness> = LazyLock::new(RsaRHarness::new);

fuzz_target!(|data: &[u8]| responder::run(&*HARNESS, data));
