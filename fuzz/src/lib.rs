//! Shared pieces of the fuzz targets and of the seed generator (`examples/seed.rs`):
//!
//! * [`psk`]: the fixed PSK and clock, and the messages our `PskInitiator` builds in several
//!   configurations (with the responder configuration that accepts each).
//! * [`responder`]: a mode-independent responder harness: raw inputs, and mutations of
//!   valid messages that must never be accepted once their authenticated bytes changed.
//!   A responder target for another key exchange mode implements [`responder::Harness`]
//!   in its own `fuzz_targets/<mode>_responder.rs` and calls [`responder::run`].
//! * [`vectors`]: every message of `testvectors/`, for seeds.
#![forbid(unsafe_code)]

pub mod psk;
pub mod responder;
pub mod vectors;
