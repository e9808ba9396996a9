//! Diffie-Hellman in the MODP groups of MIKEY (RFC 3830 §3.3, §6.4 Table 6.4; RFC 4650 §3).
//!
//! | DH-Group | group | prime | private exponent |
//! |---|---|---|---|
//! | 0 | OAKLEY 5 | 1536 bits, RFC 3526 §2 | 256 bits |
//! | 1 | OAKLEY 1 | 768 bits, RFC 2409 §6.1 | 160 bits |
//! | 2 | OAKLEY 2 | 1024 bits, RFC 2409 §6.2 | 180 bits |
//!
//! All three primes are safe primes `p = 2q + 1` with generator 2 (RFC 2409 §6, RFC 3526
//! §2). Private exponents are *short* (RFC 3526 §8, RFC 2412 Appendix E): a random value of
//! exactly the width in the table (top bit set, so the exponent's length is public and the
//! exponentiation, constant time in the exponent's value, always costs the same), about twice
//! the symmetric strength each group is estimated to give (RFC 3526 §8: 1536 bits ≈ 90-120
//! bits; RFC 2409's 768 and 1024-bit groups less). Every exponentiation goes through
//! [`CryptoProvider::modexp`].
//!
//! A peer's public value `y` must satisfy `1 < y < p - 1` (RFC 2631 §2.1.5, NIST SP
//! 800-56A §5.6.2.3.1): 0, 1 and `p - 1` would force the shared secret into `{0, 1, p - 1}`.
//!
//! ```
//! use mikey::crypto::dh::{group, DhKeyPair};
//! use mikey::crypto::default_provider;
//! use mikey::crypto::OsEntropy;
//! use mikey::wire::DhGroup;
//!
//! let g = group(DhGroup::Oakley5).unwrap();
//! let a = DhKeyPair::generate(g, default_provider(), &mut OsEntropy).unwrap();
//! let b = DhKeyPair::generate(g, default_provider(), &mut OsEntropy).unwrap();
//! assert_eq!(a.public_value().len(), 192);
//! let k1 = a.agree(b.public_value(), default_provider()).unwrap();
//! let k2 = b.agree(a.public_value(), default_provider()).unwrap();
//! assert_eq!(k1, k2); // the TGK g^(xi*xr), RFC 3830 §3.3
//! assert!(g.check_public(&[0u8; 192]).is_err());
//! ```

use super::entropy::Entropy;
use super::{CryptoError, CryptoProvider, SecretBytes};
use crate::wire::DhGroup;
use core::cmp::Ordering;
use core::fmt;

/// A MODP Diffie-Hellman group (RFC 3830 §6.4 Table 6.4).
#[derive(Debug, PartialEq, Eq)]
pub struct ModpGroup {
    /// The DH-Group code of the DH payload (RFC 3830 §6.4).
    pub id: DhGroup,
    /// The prime `p`, big-endian, without leading zeros.
    pub prime: &'static [u8],
    /// The generator `g` (2 for every OAKLEY group, RFC 2409 §6.1, §6.2, RFC 3526 §2).
    pub generator: u8,
    /// Width in bits of the private exponents this crate generates (top bit always set).
    pub exponent_bits: usize,
}

/// Decodes a hex string (no separators) at compile time.
const fn hex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not hex"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 2 * N, "hex length");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// The 768-bit prime of the First Oakley Group (RFC 2409 §6.1):
/// `2^768 - 2^704 - 1 + 2^64 * (floor(2^638 * pi) + 149686)`.
static OAKLEY1_P: [u8; 96] = hex(concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF",
));

/// The 1024-bit prime of the Second Oakley Group (RFC 2409 §6.2):
/// `2^1024 - 2^960 - 1 + 2^64 * (floor(2^894 * pi) + 129093)`.
static OAKLEY2_P: [u8; 128] = hex(concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381",
    "FFFFFFFFFFFFFFFF",
));

/// The 1536-bit prime of MODP group 5 (RFC 3526 §2):
/// `2^1536 - 2^1472 - 1 + 2^64 * (floor(2^1406 * pi) + 741804)`.
static OAKLEY5_P: [u8; 192] = hex(concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF",
));

/// OAKLEY 5: 1536-bit MODP group of RFC 3526 §2 (DH-Group 0, mandatory, RFC 3830 §6.4).
pub static OAKLEY5: ModpGroup = ModpGroup {
    id: DhGroup::Oakley5,
    prime: &OAKLEY5_P,
    generator: 2,
    exponent_bits: 256,
};

/// OAKLEY 1: 768-bit MODP group of RFC 2409 §6.1 (DH-Group 1, RFC 3830 §6.4). Weak by
/// today's standards (precomputation attacks on 768-bit primes are practical): responders
/// refuse it unless configured otherwise.
pub static OAKLEY1: ModpGroup = ModpGroup {
    id: DhGroup::Oakley1,
    prime: &OAKLEY1_P,
    generator: 2,
    exponent_bits: 160,
};

/// OAKLEY 2: 1024-bit MODP group of RFC 2409 §6.2 (DH-Group 2, RFC 3830 §6.4).
pub static OAKLEY2: ModpGroup = ModpGroup {
    id: DhGroup::Oakley2,
    prime: &OAKLEY2_P,
    generator: 2,
    exponent_bits: 180,
};

/// The groups this crate knows, each naming its DH-Group code (RFC 3830 §6.4 Table 6.4).
pub static GROUPS: [&ModpGroup; 3] = [&OAKLEY5, &OAKLEY1, &OAKLEY2];

/// The group with this DH-Group code (RFC 3830 §6.4 Table 6.4), or `None` when unknown.
pub fn group(id: DhGroup) -> Option<&'static ModpGroup> {
    GROUPS.into_iter().find(|g| g.id == id)
}

impl ModpGroup {
    /// Length in bytes of a public value (the DH-value of the DH payload, RFC 3830 §6.4).
    pub fn value_len(&self) -> usize {
        self.prime.len()
    }

    /// Checks a peer's public value: `1 < y < p - 1` (RFC 2631 §2.1.5), `y` big-endian with
    /// at most [`value_len`](Self::value_len) bytes. Public data: not constant time.
    ///
    /// # Errors
    /// [`CryptoError::InvalidDhValue`] when out of range or too long.
    pub fn check_public(&self, y: &[u8]) -> Result<(), CryptoError> {
        let n = self.value_len();
        let start = y.iter().take_while(|&&b| b == 0).count();
        let y = &y[start..];
        if y.len() > n {
            return Err(CryptoError::InvalidDhValue);
        }
        // y > 1.
        if y.is_empty() || (y.len() == 1 && y[0] <= 1) {
            return Err(CryptoError::InvalidDhValue);
        }
        // y < p - 1: p is odd, so p - 1 only differs in the last byte.
        if y.len() < n {
            return Ok(());
        }
        let (last, head) = match self.prime.split_last() {
            Some(x) => x,
            None => return Err(CryptoError::InvalidDhValue),
        };
        let ord = y[..n - 1].cmp(head).then_with(|| y[n - 1].cmp(&(last - 1)));
        if ord == Ordering::Less {
            Ok(())
        } else {
            Err(CryptoError::InvalidDhValue)
        }
    }
}

/// A Diffie-Hellman key pair `(x, g^x mod p)` (RFC 3830 §3.3: `xi`/`xr` and `DHi`/`DHr`).
/// The private exponent is zeroized on drop and never printed.
pub struct DhKeyPair {
    group: &'static ModpGroup,
    private: SecretBytes,
    public: Vec<u8>,
}

impl fmt::Debug for DhKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhKeyPair")
            .field("group", &self.group.id)
            .field("private", &self.private)
            .field("public_len", &self.public.len())
            .finish()
    }
}

impl DhKeyPair {
    /// Generates a key pair: a random exponent of exactly `group.exponent_bits` bits from
    /// `rng`, and `g^x mod p` through `provider` (one private-key operation).
    ///
    /// # Errors
    /// The provider's [`CryptoError::InvalidModExpInput`] (not for the built-in groups).
    pub fn generate(
        group: &'static ModpGroup,
        provider: &dyn CryptoProvider,
        rng: &mut dyn Entropy,
    ) -> Result<Self, CryptoError> {
        let bits = group.exponent_bits;
        let mut x = SecretBytes::zeroed(bits.div_ceil(8));
        rng.fill(x.as_mut_bytes());
        let top = bits % 8;
        if let Some(first) = x.as_mut_bytes().first_mut() {
            if top != 0 {
                *first &= (1u8 << top) - 1;
                *first |= 1u8 << (top - 1);
            } else {
                *first |= 0x80;
            }
        }
        let public = provider.modexp(&[group.generator], &x, group.prime)?;
        Ok(Self {
            group,
            private: x,
            public: public.as_bytes().to_vec(),
        })
    }

    /// The group.
    pub fn group(&self) -> &'static ModpGroup {
        self.group
    }

    /// The public value `g^x mod p`, [`ModpGroup::value_len`] bytes (the DH-value field,
    /// RFC 3830 §6.4).
    pub fn public_value(&self) -> &[u8] {
        &self.public
    }

    /// The shared secret `peer^x mod p` = `g^(xi*xr)`, the TGK of RFC 3830 §3.3 and RFC 4650
    /// §3 ([`ModpGroup::value_len`] bytes). Checks the peer value first (one private-key
    /// operation when it is valid, none otherwise).
    ///
    /// # Errors
    /// [`CryptoError::InvalidDhValue`] when `peer` is outside `1 < y < p - 1`.
    pub fn agree(
        &self,
        peer: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<SecretBytes, CryptoError> {
        self.group.check_public(peer)?;
        provider.modexp(peer, &self.private, self.group.prime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{default_provider, CountingProvider, RustCryptoProvider};
    use crypto_bigint::BoxedUint;

    /// `floor(pi * 2^bits)` by Machin's formula `pi = 16 atan(1/5) - 4 atan(1/239)` in
    /// fixed point (base 2^32 limbs, most significant first, 64 guard bits): independent of
    /// the hex digits of the primes.
    fn pi_fixed(bits: usize) -> Vec<u8> {
        let guard = 64;
        let limbs = (bits + guard) / 32 + 2;
        let total = limbs * 32; // the fixed point: value * 2^(total - 32)
        type Big = Vec<u64>; // limbs of 32 bits stored in u64, index 0 most significant
        fn div_small(a: &mut Big, d: u64) {
            let mut rem = 0u64;
            for x in a.iter_mut() {
                let cur = (rem << 32) | *x;
                *x = cur / d;
                rem = cur % d;
            }
        }
        fn add(a: &mut Big, b: &Big) {
            let mut carry = 0u64;
            for i in (0..a.len()).rev() {
                let s = a[i] + b[i] + carry;
                a[i] = s & 0xFFFF_FFFF;
                carry = s >> 32;
            }
        }
        fn sub(a: &mut Big, b: &Big) {
            let mut borrow = 0i64;
            for i in (0..a.len()).rev() {
                let mut s = a[i] as i64 - b[i] as i64 - borrow;
                borrow = 0;
                if s < 0 {
                    s += 1 << 32;
                    borrow = 1;
                }
                a[i] = s as u64;
            }
        }
        fn is_zero(a: &Big) -> bool {
            a.iter().all(|&x| x == 0)
        }
        // atan(1/m) * mult = sum (-1)^k mult / ((2k+1) m^(2k+1)).
        let atan = |m: u64, mult: u64| -> Big {
            let mut sum = vec![0u64; limbs];
            let mut power = vec![0u64; limbs];
            power[0] = mult; // mult in the integer limb
            div_small(&mut power, m);
            let mut k = 0u64;
            loop {
                let mut term = power.clone();
                div_small(&mut term, 2 * k + 1);
                if is_zero(&term) {
                    break;
                }
                if k.is_multiple_of(2) {
                    add(&mut sum, &term);
                } else {
                    sub(&mut sum, &term);
                }
                div_small(&mut power, m * m);
                k += 1;
            }
            sum
        };
        let mut pi = atan(5, 16);
        sub(&mut pi, &atan(239, 4));
        let bytes: Vec<u8> = pi.iter().flat_map(|&x| (x as u32).to_be_bytes()).collect();
        // Shift right by (total - 32) - bits.
        let v = BoxedUint::from_be_slice_vartime(&bytes);
        let shift = (total - 32 - bits) as u32;
        strip(&v.shr_vartime(shift).unwrap().to_be_bytes())
    }

    fn strip(b: &[u8]) -> Vec<u8> {
        let n = b.iter().take_while(|&&x| x == 0).count();
        b[n..].to_vec()
    }

    fn big(b: &[u8], prec: u32) -> BoxedUint {
        BoxedUint::from_be_slice(&strip(b), prec).unwrap()
    }

    fn common_hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// `2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) pi) + k)`.
    fn structured_prime(n: usize, k: u64) -> Vec<u8> {
        let prec = (n + 64) as u32;
        let f = big(&pi_fixed(n - 130), prec).wrapping_add(big(&k.to_be_bytes(), prec));
        let one = BoxedUint::one_with_precision(prec);
        let p = one
            .shl_vartime(n as u32)
            .unwrap()
            .wrapping_sub(one.shl_vartime((n - 64) as u32).unwrap())
            .wrapping_sub(&one)
            .wrapping_add(f.shl_vartime(64).unwrap());
        strip(&p.to_be_bytes())
    }

    #[test]
    fn pi_is_right() {
        // floor(pi * 2^30) = 0xC90FDAA2 (the digits every Oakley prime starts with).
        assert_eq!(pi_fixed(30), vec![0xC9, 0x0F, 0xDA, 0xA2]);
        // floor(pi * 2^62) = 0xC90FDAA22168C234.
        assert_eq!(pi_fixed(62), common_hex("C90FDAA22168C234"));
    }

    #[test]
    fn primes_have_the_rfc_structure() {
        assert_eq!(structured_prime(768, 149686), OAKLEY1.prime);
        assert_eq!(structured_prime(1024, 129093), OAKLEY2.prime);
        assert_eq!(structured_prime(1536, 741804), OAKLEY5.prime);
        // The provider's own test constant for OAKLEY 5 agrees.
        assert_eq!(OAKLEY5.prime.len() * 8, 1536);
    }

    /// Miller-Rabin with fixed bases through the provider's modexp.
    fn probably_prime(n: &BoxedUint, rounds: &[u8]) -> bool {
        let prec = n.bits_precision();
        let nb = n.to_be_bytes();
        let start = nb.iter().take_while(|&&b| b == 0).count();
        let nb = &nb[start..];
        let one = BoxedUint::one_with_precision(prec);
        let n1 = n.wrapping_sub(&one);
        let s = n1.trailing_zeros();
        let d = n1.shr_vartime(s).unwrap();
        let n1b = n1.to_be_bytes()[start..].to_vec();
        for &a in rounds {
            let db = d.to_be_bytes()[start..].to_vec();
            let mut x = default_provider()
                .modexp(&[a], &SecretBytes::from(db), nb)
                .unwrap()
                .as_bytes()
                .to_vec();
            let is_one = |x: &[u8]| x.iter().rev().skip(1).all(|&b| b == 0) && x.last() == Some(&1);
            if is_one(&x) || x == n1b {
                continue;
            }
            let mut ok = false;
            for _ in 1..s {
                x = default_provider()
                    .modexp(&x, &SecretBytes::from_slice(&[2]), nb)
                    .unwrap()
                    .as_bytes()
                    .to_vec();
                if x == n1b {
                    ok = true;
                    break;
                }
            }
            if !ok {
                return false;
            }
        }
        true
    }

    #[test]
    fn primes_are_safe_primes() {
        for g in [&OAKLEY1, &OAKLEY2, &OAKLEY5] {
            let prec = (g.prime.len() * 8) as u32;
            let p = big(g.prime, prec);
            assert!(
                probably_prime(&p, &[2, 3, 5, 7, 11, 13, 17, 19]),
                "{:?}",
                g.id
            );
            let q = p.shr_vartime(1).unwrap();
            assert!(probably_prime(&q, &[3, 5, 7]), "{:?} (p-1)/2", g.id);
            // The test can fail: p - 2 is odd and composite (q is prime > 3, so q = 2 mod 3,
            // p = 2 mod 3 and 3 divides p - 2).
            let c = p.wrapping_sub(big(&[2], prec));
            assert!(!probably_prime(&c, &[2, 3, 5]), "{:?} p - 2", g.id);
        }
    }

    #[test]
    fn range_check() {
        for g in [&OAKLEY1, &OAKLEY2, &OAKLEY5] {
            let n = g.value_len();
            let p = g.prime.to_vec();
            let mut pm1 = p.clone();
            pm1[n - 1] -= 1;
            let mut pm2 = p.clone();
            pm2[n - 1] -= 2;
            let mut one = vec![0; n];
            one[n - 1] = 1;
            let mut two = vec![0; n];
            two[n - 1] = 2;
            for bad in [
                vec![0; n],
                one,
                pm1,
                p.clone(),
                vec![0xFF; n],
                vec![1; n + 1],
            ] {
                assert_eq!(g.check_public(&bad), Err(CryptoError::InvalidDhValue));
            }
            assert!(g.check_public(&[]).is_err());
            assert!(g.check_public(&two).is_ok());
            assert!(g.check_public(&[2]).is_ok());
            assert!(g.check_public(&pm2).is_ok());
        }
    }

    #[test]
    fn key_agreement_in_every_group_counts_one_op_per_exponentiation() {
        let prov = CountingProvider::new(RustCryptoProvider);
        let mut n = 0u8;
        let mut rng = |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_mul(31).wrapping_add(7);
                *x = n;
            }
        };
        for g in [&OAKLEY1, &OAKLEY2, &OAKLEY5] {
            let before = prov.private_ops();
            let a = DhKeyPair::generate(g, &prov, &mut rng).unwrap();
            let b = DhKeyPair::generate(g, &prov, &mut rng).unwrap();
            assert_eq!(a.private.len(), g.exponent_bits.div_ceil(8));
            // Exactly exponent_bits wide.
            let lead = a.private.as_bytes()[0];
            assert_eq!(
                8 - lead.leading_zeros() as usize,
                (g.exponent_bits - 1) % 8 + 1
            );
            assert!(g.check_public(a.public_value()).is_ok());
            let k1 = a.agree(b.public_value(), &prov).unwrap();
            let k2 = b.agree(a.public_value(), &prov).unwrap();
            assert_eq!(k1, k2);
            assert_eq!(k1.len(), g.value_len());
            assert_eq!(prov.private_ops() - before, 4);
            // A bad peer value costs nothing.
            assert_eq!(
                a.agree(&[1], &prov).unwrap_err(),
                CryptoError::InvalidDhValue
            );
            assert_eq!(prov.private_ops() - before, 4);
            assert!(!format!("{a:?}").contains(&format!("{:?}", a.private.as_bytes())));
        }
        assert!(group(DhGroup::Unknown(14)).is_none());
    }
}
