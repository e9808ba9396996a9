//! ECCSI, Elliptic Curve-Based Certificateless Signatures for Identity-Based Encryption
//! (RFC 6507), on NIST P-256 with SHA-256 as MIKEY-SAKKE uses it (RFC 6509 §2.1.1, §4.3:
//! the SIGN payload's S type 2). Cargo feature `sakke`.
//!
//! * KMS side: the secret [`Ksak`] and public [`Kpak`] = \[KSAK\]G (RFC 6507 §4.2);
//!   [`Ksak::issue`] gives a user's secret signing key ([`Ssk`]) and public validation token
//!   ([`Pvt`]) for an identifier (§5.1.1).
//! * Signer: [`SigningKey::new`] validates an (SSK, PVT) pair against the KPAK and the
//!   signer's identifier before use (§5.1.2) and keeps HS; [`SigningKey::sign`] gives the
//!   129-octet signature r || s || PVT (§5.2.1).
//! * Verifier: [`Kpak::verify`] (§5.2.2), which rejects out-of-range r and s and a PVT off
//!   the curve before any scalar multiplication.
//!
//! Points travel uncompressed with the 0x04 prefix (RFC 6507 §3.2), as the KMS documents of
//! 3GPP TS 33.180 carry them. Secret values (KSAK, SSK, the ephemerals v and j) are used only
//! in `p256`'s constant-time arithmetic and are zeroized on drop.
//!
//! ```
//! use mikey::crypto::eccsi::Ksak;
//! use mikey::crypto::OsEntropy;
//!
//! let ksak = Ksak::generate(&mut OsEntropy).unwrap();
//! let kpak = ksak.kpak();
//! let id = b"2011-02\0tel:+447700900123\0";
//! let (ssk, pvt) = ksak.issue(id, &mut OsEntropy).unwrap();
//!
//! let signer = mikey::crypto::eccsi::SigningKey::new(&kpak, id, &ssk, &pvt).unwrap();
//! let signature = signer.sign(b"message", &mut OsEntropy).unwrap();
//! assert!(kpak.verify(id, b"message", &signature).is_ok());
//! assert!(kpak.verify(id, b"massage", &signature).is_err());
//! ```

use crate::crypto::sakke::LengthError;
use crate::crypto::{Entropy, SecretBytes};
use core::fmt;
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::{LinearCombination, MulVartime, Reduce};
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// N = Ceiling(n/8) = 32: the octets of an integer or field element (RFC 6507 §4.1).
pub const N: usize = 32;

/// The length of an uncompressed point, 2N + 1 = 65 octets (RFC 6507 §3.2).
pub const POINT_LEN: usize = 2 * N + 1;

/// The length of a signature r || s || PVT, 4N + 1 = 129 octets (RFC 6507 §3.3).
pub const SIGNATURE_LEN: usize = 4 * N + 1;

/// The field prime p of P-256 (RFC 6507 Appendix A).
const P: U256 =
    U256::from_be_hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");

/// How many random draws a value may take to land in its range before the entropy source
/// is taken to be broken (each draw succeeds with probability about 1 - 2^-32).
const DRAW_ATTEMPTS: usize = 64;

/// Errors of ECCSI (RFC 6507) operations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EccsiError {
    /// An octet string had the wrong length (points 65, integers 32, signatures 129 octets).
    InvalidLength(LengthError),
    /// An octet string is not a point of the curve in uncompressed form (RFC 6507 §3.2,
    /// §4.2, §5.1.2 step 1, §5.2.2 step 1).
    InvalidPoint {
        /// What was being parsed.
        what: &'static str,
    },
    /// A secret integer is not in 1..q-1 (KSAK, RFC 6507 §4.2; SSK, §5.1.1).
    InvalidScalar {
        /// Which value.
        what: &'static str,
    },
    /// KPAK != \[SSK\]G - \[HS\]PVT: the SSK and PVT do not belong to this identifier under
    /// this KPAK (RFC 6507 §5.1.2 step 3).
    SskValidation,
    /// A signature's r is 0 modulo p or its s is 0 modulo q: rejected before any
    /// computation (RFC 6507 §5.2.2 step 6 requires Jx = r mod p non-zero; s = 0 gives J = 0).
    SignatureOutOfRange,
    /// The signature does not verify: Jx != r mod p (RFC 6507 §5.2.2 step 6).
    BadSignature,
    /// The entropy source gave no usable value after repeated attempts.
    EntropyExhausted,
}

impl fmt::Display for EccsiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EccsiError::InvalidLength(e) => write!(f, "ECCSI {e}"),
            EccsiError::InvalidPoint { what } => {
                write!(f, "ECCSI {what}: not an uncompressed point of P-256")
            }
            EccsiError::InvalidScalar { what } => write!(f, "ECCSI {what}: not in 1..q-1"),
            EccsiError::SskValidation => {
                f.write_str("ECCSI SSK validation failed: KPAK != [SSK]G - [HS]PVT")
            }
            EccsiError::SignatureOutOfRange => {
                f.write_str("ECCSI signature out of range (r = 0 mod p or s = 0 mod q)")
            }
            EccsiError::BadSignature => f.write_str("ECCSI signature verification failed"),
            EccsiError::EntropyExhausted => f.write_str("entropy source gave no value in range"),
        }
    }
}

impl std::error::Error for EccsiError {}

fn fixed<const L: usize>(bytes: &[u8], what: &'static str) -> Result<[u8; L], EccsiError> {
    bytes.try_into().map_err(|_| {
        EccsiError::InvalidLength(LengthError {
            what,
            expected: L,
            got: bytes.len(),
        })
    })
}

/// Parses 0x04 || x || y, a point of the curve other than the identity.
fn point_from_bytes(bytes: &[u8], what: &'static str) -> Result<AffinePoint, EccsiError> {
    let b: [u8; POINT_LEN] = fixed(bytes, what)?;
    if b[0] != 0x04 {
        return Err(EccsiError::InvalidPoint { what });
    }
    let x = FieldBytes::from(fixed::<N>(&b[1..1 + N], what)?);
    let y = FieldBytes::from(fixed::<N>(&b[1 + N..], what)?);
    Option::from(AffinePoint::from_coordinates(&x, &y)).ok_or(EccsiError::InvalidPoint { what })
}

fn point_to_bytes(p: &AffinePoint) -> [u8; POINT_LEN] {
    let mut out = [0u8; POINT_LEN];
    out[0] = 0x04;
    out[1..1 + N].copy_from_slice(&p.x());
    out[1 + N..].copy_from_slice(&p.y());
    out
}

/// An integer in 1..q-1 from 32 big-endian octets (constant-time in the value).
fn scalar_from_bytes(bytes: &[u8], what: &'static str) -> Result<Scalar, EccsiError> {
    let b: [u8; N] = fixed(bytes, what)?;
    let s = Scalar::from_repr(FieldBytes::from(b));
    let ok = s.is_some() & !s.unwrap_or(Scalar::ZERO).is_zero();
    if bool::from(ok) {
        Ok(s.unwrap_or(Scalar::ZERO))
    } else {
        Err(EccsiError::InvalidScalar { what })
    }
}

/// A random ephemeral in 1..q-1 (v of RFC 6507 §5.1.1 step 1, j of §5.2.1 step 1): 32
/// octets from `entropy` taken as a big-endian integer, drawn again if out of range.
fn draw_scalar(entropy: &mut dyn Entropy) -> Result<Scalar, EccsiError> {
    let mut buf = [0u8; N];
    for _ in 0..DRAW_ATTEMPTS {
        entropy.fill(&mut buf);
        let s = scalar_from_bytes(&buf, "ephemeral");
        buf.zeroize();
        if let Ok(s) = s {
            return Ok(s);
        }
    }
    Err(EccsiError::EntropyExhausted)
}

/// An N-octet hash value as an integer modulo q.
fn reduce(bytes: &[u8; N]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*bytes))
}

/// HS = hash(G || KPAK || ID || PVT) (RFC 6507 §5.1.1 step 3).
fn hs(kpak: &AffinePoint, id: &[u8], pvt: &AffinePoint) -> [u8; N] {
    Sha256::new()
        .chain_update(point_to_bytes(&AffinePoint::GENERATOR))
        .chain_update(point_to_bytes(kpak))
        .chain_update(id)
        .chain_update(point_to_bytes(pvt))
        .finalize()
        .into()
}

/// HE = hash(HS || r || M) (RFC 6507 §5.2.1 step 3).
fn he(hs: &[u8; N], r: &[u8; N], message: &[u8]) -> [u8; N] {
    Sha256::new()
        .chain_update(hs)
        .chain_update(r)
        .chain_update(message)
        .finalize()
        .into()
}

/// The KMS Secret Authentication Key, a secret integer in 1..q-1 (RFC 6507 §4.2).
/// Zeroized on drop; `Debug` does not print it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Ksak(Scalar);

impl fmt::Debug for Ksak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ksak(..)")
    }
}

impl Ksak {
    /// Chooses a KSAK at random (RFC 6507 §4.2).
    ///
    /// # Errors
    /// [`EccsiError::EntropyExhausted`] if the entropy source keeps giving values out of range.
    pub fn generate(entropy: &mut dyn Entropy) -> Result<Ksak, EccsiError> {
        draw_scalar(entropy).map(Ksak)
    }

    /// Reads a KSAK from 32 big-endian octets.
    ///
    /// # Errors
    /// [`EccsiError::InvalidLength`], or [`EccsiError::InvalidScalar`] outside 1..q-1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ksak, EccsiError> {
        scalar_from_bytes(bytes, "KSAK").map(Ksak)
    }

    /// The KSAK as 32 big-endian octets.
    pub fn to_bytes(&self) -> SecretBytes {
        SecretBytes::from_slice(&self.0.to_bytes())
    }

    /// KPAK = \[KSAK\]G (RFC 6507 §4.2), computed in constant time.
    pub fn kpak(&self) -> Kpak {
        Kpak(ProjectivePoint::mul_by_generator(&self.0).to_affine())
    }

    /// Constructs an (SSK, PVT) pair for identifier `id` (RFC 6507 §5.1.1): v at random
    /// from `entropy`, PVT = \[v\]G, HS = hash(G || KPAK || ID || PVT), SSK = KSAK + HS v mod q,
    /// with a fresh v if SSK or HS is 0 mod q.
    ///
    /// # Errors
    /// [`EccsiError::EntropyExhausted`] if no usable v comes from `entropy`.
    pub fn issue(&self, id: &[u8], entropy: &mut dyn Entropy) -> Result<(Ssk, Pvt), EccsiError> {
        let kpak = self.kpak();
        for _ in 0..DRAW_ATTEMPTS {
            let mut v = draw_scalar(entropy)?;
            let pvt = ProjectivePoint::mul_by_generator(&v).to_affine();
            let hs = reduce(&hs(&kpak.0, id, &pvt));
            let ssk = self.0 + hs * v;
            v.zeroize();
            if !bool::from(ssk.is_zero() | hs.is_zero()) {
                return Ok((Ssk(ssk), Pvt(pvt)));
            }
        }
        Err(EccsiError::EntropyExhausted)
    }
}

/// The KMS Public Authentication Key KPAK = \[KSAK\]G, the root of trust for verification
/// (RFC 6507 §4.2; 3GPP KMS certificates carry it as `PubAuthKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kpak(AffinePoint);

impl Kpak {
    /// Parses a KPAK in uncompressed form, checking that it lies on the curve (RFC 6507
    /// §4.2: "each device MUST check that the supplied KPAK lies on the elliptic curve").
    ///
    /// # Errors
    /// [`EccsiError::InvalidLength`] or [`EccsiError::InvalidPoint`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Kpak, EccsiError> {
        point_from_bytes(bytes, "KPAK").map(Kpak)
    }

    /// The KPAK in uncompressed form (65 octets).
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        point_to_bytes(&self.0)
    }

    /// Verifies `signature` (r || s || PVT) over `message` by the signer with identifier `id`
    /// (RFC 6507 §5.2.2). The length, the ranges of r and s and the PVT's curve equation
    /// are checked before any scalar multiplication.
    ///
    /// # Errors
    /// [`EccsiError::InvalidLength`], [`EccsiError::SignatureOutOfRange`],
    /// [`EccsiError::InvalidPoint`] for a malformed signature; [`EccsiError::BadSignature`]
    /// if it does not verify.
    pub fn verify(&self, id: &[u8], message: &[u8], signature: &[u8]) -> Result<(), EccsiError> {
        let sig: [u8; SIGNATURE_LEN] = fixed(signature, "signature")?;
        let mut r = [0u8; N];
        r.copy_from_slice(&sig[..N]);
        let mut s_bytes = [0u8; N];
        s_bytes.copy_from_slice(&sig[N..2 * N]);
        // r mod p (r may exceed p, RFC 6507 §3.3) and s mod q must be non-zero.
        let r_int = U256::from_be_slice(&r);
        let r_mod_p = if r_int >= P {
            r_int.wrapping_sub(&P)
        } else {
            r_int
        };
        let s = reduce(&s_bytes);
        if r_mod_p == U256::ZERO || bool::from(s.is_zero()) {
            return Err(EccsiError::SignatureOutOfRange);
        }
        let pvt = point_from_bytes(&sig[2 * N..], "PVT")?;
        let hs = hs(&self.0, id, &pvt);
        let he = reduce(&he(&hs, &r, message));
        // Y = [HS]PVT + KPAK; J = [s]([HE]G + [r]Y) = [s HE]G + [s r HS]PVT + [s r]KPAK, one
        // multi-scalar multiplication (public values: variable time).
        let sr = s * reduce(&r);
        let j = ProjectivePoint::lincomb_vartime(&[
            (ProjectivePoint::GENERATOR, s * he),
            (ProjectivePoint::from(pvt), sr * reduce(&hs)),
            (ProjectivePoint::from(self.0), sr),
        ]);
        if bool::from(j.is_identity()) {
            return Err(EccsiError::BadSignature);
        }
        let jx = U256::from_be_slice(&j.to_affine().x());
        if jx == r_mod_p {
            Ok(())
        } else {
            Err(EccsiError::BadSignature)
        }
    }
}

/// A user's Secret Signing Key, an integer in 1..q-1 (RFC 6507 §5.1; 3GPP KMS key sets
/// carry it as `UserSigningKeySSK`). Zeroized on drop; `Debug` does not print it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Ssk(Scalar);

impl fmt::Debug for Ssk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssk(..)")
    }
}

impl Ssk {
    /// Reads an SSK from 32 big-endian octets.
    ///
    /// # Errors
    /// [`EccsiError::InvalidLength`], or [`EccsiError::InvalidScalar`] outside 1..q-1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ssk, EccsiError> {
        scalar_from_bytes(bytes, "SSK").map(Ssk)
    }

    /// The SSK as 32 big-endian octets.
    pub fn to_bytes(&self) -> SecretBytes {
        SecretBytes::from_slice(&self.0.to_bytes())
    }
}

/// A user's Public Validation Token, a point of the curve (RFC 6507 §5.1; 3GPP KMS key sets
/// carry it as `UserPubTokenPVT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pvt(AffinePoint);

impl Pvt {
    /// Parses a PVT in uncompressed form, checking that it lies on the curve (RFC 6507
    /// §5.1.2 step 1).
    ///
    /// # Errors
    /// [`EccsiError::InvalidLength`] or [`EccsiError::InvalidPoint`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Pvt, EccsiError> {
        point_from_bytes(bytes, "PVT").map(Pvt)
    }

    /// The PVT in uncompressed form (65 octets).
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        point_to_bytes(&self.0)
    }
}

/// A signer's validated key material: identifier, SSK, PVT and the HS they share
/// (RFC 6507 §5.1.2, §5.2.1).
#[derive(Clone)]
pub struct SigningKey {
    id: Vec<u8>,
    ssk: Ssk,
    pvt: Pvt,
    hs: [u8; N],
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id_len", &self.id.len())
            .field("pvt", &self.pvt)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Validates `ssk` and `pvt` for identifier `id` against `kpak` (RFC 6507 §5.1.2: the
    /// PVT is on the curve, HS = hash(G || KPAK || ID || PVT), KPAK = \[SSK\]G - \[HS\]PVT) and
    /// keeps them with HS for signing.
    ///
    /// # Errors
    /// [`EccsiError::SskValidation`] if the check fails.
    pub fn new(kpak: &Kpak, id: &[u8], ssk: &Ssk, pvt: &Pvt) -> Result<SigningKey, EccsiError> {
        let hs = hs(&kpak.0, id, &pvt.0);
        let check = ProjectivePoint::mul_by_generator(&ssk.0)
            - ProjectivePoint::from(pvt.0).mul_vartime(&reduce(&hs));
        if check.to_affine() != kpak.0 {
            return Err(EccsiError::SskValidation);
        }
        Ok(SigningKey {
            id: id.to_vec(),
            ssk: ssk.clone(),
            pvt: *pvt,
            hs,
        })
    }

    /// The signer's identifier.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The signer's PVT.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    /// HS = hash(G || KPAK || ID || PVT) (RFC 6507 §5.1.2 step 2).
    pub fn hs(&self) -> &[u8; N] {
        &self.hs
    }

    /// Signs `message` (RFC 6507 §5.2.1): j at random from `entropy` (32 octets read as a
    /// big-endian integer, drawn again if not in 1..q-1), J = \[j\]G, r = Jx,
    /// HE = hash(HS || r || M), s = (HE + r SSK)^-1 j mod q (a fresh j if HE + r SSK = 0),
    /// signature r || s || PVT. Constant-time in the SSK and j.
    ///
    /// # Errors
    /// [`EccsiError::EntropyExhausted`] if no usable j comes from `entropy`.
    pub fn sign(
        &self,
        message: &[u8],
        entropy: &mut dyn Entropy,
    ) -> Result<[u8; SIGNATURE_LEN], EccsiError> {
        for _ in 0..DRAW_ATTEMPTS {
            let mut j = draw_scalar(entropy)?;
            let mut r = [0u8; N];
            r.copy_from_slice(&ProjectivePoint::mul_by_generator(&j).to_affine().x());
            let he = reduce(&he(&self.hs, &r, message));
            let mut t = he + reduce(&r) * self.ssk.0;
            let inv = t.invert();
            let mut s = inv.unwrap_or(Scalar::ZERO) * j;
            let usable = bool::from(inv.is_some());
            j.zeroize();
            t.zeroize();
            if usable {
                let mut out = [0u8; SIGNATURE_LEN];
                out[..N].copy_from_slice(&r);
                out[N..2 * N].copy_from_slice(&s.to_bytes());
                out[2 * N..].copy_from_slice(&self.pvt.to_bytes());
                s.zeroize();
                return Ok(out);
            }
        }
        Err(EccsiError::EntropyExhausted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::testdata::{value, RFC6507};

    fn int(label: &str) -> [u8; N] {
        let v = value(RFC6507, label, 0);
        let mut out = [0u8; N];
        out[N - v.len()..].copy_from_slice(&v);
        out
    }

    fn point(label: &str) -> AffinePoint {
        point_from_bytes(&value(RFC6507, label, 0), "test point").unwrap()
    }

    #[test]
    fn rfc6507_intermediate_values() {
        // RFC 6507 Appendix A: J = [j]G, HE = hash(HS || r || M), s' and the verifier's Y.
        let j = scalar_from_bytes(&int("j"), "j").unwrap();
        let big_j = ProjectivePoint::mul_by_generator(&j).to_affine();
        assert_eq!(big_j, point("J"));
        let r: [u8; N] = big_j.x().into();
        assert_eq!(r, int("Jx"));
        let hs = int("HS");
        let m = value(RFC6507, "M", 0);
        assert_eq!(he(&hs, &r, &m), int("HE"));
        let ssk = scalar_from_bytes(&int("SSK"), "SSK").unwrap();
        let s = (reduce(&int("HE")) + reduce(&r) * ssk).invert().unwrap() * j;
        assert_eq!(<[u8; N]>::from(s.to_bytes()), int("s'"));
        let y = ProjectivePoint::from(point("PVT")).mul_vartime(&reduce(&hs)) + point("KPAK");
        assert_eq!(y.to_affine(), point("Y"));
    }
}
