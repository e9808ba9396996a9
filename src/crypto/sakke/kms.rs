//! The KMS and the sender of SAKKE (RFC 6508 §6.1, §6.2.1): identifiers, the master
//! secret z, the KMS public key Z = \[z\]P and encapsulation of an SSV to an identifier.

use super::fixed_base::{p_table, PointTable};
use super::fp::FP_LEN;
use super::gt::g_table;
use super::params::{inv_sum_mod_q, mul_mod_q, Q, Q_BITS, SSV_LEN};
use super::point::{Affine, Projective, POINT_LEN};
use super::receiver::Rsk;
use super::{hash, SakkeError, DRAW_ATTEMPTS};
use crate::crypto::{Entropy, SecretBytes};
use core::fmt;
use crypto_bigint::{CtLt, U1024};
use std::sync::{Arc, OnceLock};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The length of SAKKE encapsulated data R || H for parameter set 1: 2L + n/8 + 1 = 273
/// octets (RFC 6508 §4).
pub const ENCAPSULATED_LEN: usize = POINT_LEN + SSV_LEN;

/// A SAKKE identifier: an octet string read as a big-endian integer in the range 2 to
/// q - 1 (RFC 6508 §2.2). MIKEY-SAKKE for 3GPP uses the 32-octet UID of TS 33.180 F.2.1;
/// RFC 6509 §3.2 a tel URI with a month. The octets themselves enter the hash of
/// RFC 6508 §6.2.1 step 2 (SSV || b).
#[derive(Clone, PartialEq, Eq)]
pub struct Identifier {
    bytes: Vec<u8>,
    value: U1024,
}

impl Identifier {
    /// Takes the identifier octets (1 to 128 of them, RFC 6508 §2.2).
    ///
    /// # Errors
    /// [`SakkeError::InvalidIdentifier`] for an empty or longer string, or a value outside
    /// 2..q-1.
    pub fn new(bytes: &[u8]) -> Result<Identifier, SakkeError> {
        let value = uint_from_be(bytes).ok_or(SakkeError::InvalidIdentifier)?;
        if bytes.is_empty() || value < U1024::from_u8(2) || value >= Q {
            return Err(SakkeError::InvalidIdentifier);
        }
        Ok(Identifier {
            bytes: bytes.to_vec(),
            value,
        })
    }

    /// The identifier octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn value(&self) -> &U1024 {
        &self.value
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identifier({} octets)", self.bytes.len())
    }
}

/// A big-endian integer of at most 128 octets.
fn uint_from_be(bytes: &[u8]) -> Option<U1024> {
    let pad = FP_LEN.checked_sub(bytes.len())?;
    let mut buf = [0u8; FP_LEN];
    buf[pad..].copy_from_slice(bytes);
    let n = U1024::from_be_slice(&buf);
    buf.zeroize();
    Some(n)
}

/// The KMS master secret z, an integer in 2..q-1 (RFC 6508 §2.2, §6.1). Zeroized on
/// drop; `Debug` does not print it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecret {
    z: U1024,
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(..)")
    }
}

impl MasterSecret {
    /// Chooses z at random in 2..q-1 (RFC 6508 §6.1), from `entropy`.
    ///
    /// # Errors
    /// [`SakkeError::EntropyExhausted`] if 64 draws all fall outside the range.
    pub fn generate(entropy: &mut dyn Entropy) -> Result<MasterSecret, SakkeError> {
        let mut buf = [0u8; FP_LEN];
        for _ in 0..DRAW_ATTEMPTS {
            entropy.fill(&mut buf);
            buf[0] &= 0xff >> (8 * FP_LEN as u32 - Q_BITS);
            let candidate = U1024::from_be_slice(&buf);
            buf.zeroize();
            if let Ok(secret) = MasterSecret::from_uint(candidate) {
                return Ok(secret);
            }
        }
        Err(SakkeError::EntropyExhausted)
    }

    /// Reads z from big-endian octets (at most 128).
    ///
    /// # Errors
    /// [`SakkeError::InvalidMasterSecret`] if the value is outside 2..q-1 or too long.
    pub fn from_bytes(bytes: &[u8]) -> Result<MasterSecret, SakkeError> {
        let z = uint_from_be(bytes).ok_or(SakkeError::InvalidMasterSecret)?;
        MasterSecret::from_uint(z)
    }

    fn from_uint(mut z: U1024) -> Result<MasterSecret, SakkeError> {
        let in_range = U1024::ONE.ct_lt(&z).and(z.ct_lt(&Q));
        if !in_range.to_bool() {
            z.zeroize();
            return Err(SakkeError::InvalidMasterSecret);
        }
        Ok(MasterSecret { z })
    }

    /// z as 128 big-endian octets.
    pub fn to_bytes(&self) -> SecretBytes {
        SecretBytes::from_slice(self.z.to_be_bytes().as_slice())
    }

    /// The KMS public key Z = \[z\]P (RFC 6508 §6.1), computed in constant time.
    pub fn public_key(&self) -> KmsPublicKey {
        let z = p_table().mul(&self.z).to_affine();
        // z is in 2..q-1 and P has order q: [z]P is never the identity.
        KmsPublicKey::from_point(z.into_option().unwrap_or_default())
    }

    /// The RSK K_(a) = \[(a + z)^-1\]P of identifier `a` (RFC 6508 §6.1.1), constant-time.
    ///
    /// # Errors
    /// [`SakkeError::DegenerateIdentifier`] if a + z = 0 mod q.
    pub fn issue_rsk(&self, a: &Identifier) -> Result<Rsk, SakkeError> {
        let inv = inv_sum_mod_q(a.value(), &self.z);
        if !inv.is_some().to_bool() {
            return Err(SakkeError::DegenerateIdentifier);
        }
        let mut inv = inv.unwrap_or(U1024::ZERO);
        let k = p_table().mul(&inv).to_affine();
        inv.zeroize();
        Ok(Rsk::from_point(k.into_option().unwrap_or_default()))
    }
}

/// A KMS public key Z = \[z\]P (RFC 6508 §2.2), a point of order q, with the fixed-base table
/// that makes encapsulation fast (built at the first encapsulation, or by
/// [`KmsPublicKey::precompute`]; 1.4 MB, shared by clones).
#[derive(Clone)]
pub struct KmsPublicKey {
    z: Affine,
    table: OnceLock<Arc<PointTable>>,
}

impl fmt::Debug for KmsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsPublicKey").finish_non_exhaustive()
    }
}

impl KmsPublicKey {
    fn from_point(z: Affine) -> KmsPublicKey {
        KmsPublicKey {
            z,
            table: OnceLock::new(),
        }
    }

    /// Parses Z from its uncompressed form 0x04 || x || y (RFC 6508 §4; 3GPP KMS
    /// certificates carry it as `PubEncKey`) and checks that it is a point of order q.
    ///
    /// # Errors
    /// [`SakkeError::InvalidLength`] or [`SakkeError::InvalidPoint`] for a malformed point,
    /// [`SakkeError::NotInSubgroup`] if \[q\]Z is not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<KmsPublicKey, SakkeError> {
        let z = Affine::from_bytes(bytes, "KMS public key Z")?;
        if !Projective::from(z).mul_public(&Q).is_identity().to_bool() {
            return Err(SakkeError::NotInSubgroup {
                what: "KMS public key Z",
            });
        }
        Ok(KmsPublicKey::from_point(z))
    }

    /// Z in uncompressed form (257 octets).
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.z.to_bytes()
    }

    pub(crate) fn point(&self) -> &Affine {
        &self.z
    }

    /// Builds the fixed-base table of Z now rather than at the first encapsulation.
    pub fn precompute(&self) {
        let _ = self.table();
    }

    fn table(&self) -> &PointTable {
        self.table.get_or_init(|| {
            // Z has order q (checked or computed), so no entry is the identity.
            Arc::new(PointTable::new(&Projective::from(self.z)).unwrap_or_else(PointTable::empty))
        })
    }

    /// \[r\](\[b\]P + Z) for a secret `r` below q, as \[rb\]P + \[r\]Z with the fixed-base
    /// tables of P and Z (two constant-time table multiplications, 2 x 171 mixed additions).
    pub(crate) fn receiver_multiple(&self, b: &Identifier, r: &U1024) -> Projective {
        let mut rb = mul_mod_q(r, b.value());
        let out = p_table().mul(&rb).add(&self.table().mul(r));
        rb.zeroize();
        out
    }

    /// Encapsulates `ssv` to identifier `b` (RFC 6508 §6.2.1): r = HashToIntegerRange(SSV ||
    /// b, q), R = \[r\](\[b\]P + Z) computed as \[rb\]P + \[r\]Z, H = SSV XOR
    /// HashToIntegerRange(g^r, 2^128). Constant-time in the SSV.
    ///
    /// # Errors
    /// [`SakkeError::DegenerateSsv`] if r = 0 (probability 2^-1021).
    pub fn encapsulate(
        &self,
        b: &Identifier,
        ssv: &[u8; SSV_LEN],
    ) -> Result<EncapsulatedData, SakkeError> {
        let mut r = hash::to_q(&[ssv, b.as_bytes()]);
        let big_r = self.receiver_multiple(b, &r).to_affine();
        let gr = g_table().pow(&r);
        r.zeroize();
        let big_r = big_r.into_option().ok_or(SakkeError::DegenerateSsv)?;
        let mut g_r = gr.to_inner_unchecked().to_be_bytes();
        let mask = hash::to_ssv_range(&g_r);
        g_r.zeroize();
        let mut out = [0u8; ENCAPSULATED_LEN];
        out[..POINT_LEN].copy_from_slice(&big_r.to_bytes());
        for (o, (s, m)) in out[POINT_LEN..].iter_mut().zip(ssv.iter().zip(&mask)) {
            *o = s ^ m;
        }
        Ok(EncapsulatedData(out))
    }

    /// Chooses a random SSV (RFC 6508 §6.2.1 step 1) from `entropy` and encapsulates it to
    /// `b`; returns the SSV and the encapsulated data.
    ///
    /// # Errors
    /// As [`KmsPublicKey::encapsulate`].
    pub fn encapsulate_random(
        &self,
        b: &Identifier,
        entropy: &mut dyn Entropy,
    ) -> Result<(SecretBytes, EncapsulatedData), SakkeError> {
        let mut ssv = [0u8; SSV_LEN];
        entropy.fill(&mut ssv);
        let data = self.encapsulate(b, &ssv);
        let secret = SecretBytes::from_slice(&ssv);
        ssv.zeroize();
        Ok((secret, data?))
    }
}

/// SAKKE encapsulated data R_(b,S) || H (RFC 6508 §4, §6.2.1 step 5): 273 octets for
/// parameter set 1; the SAKKE payload of RFC 6509 §4.2 carries them.
#[derive(Clone, PartialEq, Eq)]
pub struct EncapsulatedData([u8; ENCAPSULATED_LEN]);

impl EncapsulatedData {
    /// The octets R || H.
    pub fn as_bytes(&self) -> &[u8; ENCAPSULATED_LEN] {
        &self.0
    }
}

impl fmt::Debug for EncapsulatedData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EncapsulatedData({ENCAPSULATED_LEN} octets)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::testdata::{value, RFC6508};

    fn fixed<const N: usize>(label: &str, nth: usize) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&value(RFC6508, label, nth));
        out
    }

    #[test]
    fn rfc6508_sender_intermediate_values() {
        // RFC 6508 Appendix A, "Creating Encapsulated Data": r, g^r and the mask.
        let ssv: [u8; SSV_LEN] = fixed("SSV", 0);
        let b = value(RFC6508, "b", 0);
        let r = hash::to_q(&[&ssv, &b]);
        assert_eq!(
            r.to_be_bytes().as_slice(),
            value(RFC6508, "r", 1).as_slice()
        );
        let g_r = g_table().pow(&r).into_option().unwrap().to_be_bytes();
        assert_eq!(g_r, fixed::<FP_LEN>("g^r", 0));
        assert_eq!(hash::to_ssv_range(&g_r), fixed::<SSV_LEN>("mask", 0));
    }

    #[test]
    fn identifier_range() {
        assert!(Identifier::new(&[]).is_err());
        assert!(Identifier::new(&[1]).is_err());
        assert!(Identifier::new(&[2]).is_ok());
        assert!(Identifier::new(&[0xff; 129]).is_err());
        assert!(Identifier::new(Q.to_be_bytes().as_slice()).is_err());
        let below = Q.wrapping_sub(&U1024::ONE).to_be_bytes();
        assert!(Identifier::new(below.as_slice()).is_ok());
    }

    #[test]
    fn master_secret_range_and_draws() {
        assert_eq!(
            MasterSecret::from_bytes(&[1]).unwrap_err(),
            SakkeError::InvalidMasterSecret
        );
        assert!(MasterSecret::from_bytes(Q.to_be_bytes().as_slice()).is_err());
        assert!(MasterSecret::from_bytes(&[2]).is_ok());
        // An entropy source stuck on zero never yields a secret, and says so.
        let mut zeros = |b: &mut [u8]| b.fill(0);
        assert_eq!(
            MasterSecret::generate(&mut zeros).unwrap_err(),
            SakkeError::EntropyExhausted
        );
    }
}
