//! The receiver of SAKKE (RFC 6508 §6.1.2, §6.2.2): its secret key (RSK), the check of the
//! RSK against the KMS public key, and decapsulation.

use super::fixed_base::{p_table, PointTable};
use super::kms::{Identifier, KmsPublicKey, ENCAPSULATED_LEN};
use super::pairing::MillerLines;
use super::params::G;
use super::point::{Affine, Projective, POINT_LEN};
use super::{hash, LengthError, SakkeError};
use crate::crypto::SecretBytes;
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A receiver secret key K_(b) = [(b + z)^-1]P (RFC 6508 §2.2, §6.1.1; 3GPP KMS key sets
/// carry it as `UserDecryptKey`). Zeroized on drop; `Debug` does not print it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Rsk {
    k: Affine,
}

impl fmt::Debug for Rsk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rsk(..)")
    }
}

impl Rsk {
    pub(crate) fn from_point(k: Affine) -> Rsk {
        Rsk { k }
    }

    /// Parses an RSK in uncompressed form 0x04 || x || y (RFC 6508 §4). Only the form and
    /// the curve equation are checked here; [`validate_rsk`] and [`Receiver::new`] check
    /// the key itself.
    ///
    /// # Errors
    /// [`SakkeError::InvalidLength`] or [`SakkeError::InvalidPoint`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Rsk, SakkeError> {
        Ok(Rsk {
            k: Affine::from_bytes(bytes, "RSK")?,
        })
    }

    /// The RSK in uncompressed form (257 octets).
    pub fn to_bytes(&self) -> SecretBytes {
        let mut b = self.k.to_bytes();
        let out = SecretBytes::from_slice(&b);
        b.zeroize();
        out
    }
}

/// [b]P + Z, the point every encapsulation to b is a multiple of.
fn receiver_point(kms: &KmsPublicKey, b: &Identifier) -> Result<Affine, SakkeError> {
    let q = p_table().mul(b.value()).add_affine(kms.point());
    q.to_affine()
        .into_option()
        .ok_or(SakkeError::DegenerateIdentifier)
}

/// Checks `rsk` for identifier `b` against the KMS public key (RFC 6508 §6.1.2): K has
/// order q and <[b]P + Z, K> = g. Returns K's Miller lines and [b]P + Z for reuse.
fn check(
    kms: &KmsPublicKey,
    b: &Identifier,
    rsk: &Rsk,
) -> Result<(MillerLines, Affine), SakkeError> {
    let (lines, in_subgroup) = MillerLines::prepare(&rsk.k);
    if !in_subgroup.to_bool() {
        return Err(SakkeError::NotInSubgroup { what: "RSK" });
    }
    let qb = receiver_point(kms, b)?;
    let w = lines.evaluate(&qb);
    if !w.is_some().and(w.as_inner_unchecked().ct_eq(&G)).to_bool() {
        return Err(SakkeError::RskValidation);
    }
    Ok((lines, qb))
}

/// Validates an RSK for identifier `b` against the KMS public key `kms` (RFC 6508 §6.1.2:
/// every user checks its RSK on receipt). Constant-time in the RSK.
///
/// # Errors
/// [`SakkeError::NotInSubgroup`] if the RSK is not of order q, [`SakkeError::RskValidation`]
/// if <[b]P + Z, K> differs from g, [`SakkeError::DegenerateIdentifier`] if [b]P + Z is
/// the identity.
pub fn validate_rsk(kms: &KmsPublicKey, b: &Identifier, rsk: &Rsk) -> Result<(), SakkeError> {
    check(kms, b, rsk).map(|_| ())
}

/// A SAKKE receiver: its identifier and validated RSK, prepared for decapsulation (the
/// RSK's Miller lines, 350 KB, zeroized on drop; the fixed-base table of [b]P + Z,
/// 840 KB). Building one validates the RSK and costs about ten decapsulations; keep it for
/// the key period.
pub struct Receiver {
    b: Identifier,
    lines: MillerLines,
    table: PointTable,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("identifier", &self.b)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// Validates `rsk` for identifier `b` against `kms` (as [`validate_rsk`]) and prepares
    /// it for decapsulation.
    ///
    /// # Errors
    /// As [`validate_rsk`].
    pub fn new(kms: &KmsPublicKey, b: Identifier, rsk: &Rsk) -> Result<Receiver, SakkeError> {
        let (lines, qb) = check(kms, &b, rsk)?;
        let table = PointTable::new(&Projective::from(qb)).ok_or(SakkeError::RskValidation)?;
        Ok(Receiver { b, lines, table })
    }

    /// The receiver's identifier.
    pub fn identifier(&self) -> &Identifier {
        &self.b
    }

    /// Recovers the SSV from encapsulated data R || H (RFC 6508 §6.2.2): w = <R, K>,
    /// SSV = H XOR HashToIntegerRange(w, 2^128), r = HashToIntegerRange(SSV || b, q), and
    /// the data is accepted only if [r]([b]P + Z) = R. Constant-time in the RSK and the
    /// SSV; every check but the form of R runs in full before the one decision.
    ///
    /// # Errors
    /// [`SakkeError::InvalidLength`] unless `data` is 273 octets, [`SakkeError::InvalidPoint`]
    /// if R is not a point of the curve, [`SakkeError::Decapsulation`] if the
    /// re-encapsulation check fails.
    pub fn decapsulate(&self, data: &[u8]) -> Result<SecretBytes, SakkeError> {
        if data.len() != ENCAPSULATED_LEN {
            return Err(SakkeError::InvalidLength(LengthError {
                what: "encapsulated data",
                expected: ENCAPSULATED_LEN,
                got: data.len(),
            }));
        }
        let big_r = Affine::from_bytes(&data[..POINT_LEN], "encapsulated R")?;
        let w = self.lines.evaluate(&big_r);
        let w_ok = w.is_some();
        let mut w_bytes = w.as_inner_unchecked().to_be_bytes();
        let mut ssv = hash::to_ssv_range(&w_bytes);
        w_bytes.zeroize();
        for (s, h) in ssv.iter_mut().zip(&data[POINT_LEN..]) {
            *s ^= h;
        }
        let mut r = hash::to_q(&[&ssv, self.b.as_bytes()]);
        let test = self.table.mul(&r);
        r.zeroize();
        let accepted = test.ct_eq_affine(&big_r).and(w_ok);
        let out = SecretBytes::from_slice(&ssv);
        ssv.zeroize();
        if accepted.to_bool() {
            Ok(out)
        } else {
            Err(SakkeError::Decapsulation)
        }
    }
}
