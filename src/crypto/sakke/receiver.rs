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
use std::sync::OnceLock;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A receiver secret key K_(b) = \[(b + z)^-1\]P (RFC 6508 §2.2, §6.1.1; 3GPP KMS key sets
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

/// \[b\]P + Z, the point every encapsulation to b is a multiple of.
fn receiver_point(kms: &KmsPublicKey, b: &Identifier) -> Result<Affine, SakkeError> {
    let q = p_table().mul(b.value()).add_affine(kms.point());
    q.to_affine()
        .into_option()
        .ok_or(SakkeError::DegenerateIdentifier)
}

/// Checks `rsk` for identifier `b` against the KMS public key (RFC 6508 §6.1.2): K has
/// order q and <\[b\]P + Z, K> = g. Returns K's Miller lines and \[b\]P + Z for reuse.
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
/// if <\[b\]P + Z, K> differs from g, [`SakkeError::DegenerateIdentifier`] if \[b\]P + Z is
/// the identity.
pub fn validate_rsk(kms: &KmsPublicKey, b: &Identifier, rsk: &Rsk) -> Result<(), SakkeError> {
    check(kms, b, rsk).map(|_| ())
}

/// A SAKKE receiver: its identifier and validated RSK, prepared for decapsulation (the
/// RSK's Miller lines, 350 KB, zeroized on drop) with its KMS public key, whose fixed-base
/// table of Z (1.4 MB, shared with every clone of that key) serves the re-encapsulation
/// check of RFC 6508 §6.2.2 step 4 as \[rb\]P + \[r\]Z. Building one validates the RSK
/// (about four decapsulations, plus the table of Z if that key had none yet); keep it for the
/// key period. [`Receiver::precompute`] adds a table of \[b\]P + Z for this identity
/// (another 1.4 MB, about ten decapsulations once), which makes each decapsulation about
/// 1,900 multiplications cheaper.
pub struct Receiver {
    b: Identifier,
    lines: MillerLines,
    kms: KmsPublicKey,
    qb: Affine,
    table: OnceLock<PointTable>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("identifier", &self.b)
            .field("precomputed", &self.table.get().is_some())
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// Validates `rsk` for identifier `b` against `kms` (as [`validate_rsk`]) and prepares
    /// it for decapsulation (building the table of Z if `kms` had none yet).
    ///
    /// # Errors
    /// As [`validate_rsk`].
    pub fn new(kms: &KmsPublicKey, b: Identifier, rsk: &Rsk) -> Result<Receiver, SakkeError> {
        let (lines, qb) = check(kms, &b, rsk)?;
        // Built once in `kms` so that the clone shares it.
        kms.precompute();
        Ok(Receiver {
            b,
            lines,
            kms: kms.clone(),
            qb,
            table: OnceLock::new(),
        })
    }

    /// Builds the fixed-base table of \[b\]P + Z for this identity now (about 95,000
    /// multiplications and 1.4 MB, once): each later decapsulation then checks the
    /// re-encapsulation with one table multiplication instead of two. Worth it for an
    /// identity that opens more than about fifty messages in its key period. Idempotent.
    pub fn precompute(&self) {
        if self.table.get().is_none() {
            // [b]P + Z has order q (P and Z do), so the table always builds.
            if let Some(t) = PointTable::new(&Projective::from(self.qb)) {
                let _ = self.table.set(t);
            }
        }
    }

    /// The receiver's identifier.
    pub fn identifier(&self) -> &Identifier {
        &self.b
    }

    /// Recovers the SSV from encapsulated data R || H (RFC 6508 §6.2.2): w = <R, K>,
    /// SSV = H XOR HashToIntegerRange(w, 2^128), r = HashToIntegerRange(SSV || b, q), and
    /// the data is accepted only if \[r\](\[b\]P + Z) = R. Constant-time in the RSK and the
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
        let test = match self.table.get() {
            Some(table) => table.mul(&r),
            None => self.kms.receiver_multiple(&self.b, &r),
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::fp::count;
    use crate::crypto::sakke::testdata::{value, RFC6508};
    use crate::crypto::sakke::MasterSecret;

    fn rfc_point(x: &str, y: &str) -> Affine {
        let mut b = vec![0x04];
        b.extend(value(RFC6508, x, 0));
        b.extend(value(RFC6508, y, 0));
        Affine::from_bytes(&b, "test point").unwrap()
    }

    #[test]
    fn rfc6508_pairing_value() {
        // RFC 6508 Appendix A, receiver: w = <R_(b,S), K_(b,S)>, computed as <K, R>.
        let (lines, in_subgroup) = MillerLines::prepare(&rfc_point("Kbx", "Kby"));
        assert!(in_subgroup.to_bool());
        let w = lines
            .evaluate(&rfc_point("Rbx", "Rby"))
            .into_option()
            .unwrap();
        assert_eq!(w.to_be_bytes().as_slice(), value(RFC6508, "w", 0));
    }

    /// F_p multiplications and inversions `f` performs.
    fn cost(f: impl FnOnce()) -> (u64, u64) {
        let (m0, i0) = count::read();
        f();
        let (m1, i1) = count::read();
        (m1 - m0, i1 - i0)
    }

    #[test]
    fn secret_operations_run_one_fixed_sequence() {
        // The same sequence of F_p operations whatever the secret: the counts of every
        // operation on z, an RSK, an SSV or the r derived from it do not depend on them.
        let kms = [
            MasterSecret::from_bytes(&[3]).unwrap(),
            MasterSecret::from_bytes(&[0x5a; 100]).unwrap(),
        ];
        let ids = [
            Identifier::new(&[0x11; 32]).unwrap(),
            Identifier::new(b"2011-02\0tel:+447700900123\0").unwrap(),
        ];
        let z = kms[1].public_key();
        z.precompute();
        let public = kms.each_ref().map(|k| cost(|| drop(k.public_key())));
        assert_eq!(public[0], public[1]);
        let issue = ids
            .each_ref()
            .map(|b| cost(|| drop(kms[1].issue_rsk(b).unwrap())));
        assert_eq!(issue[0], issue[1]);

        let _ = crate::crypto::sakke::gt::g_table();
        let ssvs = [[0u8; 16], [0xff; 16], *b"0123456789abcdef"];
        let enc = ssvs
            .each_ref()
            .map(|s| cost(|| assert!(z.encapsulate(&ids[0], s).is_ok())));
        assert!(enc.iter().all(|c| *c == enc[0]), "{enc:?}");

        let rsk = kms[1].issue_rsk(&ids[0]).unwrap();
        let rx = Receiver::new(&z, ids[0].clone(), &rsk).unwrap();
        let good = z.encapsulate(&ids[0], &ssvs[2]).unwrap();
        let mut bad_h = *good.as_bytes();
        bad_h[ENCAPSULATED_LEN - 1] ^= 1;
        let other = z.encapsulate(&ids[1], &ssvs[2]).unwrap();
        let dec = [good.as_bytes(), &bad_h, other.as_bytes()].map(|d| {
            cost(|| {
                let _ = rx.decapsulate(d);
            })
        });
        assert!(dec.iter().all(|c| *c == dec[0]), "{dec:?}");
        assert!(rx.decapsulate(good.as_bytes()).is_ok());

        let rsk2 = kms[1].issue_rsk(&ids[1]).unwrap();
        let val = [&rsk, &rsk2].map(|k| cost(|| drop(validate_rsk(&z, &ids[0], k))));
        assert_eq!(val[0], val[1]);
        // Where the counts come from (171 signed base-64 digits; 1021 Miller steps, 352 of
        // them with an addition line). Encapsulation: two fixed-base multiplications of 11
        // per digit, their sum (12), g^r at 2 per digit, R to affine (2) and g^r's
        // representative (1); one inversion each for the last two.
        let digits = crate::crypto::sakke::fixed_base::DIGITS as u64;
        assert_eq!(enc[0], (2 * 11 * digits + 12 + 2 * digits + 2 + 1, 2));
        // Decapsulation: R's curve check (3), Q_y^2 (1), per Miller step the squaring (2),
        // the line (1) and its product (3), 3 more per addition line, the final fourth power
        // (4) and representative (1), then [r]([b]P + Z) as [rb]P + [r]Z (11 per digit
        // each, their sum 12) and the comparison (2).
        let pairing = 1 + 1021 * 6 + 352 * 3 + 4 + 1;
        assert_eq!(dec[0], (3 + pairing + 2 * 11 * digits + 12 + 2, 1));
        // With the identity's own table: one table multiplication (11 per digit), the same
        // sequence whatever the data, and the same answers.
        rx.precompute();
        let pre = [good.as_bytes(), &bad_h, other.as_bytes()].map(|d| {
            cost(|| {
                let _ = rx.decapsulate(d);
            })
        });
        assert!(pre.iter().all(|c| *c == pre[0]), "{pre:?}");
        assert_eq!(pre[0], (3 + pairing + 11 * digits + 2, 1));
        assert!(rx.decapsulate(good.as_bytes()).is_ok());
        assert!(rx.decapsulate(&bad_h).is_err());
        assert!(rx.decapsulate(other.as_bytes()).is_err());
    }
}
