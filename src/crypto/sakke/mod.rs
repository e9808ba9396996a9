//! SAKKE, Sakai-Kasahara Key Encryption (RFC 6508), with parameter set 1 of MIKEY-SAKKE
//! (RFC 6509 Appendix A: a 1024-bit p, q = (p + 1)/4, the supersingular curve
//! y^2 = x^3 - 3x, n = 128, SHA-256). Cargo feature `sakke`.
//!
//! * KMS side: [`MasterSecret`] z and [`KmsPublicKey`] Z = \[z\]P (RFC 6508 §6.1);
//!   [`MasterSecret::issue_rsk`] gives the receiver secret key K = \[(a + z)^-1\]P of an
//!   [`Identifier`] a (§6.1.1).
//! * Sender: [`KmsPublicKey::encapsulate`] turns an SSV into the encapsulated data
//!   R || H for an identifier (§6.2.1; 273 octets, [`ENCAPSULATED_LEN`]).
//! * Receiver: [`validate_rsk`] checks an RSK against Z (§6.1.2: <\[a\]P + Z, K> = g);
//!   [`Receiver::new`] does that and prepares the key, and [`Receiver::decapsulate`]
//!   recovers the SSV with the pairing and rejects data whose re-encapsulation differs
//!   (§6.2.2).
//!
//! Everything that touches a secret (z, the RSK, the SSV and the r derived from it) runs in
//! constant time: fixed sequences of F_p operations (complete addition formulas, no
//! exceptional cases), tables scanned whole, no branch or index on a secret value. The
//! fast paths: fixed-base tables for P, g and each KMS's Z, an optional per-receiver table
//! for \[b\]P + Z ([`Receiver::precompute`]), the receiver's Miller lines computed once per
//! RSK, and the signed-digit form of q - 1 for Miller's loop.
//!
//! ```
//! use mikey::crypto::sakke::{Identifier, MasterSecret, Receiver};
//!
//! let mut entropy = mikey::crypto::OsEntropy;
//! let kms = MasterSecret::generate(&mut entropy).unwrap();
//! let z = kms.public_key();
//! let bob = Identifier::new(b"2011-02\0tel:+447700900123\0").unwrap();
//! let rsk = kms.issue_rsk(&bob).unwrap();
//!
//! let ssv = [0x42u8; 16];
//! let data = z.encapsulate(&bob, &ssv).unwrap();
//!
//! let receiver = Receiver::new(&z, bob, &rsk).unwrap(); // validates the RSK first
//! assert_eq!(receiver.decapsulate(data.as_bytes()).unwrap().as_bytes(), &ssv);
//! ```

use core::fmt;

pub(crate) mod fixed_base;
pub(crate) mod fp;
pub(crate) mod gt;
mod hash;
mod kms;
mod mont;
mod pairing;
mod params;
mod point;
mod receiver;
#[cfg(test)]
pub(crate) mod testdata;

pub use fp::FP_LEN;
pub use kms::{EncapsulatedData, Identifier, KmsPublicKey, MasterSecret, ENCAPSULATED_LEN};
pub use params::{SSV_BITS, SSV_LEN};
pub use point::POINT_LEN;
pub use receiver::{validate_rsk, Receiver, Rsk};

/// The F_p multiplications (squarings included) and inversions this thread has performed
/// in SAKKE so far: for cost figures (`benches/sakke.rs`). Feature `sakke-count`.
#[cfg(feature = "sakke-count")]
#[doc(hidden)]
pub fn operation_counts() -> (u64, u64) {
    fp::count::read()
}

/// Runs `n` chained F_p multiplications (`invert` false) or inversions (true) with the
/// routines SAKKE uses, for the unit cost of `benches/sakke.rs`. Feature `sakke-count`.
#[cfg(feature = "sakke-count")]
#[doc(hidden)]
pub fn field_chain(n: u32, invert: bool) -> [u8; FP_LEN] {
    let mut x = params::PX;
    for _ in 0..n {
        x = if invert {
            x.invert().to_inner_unchecked()
        } else {
            x.mul(&params::PY)
        };
    }
    x.to_be_bytes()
}

/// How many attempts a value drawn at random may take to land in its range before the
/// entropy source is taken to be broken (each attempt succeeds with probability > 1/2).
const DRAW_ATTEMPTS: usize = 64;

/// An octet string of the wrong length, in SAKKE ([`SakkeError::InvalidLength`]) and ECCSI
/// (`EccsiError::InvalidLength`): the lengths of RFC 6507 §3.3 and RFC 6508 §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthError {
    /// What was being parsed.
    pub what: &'static str,
    /// Required length in octets.
    pub expected: usize,
    /// Length supplied.
    pub got: usize,
}

impl fmt::Display for LengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LengthError {
            what,
            expected,
            got,
        } = self;
        write!(f, "{what}: expected {expected} octets, got {got}")
    }
}

/// Errors of SAKKE (RFC 6508) operations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SakkeError {
    /// An octet string had the wrong length (points: 2L + 1 = 257 octets, RFC 6508 §4;
    /// encapsulated data: 273).
    InvalidLength(LengthError),
    /// An octet string is not a point of E(F_p) in uncompressed form (RFC 6508 §4).
    InvalidPoint {
        /// What was being parsed.
        what: &'static str,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A point is on the curve but not of order q (RFC 6508 §2.2: Z, the RSK and the
    /// encapsulated R are points of order q).
    NotInSubgroup {
        /// Which point.
        what: &'static str,
    },
    /// An identifier is not an integer in the range 2 to q - 1 (RFC 6508 §2.2).
    InvalidIdentifier,
    /// A KMS master secret is not in the range 2 to q - 1 (RFC 6508 §2.2).
    InvalidMasterSecret,
    /// a + z = 0 modulo q: no RSK exists for this identifier under this KMS (RFC 6508
    /// §6.1.1).
    DegenerateIdentifier,
    /// An RSK failed validation: <\[a\]P + Z, K> differs from g (RFC 6508 §6.1.2).
    RskValidation,
    /// The SSV hashes to r = 0 mod q, so R would be the point at infinity (RFC 6508
    /// §6.2.1; probability 2^-1021).
    DegenerateSsv,
    /// Encapsulated data failed the receiver's check: the SSV recovered does not
    /// re-encapsulate to the R received (RFC 6508 §6.2.2 step 5).
    Decapsulation,
    /// The entropy source gave no value in range after repeated attempts.
    EntropyExhausted,
}

impl fmt::Display for SakkeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SakkeError::InvalidLength(e) => write!(f, "SAKKE {e}"),
            SakkeError::InvalidPoint { what, reason } => {
                write!(f, "SAKKE {what}: invalid point: {reason}")
            }
            SakkeError::NotInSubgroup { what } => {
                write!(f, "SAKKE {what}: point is not of order q")
            }
            SakkeError::InvalidIdentifier => {
                f.write_str("SAKKE identifier is not an integer in 2..q-1")
            }
            SakkeError::InvalidMasterSecret => {
                f.write_str("SAKKE master secret is not an integer in 2..q-1")
            }
            SakkeError::DegenerateIdentifier => {
                f.write_str("SAKKE identifier + master secret = 0 mod q: no RSK exists")
            }
            SakkeError::RskValidation => {
                f.write_str("SAKKE RSK validation failed: <[a]P + Z, RSK> != g")
            }
            SakkeError::DegenerateSsv => f.write_str("SAKKE SSV hashes to r = 0"),
            SakkeError::Decapsulation => {
                f.write_str("SAKKE decapsulation failed: the re-encapsulation check differs")
            }
            SakkeError::EntropyExhausted => f.write_str("entropy source gave no value in range"),
        }
    }
}

impl std::error::Error for SakkeError {}
