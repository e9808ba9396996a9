//! MIKEY-SAKKE I_MESSAGE open (`mcx::imessage_open::open`, TS 33.180 E.1 to E.4) with the
//! Streamwide KMS and the key material of its four users (`mikey_fuzz::sakke`), fed
//! arbitrary bytes, seeded with the reference messages: no panic, and nothing opens but
//! the signed part of a reference message with its key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_fuzz::sakke::SakkeHarness;
use std::sync::LazyLock;

static HARNESS: LazyLock<SakkeHarness> = LazyLock::new(SakkeHarness::new);

fuzz_target!(|data: &[u8]| HARNESS.run(data));
