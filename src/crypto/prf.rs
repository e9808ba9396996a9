//! The MIKEY pseudo-random function (RFC 3830 §4.1.2; RFC 6043 §6.1 for PRF func 1).

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::CryptoError;
use crate::wire::PrfFunc;

/// Size of one inkey chunk `s_i`: 256 bits (RFC 3830 §4.1.2; unchanged by RFC 6043 §6.1).
const INKEY_CHUNK: usize = 32;

/// The PRF selected by the HDR payload's `PRF func` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prf {
    /// PRF func 0, `MIKEY-1`: the default PRF of RFC 3830 §4.1.2 built on HMAC-SHA-1
    /// (160-bit output blocks).
    MikeyOne,
    /// PRF func 1, `PRF-HMAC-SHA-256` (RFC 6043 §6.1): the RFC 3830 §4.1.2 construction
    /// with HMAC-SHA-256 and 256-bit output blocks.
    HmacSha256,
}

impl Prf {
    /// Every PRF, in `PRF func` order.
    pub const ALL: [Prf; 2] = [Prf::MikeyOne, Prf::HmacSha256];

    /// The `PRF func` wire value (RFC 3830 §6.1, RFC 6043 §6.1 Table 6.3), from [`PrfFunc`].
    pub fn id(self) -> u8 {
        PrfFunc::from(self).to_wire()
    }

    /// Output block size of the underlying HMAC in bytes (the "160" of RFC 3830 §4.1.2,
    /// "256" for RFC 6043 §6.1).
    pub fn block_len(self) -> usize {
        match self {
            Prf::MikeyOne => 20,
            Prf::HmacSha256 => 32,
        }
    }
}

/// The one table between the PRFs and their `PRF func` codes (RFC 3830 §6.1; RFC 6043
/// §6.1 Table 6.3); every other conversion goes through it.
impl From<Prf> for PrfFunc {
    fn from(p: Prf) -> PrfFunc {
        match p {
            Prf::MikeyOne => PrfFunc::Mikey1,
            Prf::HmacSha256 => PrfFunc::HmacSha256,
        }
    }
}

impl TryFrom<PrfFunc> for Prf {
    type Error = CryptoError;

    /// The PRF of a `PRF func` code; an unknown one is [`CryptoError::UnsupportedAlgorithm`].
    fn try_from(f: PrfFunc) -> Result<Self, CryptoError> {
        Prf::ALL.into_iter().find(|p| PrfFunc::from(*p) == f).ok_or(
            CryptoError::UnsupportedAlgorithm {
                registry: "PRF func",
                value: f.to_wire(),
            },
        )
    }
}

impl TryFrom<u8> for Prf {
    type Error = CryptoError;

    /// Maps a `PRF func` wire value (RFC 3830 §6.1, RFC 6043 §6.1).
    fn try_from(value: u8) -> Result<Self, CryptoError> {
        PrfFunc::from_wire(value).try_into()
    }
}

/// The MIKEY PRF (RFC 3830 §4.1.2): `PRF(inkey, label)` of `out.len()` bytes into `out`.
/// The inkey is split into 256-bit pieces s_1..s_n and
/// `PRF = P(s_1, label, m) XOR ... XOR P(s_n, label, m)` with `P` the TLS-style HMAC
/// expansion (`A_0 = label`, `A_i = HMAC(s, A_{i-1})`, output blocks `HMAC(s, A_i || label)`).
/// PRF func 0 (MIKEY-1) uses HMAC-SHA-1, PRF func 1 HMAC-SHA-256 (RFC 6043 §6.1).
pub fn prf(prf: Prf, inkey: &[u8], label: &[u8], out: &mut [u8]) {
    PrfKey::new(prf, inkey).prf(label, out);
}

/// An inkey made ready for the PRF: the HMAC key schedule (the inner and outer padded key
/// blocks, RFC 2104 §2) of each of its 256-bit pieces, computed once. Every derivation from
/// the same key (the three message keys of RFC 3830 §4.1.4, the messages of a CSB, a group
/// member's messages) then starts from it: two SHA compressions fewer per HMAC. Holds
/// material as secret as the key; it is zeroized on drop (the `hmac` crate's `zeroize`).
#[derive(Clone)]
pub struct PrfKey {
    kind: Prf,
    empty: bool,
    pieces: Pieces,
}

#[derive(Clone)]
enum Pieces {
    /// Keys of at most 256 bits, the usual case: one piece, no allocation.
    OneSha1(Hmac<Sha1>),
    OneSha256(Hmac<Sha256>),
    Sha1(Vec<Hmac<Sha1>>),
    Sha256(Vec<Hmac<Sha256>>),
}

impl core::fmt::Debug for PrfKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PrfKey(..)")
    }
}

fn keyed<M: Mac + KeyInit>(s: &[u8]) -> M {
    // HMAC (RFC 2104 §2) accepts keys of any length, so this cannot fail.
    match <M as KeyInit>::new_from_slice(s) {
        Ok(m) => m,
        Err(_) => unreachable_hmac_key(),
    }
}

fn pieces<M: Mac + KeyInit>(inkey: &[u8]) -> Vec<M> {
    match inkey.is_empty() {
        true => vec![keyed(inkey)],
        false => inkey.chunks(INKEY_CHUNK).map(keyed).collect(),
    }
}

impl PrfKey {
    /// `inkey` made ready for `prf`.
    pub fn new(prf: Prf, inkey: &[u8]) -> Self {
        let one = inkey.len() <= INKEY_CHUNK;
        let pieces = match (prf, one) {
            (Prf::MikeyOne, true) => Pieces::OneSha1(keyed(inkey)),
            (Prf::HmacSha256, true) => Pieces::OneSha256(keyed(inkey)),
            (Prf::MikeyOne, false) => Pieces::Sha1(pieces(inkey)),
            (Prf::HmacSha256, false) => Pieces::Sha256(pieces(inkey)),
        };
        PrfKey {
            kind: prf,
            empty: inkey.is_empty(),
            pieces,
        }
    }

    /// The PRF it was made ready for.
    pub fn kind(&self) -> Prf {
        self.kind
    }

    /// Whether the key is empty (MIKEY-NULL's pre-shared key).
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// `PRF(inkey, label)` into `out` (see [`prf`]).
    pub fn prf(&self, label: &[u8], out: &mut [u8]) {
        out.fill(0);
        if out.is_empty() {
            return;
        }
        match &self.pieces {
            Pieces::OneSha1(k) => p_xor(k, label, out),
            Pieces::OneSha256(k) => p_xor(k, label, out),
            Pieces::Sha1(ks) => ks.iter().for_each(|k| p_xor(k, label, out)),
            Pieces::Sha256(ks) => ks.iter().for_each(|k| p_xor(k, label, out)),
        }
    }
}

fn p_xor<M: Mac + Clone>(keyed: &M, label: &[u8], out: &mut [u8]) {
    // A_1 = HMAC(s, A_0) with A_0 = label.
    let mut h = keyed.clone();
    h.update(label);
    let mut a = h.finalize().into_bytes();
    let mut blocks = out.chunks_mut(a.len()).peekable();
    while let Some(block) = blocks.next() {
        // HMAC(s, A_i || label)
        let mut h = keyed.clone();
        h.update(&a);
        h.update(label);
        let p = h.finalize().into_bytes();
        for (o, x) in block.iter_mut().zip(p.iter()) {
            *o ^= x;
        }
        if blocks.peek().is_some() {
            // A_(i+1) = HMAC(s, A_i)
            let mut h = keyed.clone();
            h.update(&a);
            a = h.finalize().into_bytes();
        }
    }
}

#[cold]
fn unreachable_hmac_key() -> ! {
    unreachable!("HMAC accepts keys of any length (RFC 2104 §2)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::derive::tgk_label;

    fn unhex(s: &str) -> Vec<u8> {
        let s = s.trim();
        assert!(s.len().is_multiple_of(2), "odd hex {s}");
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn parse_u32(s: &str) -> u32 {
        let s = s.trim();
        let s = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s);
        u32::from_str_radix(s, 16).expect("hex u32")
    }

    fn run(prf_kind: Prf, inkey: &[u8], label: &[u8], outlen: usize) -> Vec<u8> {
        let mut out = vec![0u8; outlen];
        prf(prf_kind, inkey, label, &mut out);
        out
    }

    /// 39 KATs for PRF func 0 (libmikey-computed; see the file header).
    #[test]
    fn kat_hmac_sha1_libmikey() {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testvectors/mikey-prf-hmac-sha1-libmikey-kat.txt"
        ));
        let full_inkey: Vec<u8> = (0..128u32).map(|i| ((i * 7 + 1) % 256) as u8).collect();
        let rand = [0x5au8; 16];
        let csb_id = 0x1234_5678;
        let mut count = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            let (constant, cs_id, inlen, outlen, expected) = match f.len() {
                3 => (0x2AD0_1C64, 0u8, f[0], f[1], f[2]),
                5 => (parse_u32(f[0]), parse_u32(f[1]) as u8, f[2], f[3], f[4]),
                n => panic!("unexpected row with {n} fields: {line}"),
            };
            let inlen: usize = inlen.parse().expect("inlen");
            let outlen: usize = outlen.parse().expect("outlen");
            let label = tgk_label(constant, cs_id, csb_id, &rand);
            let got = run(Prf::MikeyOne, &full_inkey[..inlen], &label, outlen);
            assert_eq!(got, unhex(expected), "row: {line}");
            count += 1;
        }
        assert_eq!(count, 39);
    }

    /// 14 KATs for PRF func 1 (Streamwide / Etherstack; see the file header).
    #[test]
    fn kat_hmac_sha256() {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testvectors/mikey-prf-hmac-sha256-kat.txt"
        ));
        let mut count = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("id |") {
                continue;
            }
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            assert_eq!(f.len(), 11, "row: {line}");
            let inkey = unhex(f[2]);
            let constant = parse_u32(f[3]);
            let cs_id = parse_u32(f[4]) as u8;
            let csb_id = parse_u32(f[5]);
            let rand = unhex(f[6]);
            let outlen: usize = f[7].parse().expect("outlen");
            let label = tgk_label(constant, cs_id, csb_id, &rand);
            assert_eq!(label, unhex(f[8]), "label of {}", f[0]);
            let got = run(Prf::HmacSha256, &inkey, &label, outlen);
            assert_eq!(got, unhex(f[9]), "row {}", f[0]);
            count += 1;
        }
        assert_eq!(count, 14);
    }

    #[test]
    fn prefix_property_and_edge_cases() {
        let label = [7u8; 25];
        for p in [Prf::MikeyOne, Prf::HmacSha256] {
            let long = run(p, &[1u8; 70], &label, 100);
            for n in [0, 1, 19, 20, 21, 32, 33, 64, 99] {
                assert_eq!(run(p, &[1u8; 70], &label, n), long[..n]);
            }
            // Empty inkey: one empty chunk, not an all-zero output.
            assert_ne!(run(p, &[], &label, 16), vec![0u8; 16]);
        }
    }

    #[test]
    fn prf_ids() {
        assert_eq!(Prf::try_from(0), Ok(Prf::MikeyOne));
        assert_eq!(Prf::try_from(1), Ok(Prf::HmacSha256));
        assert!(Prf::try_from(2).is_err());
        assert_eq!(Prf::HmacSha256.id(), 1);
        // One table: every known code maps back to itself, unknown ones survive as codes.
        use crate::wire::PrfFunc;
        for v in 0..=u8::MAX {
            let f = PrfFunc::from_wire(v);
            assert_eq!(f.to_wire(), v);
            match Prf::try_from(f) {
                Ok(p) => assert_eq!((PrfFunc::from(p), p.id()), (f, v)),
                Err(_) => assert!(f.is_unknown()),
            }
        }
        // The SIGN S type of each signature scheme, and the default scheme of each S type.
        use crate::crypto::SignatureScheme as S;
        for s in [
            S::RsaPkcs1Sha256,
            S::RsaPkcs1Sha1,
            S::RsaPssSha256,
            S::RsaPssSha1,
        ] {
            let t = crate::wire::SignType::from(s);
            assert_eq!(s.s_type(), t.to_wire());
            assert_eq!(
                S::from_s_type(t.to_wire()).map(|d| d.s_type()),
                Ok(t.to_wire())
            );
        }
        assert!(S::from_s_type(2).is_err());
    }
}
