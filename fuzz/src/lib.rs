//! Shared pieces of the fuzz targets and of the seed generator (`examples/seed.rs`):
//!
//! * [`psk`]: the fixed PSK and clock, and the messages our `PskInitiator` builds in several
//!   configurations (with the responder configuration that accepts each).
//! * [`responder`]: a mode-independent responder harness: raw inputs, and mutations of
//!   valid messages that must never be accepted once their authenticated bytes changed.
//!   A responder target for another key exchange mode implements [`responder::Harness`]
//!   in its own `fuzz_targets/<mode>_responder.rs` and calls [`responder::run`].
//! * [`sakke`]: the Streamwide MIKEY-SAKKE key material and reference messages of the
//!   `sakke_open` target.
//! * [`vectors`]: every message of `testvectors/`, for seeds.
//! * [`toy`]: a fast deterministic stand-in for RSA and modexp (fuzzing speed) used by the
//!   public-key and DH targets unless built with `--features real-crypto`.
#![forbid(unsafe_code)]

pub mod dh;
pub mod keys;
pub mod pk;
pub mod psk;
pub mod responder;
pub mod rsa_r;
pub mod sakke;
pub mod toy;
pub mod vectors;

#[cfg(test)]
mod tests {
    use crate::responder::{mutation_input, raw_input, run, Harness};

    /// Every base message is accepted unchanged, rejected with a flipped last byte, and
    /// raw inputs of every flavour run.
    fn exercise<H: Harness>(h: &H) {
        assert!(!h.bases().is_empty());
        for b in 0..h.bases().len() as u8 {
            run(h, &mutation_input(b, &[]));
            run(h, &mutation_input(b, &[[0, 0xff, 0xff, 0]]));
            run(h, &mutation_input(b, &[[7, 0, 0, 0]]));
        }
        for f in 0..h.flavours() as u8 {
            for b in h.bases() {
                run(h, &raw_input(f, &b.message));
            }
        }
    }

    #[test]
    fn pk() {
        exercise(&crate::pk::PkHarness::new());
    }

    #[test]
    fn rsa_r() {
        exercise(&crate::rsa_r::RsaRHarness::new());
    }

    #[test]
    fn dh_sign() {
        exercise(&crate::dh::DhHarness::new(crate::dh::Mode::Sign));
    }

    #[test]
    fn dh_hmac() {
        exercise(&crate::dh::DhHarness::new(crate::dh::Mode::Hmac));
    }
}
