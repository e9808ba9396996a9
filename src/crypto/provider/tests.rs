//! Known answers and properties of the constant-time modular exponentiation.

use super::modexp::strip_leading_zeros;
use super::*;
use crate::crypto::{CryptoError, SecretBytes};
use crypto_bigint::BoxedUint;
use crypto_bigint::NonZero;
use proptest::prelude::*;

/// OAKLEY group 5 prime: the 1536-bit MODP group of RFC 3526 §2 (RFC 3830 §6.4 DH-Group
/// 0), generator 2.
const OAKLEY5_P: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74\
    020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245\
    E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE6\
    49286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD96\
    1C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

/// A 256-bit exponent and `2^A mod p` for OAKLEY 5, computed independently with `bc`
/// (square-and-multiply on arbitrary-precision integers).
const KAT_A: &str = "7A3C1E5F2B8D4C6E9F0A1B2C3D4E5F60718293A4B5C6D7E8F901122334455667";
const KAT_2_POW_A: &str = "534C5459D93DD699FCDFEB613806B03232CC032569761C39C36A470804308A08\
    91E11BE54766E1E967DC308E39BDA42C715F1316F33A011B96C5E7E414D118CD60FC4CDF39693826BF551D5D\
    3A0E580AF546CBB27444C3049C6159195E30D4FB1F9BC91374FB6AB838DBF258662F4A15844058FF73A43971\
    723422074BB1A2DCE1B3BE0CD8713506B753F1439071E74A9DEC1A181652B6A706D900EC58C55303AA5C75B2\
    C107AE443E5CBC261F9D23AB53E43957DE12B83FF085716493D06C3F";

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = if s.len() % 2 == 1 { format!("0{s}") } else { s };
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn left_pad(v: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0; len - v.len()];
    out.extend_from_slice(v);
    out
}

fn modexp(base: &[u8], exp: &[u8], modulus: &[u8]) -> Result<SecretBytes, CryptoError> {
    default_provider().modexp(base, &SecretBytes::from_slice(exp), modulus)
}

/// Square-and-multiply on `u128`, the naive reference for moduli below 2^64.
fn naive_u64(base: u64, exp: &[u8], m: u64) -> u64 {
    let m = u128::from(m);
    let mut r: u128 = 1 % m;
    let b = u128::from(base) % m;
    for byte in exp {
        for i in (0..8).rev() {
            r = r * r % m;
            if byte >> i & 1 == 1 {
                r = r * b % m;
            }
        }
    }
    r as u64
}

/// Left-to-right square-and-multiply with `BoxedUint::mul_mod`, the naive reference for
/// large moduli (independent of the windowed Montgomery code under test).
fn naive_big(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
    let n = BoxedUint::from_be_slice_vartime(modulus);
    let prec = n.bits_precision();
    let n = NonZero::new(n).unwrap();
    let b = BoxedUint::from_be_slice(base, prec).unwrap();
    let mut r = BoxedUint::one_with_precision(prec);
    for byte in exp {
        for i in (0..8).rev() {
            r = r.mul_mod(&r, &n);
            if byte >> i & 1 == 1 {
                r = r.mul_mod(&b, &n);
            }
        }
    }
    let bytes = r.to_be_bytes();
    bytes[bytes.len() - modulus.len()..].to_vec()
}

#[test]
fn small_known_answers() {
    // 3^17 = 129140163 = 0x07B285C3; mod 2^31-1 (prime) it is unchanged.
    let m = 0x7FFF_FFFFu32.to_be_bytes();
    let r = modexp(&[3], &[17], &m).unwrap();
    assert_eq!(r.as_bytes(), &[0x07, 0xB2, 0x85, 0xC3]);
    // 4^13 mod 497 = 445 (textbook example).
    let r = modexp(&[4], &[13], &[0x01, 0xF1]).unwrap();
    assert_eq!(r.as_bytes(), &[0x01, 0xBD]);
    // Left padding to the modulus length, leading zero bytes of the inputs ignored.
    let r = modexp(&[0, 0, 2], &[0, 1], &[0, 0, 1, 0, 1]).unwrap();
    assert_eq!(r.as_bytes(), &[0, 0, 2]);
    // x^0 = 1, including an empty exponent.
    assert_eq!(modexp(&[5], &[0], &[7]).unwrap().as_bytes(), &[1]);
    assert_eq!(modexp(&[5], &[], &[7]).unwrap().as_bytes(), &[1]);
    // 0^e = 0.
    assert_eq!(modexp(&[], &[9], &[7]).unwrap().as_bytes(), &[0]);
}

#[test]
fn oakley5_known_answer_from_bc() {
    let p = hex(OAKLEY5_P);
    assert_eq!(p.len(), 192);
    let r = modexp(&[2], &hex(KAT_A), &p).unwrap();
    assert_eq!(r.len(), 192);
    assert_eq!(r.as_bytes(), left_pad(&hex(KAT_2_POW_A), 192).as_slice());
    assert_eq!(r.as_bytes(), naive_big(&[2], &hex(KAT_A), &p).as_slice());
}

#[test]
fn oakley5_exponent_laws_and_dh_agreement() {
    let p = hex(OAKLEY5_P);
    let n = NonZero::new(BoxedUint::from_be_slice_vartime(&p)).unwrap();
    let prec = n.bits_precision();
    let a = hex(KAT_A);
    let b = hex("0C0FFEE0DDBA11FACADE5EEDBEEFCAFE1234567890ABCDEF0FEDCBA987654321");
    // a + b as a 33-byte exponent.
    let sum = BoxedUint::from_be_slice(&a, 264)
        .unwrap()
        .wrapping_add(BoxedUint::from_be_slice(&b, 264).unwrap());
    let sum = sum.to_be_bytes();
    let sum = &sum[sum.len() - 33..];

    let ga = modexp(&[2], &a, &p).unwrap();
    let gb = modexp(&[2], &b, &p).unwrap();
    let gab_sum = modexp(&[2], sum, &p).unwrap();
    let prod = BoxedUint::from_be_slice(ga.as_bytes(), prec)
        .unwrap()
        .mul_mod(&BoxedUint::from_be_slice(gb.as_bytes(), prec).unwrap(), &n);
    let prod = prod.to_be_bytes();
    assert_eq!(&prod[prod.len() - 192..], gab_sum.as_bytes());

    // Diffie-Hellman: (g^a)^b = (g^b)^a (RFC 3830 §3.3).
    let k1 = modexp(ga.as_bytes(), &b, &p).unwrap();
    let k2 = modexp(gb.as_bytes(), &a, &p).unwrap();
    assert_eq!(k1, k2);
    assert_eq!(k1.as_bytes(), naive_big(ga.as_bytes(), &b, &p).as_slice());
    // A full-width exponent (192 bytes) agrees with the naive reference too.
    let long: Vec<u8> = (0..192u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
    assert_eq!(
        modexp(gb.as_bytes(), &long, &p).unwrap().as_bytes(),
        naive_big(gb.as_bytes(), &long, &p).as_slice()
    );
}

#[test]
fn rejects_out_of_range_inputs() {
    let bad = Err(CryptoError::InvalidModExpInput);
    assert_eq!(modexp(&[2], &[1], &[]), bad);
    assert_eq!(modexp(&[2], &[1], &[0, 0]), bad);
    assert_eq!(modexp(&[0], &[1], &[1]), bad);
    assert_eq!(modexp(&[2], &[1], &[8]), bad); // even
    assert_eq!(modexp(&[2], &[1], &[1, 0]), bad); // even
    assert_eq!(modexp(&[7], &[1], &[7]), bad); // base = modulus
    assert_eq!(modexp(&[1, 0], &[1], &[0xFF]), bad); // base > modulus
    assert_eq!(modexp(&[2], &[1, 1], &[0xFF]), bad); // exponent longer than modulus
    let mut huge = vec![0xFF; MAX_MODEXP_BITS / 8 + 1];
    assert_eq!(modexp(&[2], &[1], &huge), bad);
    huge.pop();
    assert!(modexp(&[2], &[3], &huge).is_ok());
}

#[test]
fn debug_of_secret_result_hides_value() {
    let r = modexp(&[4], &[13], &[0x01, 0xF1]).unwrap();
    assert_eq!(format!("{r:?}"), "SecretBytes(2 bytes)");
}

proptest! {
    #[test]
    fn matches_naive_reference(
        m in 3u64..,
        base in any::<u64>(),
        exp in proptest::collection::vec(any::<u8>(), 0..=8),
    ) {
        let m = m | 1;
        let base = base % m;
        let k = m.to_be_bytes();
        let k = strip_leading_zeros(&k);
        let exp = &exp[..exp.len().min(k.len())];
        let r = modexp(&base.to_be_bytes(), exp, k).unwrap();
        let want = naive_u64(base, exp, m).to_be_bytes();
        prop_assert_eq!(r.as_bytes(), &want[8 - k.len()..]);
    }

    #[test]
    fn never_panics(
        base in proptest::collection::vec(any::<u8>(), 0..40),
        exp in proptest::collection::vec(any::<u8>(), 0..40),
        m in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let _ = modexp(&base, &exp, &m);
    }
}
