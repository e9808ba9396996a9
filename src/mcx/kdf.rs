//! The key derivation function of 3GPP TS 33.220 Annex B.1 as TS 33.180 Annex F uses it:
//! `HMAC-SHA-256(Key, S)` with `S = FC || P0 || L0 || P1 || L1 || ...`, each `Li` the
//! 2-octet big-endian length of `Pi` (B.1.2), non-negative integers encoded in the fewest
//! octets (B.2.1.3).
//!
//! ```
//! use mikey::mcx::kdf::kdf;
//! let out = kdf(b"key", 0x53, &[&[0xde, 0xad, 0xba, 0xad]]).unwrap();
//! assert_eq!(out.len(), 32);
//! ```

use super::error::McxError;
use crate::crypto::SecretBytes;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

/// Largest parameter the 2-octet length `Li` can describe (TS 33.220 B.1.2).
pub const MAX_PARAM_LEN: usize = u16::MAX as usize;

/// Writes the input string `S = FC || P0 || L0 || ...` of TS 33.220 B.1.2 to `put`.
fn feed(fc: u8, params: &[&[u8]], mut put: impl FnMut(&[u8])) -> Result<(), McxError> {
    put(&[fc]);
    for p in params {
        let len = u16::try_from(p.len()).map_err(|_| McxError::TooLong {
            field: "KDF parameter (TS 33.220 B.1.2)",
            len: p.len(),
            max: MAX_PARAM_LEN,
        })?;
        put(p);
        put(&len.to_be_bytes());
    }
    Ok(())
}

/// `KDF(key, S)` of TS 33.220 Annex B.1 with HMAC-SHA-256: 32 octets.
pub fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Result<SecretBytes, McxError> {
    // HMAC accepts keys of any length: this cannot fail.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| McxError::Invalid {
            what: "KDF",
            field: "Key",
            expected: "an HMAC-SHA-256 key",
        })?;
    feed(fc, params, |b| mac.update(b))?;
    let mut out = mac.finalize().into_bytes();
    let secret = SecretBytes::from_slice(&out);
    out.as_mut_slice().zeroize();
    Ok(secret)
}

/// The hash variant used for the MIKEY-SAKKE UID (TS 33.180 F.2.1): `SHA-256(S)` with `S`
/// encoded exactly as for [`kdf`].
pub fn hash_s(fc: u8, params: &[&[u8]]) -> Result<[u8; 32], McxError> {
    use sha2::Digest;
    let mut h = Sha256::new();
    feed(fc, params, |b| h.update(b))?;
    Ok(h.finalize().into())
}

/// A non-negative integer as a KDF parameter (TS 33.220 B.2.1.3): big-endian in the fewest
/// octets, zero as one octet 0x00. Returns the buffer and the used length.
pub fn uint_param(v: u64) -> ([u8; 8], usize) {
    let b = v.to_be_bytes();
    let skip = (v.leading_zeros() / 8).min(7) as usize;
    let mut out = [0u8; 8];
    out[..8 - skip].copy_from_slice(&b[skip..]);
    (out, 8 - skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_the_fewest_octets() {
        let cases: [(u64, &[u8]); 5] = [
            (0, &[0]),
            (1, &[1]),
            (255, &[0xff]),
            (256, &[1, 0]),
            (16_777_215, &[0xff, 0xff, 0xff]),
        ];
        for (v, want) in cases {
            let (b, n) = uint_param(v);
            assert_eq!(&b[..n], want, "{v}");
        }
    }

    #[test]
    fn parameters_longer_than_the_length_field_are_refused() {
        let long = vec![0u8; MAX_PARAM_LEN + 1];
        let e = kdf(b"k", 0x50, &[&long]).unwrap_err();
        assert!(matches!(e, McxError::TooLong { len, .. } if len == MAX_PARAM_LEN + 1));
        assert!(hash_s(0, &[&long]).is_err());
        assert!(kdf(b"k", 0x50, &[&long[..MAX_PARAM_LEN]]).is_ok());
    }

    #[test]
    fn lengths_of_256_octets_and_more_use_both_octets() {
        // A 300-octet URI: L0 = 0x01 0x2c (an encoder that zeroes the high octet would
        // write 0x00 0x2c and derive another key).
        let p0 = [b'u'; 300];
        let mut s = vec![0x50];
        s.extend_from_slice(&p0);
        s.extend_from_slice(&[0x01, 0x2c]);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"gmk").unwrap();
        mac.update(&s);
        let want = mac.finalize().into_bytes();
        assert_eq!(kdf(b"gmk", 0x50, &[&p0]).unwrap().as_bytes(), &want[..]);
    }

    #[test]
    fn kdf_is_hmac_sha256_over_s() {
        // S written out by hand: FC, P0, L0, P1, L1.
        let s = [0x53, 0xaa, 0xbb, 0x00, 0x02, 0xcc, 0x00, 0x01];
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"key").unwrap();
        mac.update(&s);
        let want = mac.finalize().into_bytes();
        let got = kdf(b"key", 0x53, &[&[0xaa, 0xbb], &[0xcc]]).unwrap();
        assert_eq!(got.as_bytes(), &want[..]);
        use sha2::Digest;
        assert_eq!(
            hash_s(0x53, &[&[0xaa, 0xbb], &[0xcc]]).unwrap(),
            <[u8; 32]>::from(Sha256::digest(s))
        );
    }
}
