//! HashToIntegerRange(s, n, SHA-256) of RFC 6508 §5.1, for the two ranges SAKKE uses:
//! n = q (l = 4 hash blocks, 1024 bits reduced modulo q) and n = 2^128 (l = 1, the low
//! 128 bits of v_1).

use super::params::{reduce_q, SSV_LEN};
use crypto_bigint::U1024;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

const HASH_LEN: usize = 32;

/// v' = v_1 || ... || v_L of RFC 6508 §5.1 steps 1-5 for the octet string `parts`
/// concatenated: A = hash(s), h_i = hash(h_(i-1)), v_i = hash(h_i || A).
fn expand<const L: usize>(parts: &[&[u8]], out: &mut [u8]) {
    let mut hasher = Sha256::new();
    for p in parts {
        hasher.update(p);
    }
    let mut a: [u8; HASH_LEN] = hasher.finalize().into();
    let mut h = [0u8; HASH_LEN];
    for block in out.chunks_exact_mut(HASH_LEN).take(L) {
        h = Sha256::digest(h).into();
        let v = Sha256::new().chain_update(h).chain_update(a).finalize();
        block.copy_from_slice(&v);
    }
    a.zeroize();
    h.zeroize();
}

/// HashToIntegerRange(parts, q, SHA-256): l = Ceiling(lg(q)/256) = 4 (RFC 6508 §5.1).
/// Constant-time in the input values (the reduction is a Montgomery conversion).
pub(crate) fn to_q(parts: &[&[u8]]) -> U1024 {
    let mut v = [0u8; 4 * HASH_LEN];
    expand::<4>(parts, &mut v);
    let n = U1024::from_be_slice(&v);
    v.zeroize();
    reduce_q(&n)
}

/// HashToIntegerRange(s, 2^n, SHA-256) for n = 128 (l = 1): the last 16 octets of v_1
/// (RFC 6508 §5.1, §6.2.1 step 4b).
pub(crate) fn to_ssv_range(s: &[u8]) -> [u8; SSV_LEN] {
    let mut v = [0u8; HASH_LEN];
    expand::<1>(&[s], &mut v);
    let mut out = [0u8; SSV_LEN];
    out.copy_from_slice(&v[HASH_LEN - SSV_LEN..]);
    v.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::testdata::{value, RFC6508};

    #[test]
    fn rfc6508_hash_to_integer_range_example() {
        // RFC 6508 Appendix A, "HashToIntegerRange( M, q, SHA-256 ) example"
        let m = value(RFC6508, "M", 0);
        let mut v = [0u8; 4 * HASH_LEN];
        expand::<4>(&[&m], &mut v);
        let expected: Vec<u8> = ["v1", "v2", "v3", "v4"]
            .iter()
            .flat_map(|l| value(RFC6508, l, 0))
            .collect();
        assert_eq!(v.as_slice(), expected.as_slice());
        let r = to_q(&[&m[..16], &m[16..]]);
        let mut expected = [0u8; 128];
        expected.copy_from_slice(&value(RFC6508, "v mod q", 0));
        assert_eq!(r, U1024::from_be_slice(&expected));
    }
}
