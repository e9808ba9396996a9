//! The crypto provider (`mikey::crypto::provider`) with the stored test keys and OpenSSL
//! outputs of testvectors/keys/ (RSA PKCS#1 v1.5 and PSS, RFC 3830 §3.2, §6.5; RFC 8017).

use mikey::crypto::{
    default_provider, CountingProvider, CryptoError, CryptoProvider, RsaPrivate,
    RustCryptoProvider, SecretBytes, SignatureScheme,
};
use mikey::session::{Entropy, OsEntropy};

const A_PEM: &str = include_str!("../testvectors/keys/rsa2048-a.pem");
const A_PUB_PEM: &str = include_str!("../testvectors/keys/rsa2048-a.pub.pem");
const B_PEM: &str = include_str!("../testvectors/keys/rsa2048-b.pem");
const B_PUB_PEM: &str = include_str!("../testvectors/keys/rsa2048-b.pub.pem");
const S_PEM: &str = include_str!("../testvectors/keys/rsa1024.pem");
const S_PUB_PEM: &str = include_str!("../testvectors/keys/rsa1024.pub.pem");
const S_PKCS1_DER: &[u8] = include_bytes!("../testvectors/keys/rsa1024.pkcs1.der");
const S_PUB_PKCS1_DER: &[u8] = include_bytes!("../testvectors/keys/rsa1024.pub.pkcs1.der");
const ALICE_CERT: &[u8] = include_bytes!("../testvectors/keys/alice.cert.der");
const BOB_CERT: &[u8] = include_bytes!("../testvectors/keys/bob.cert.der");
const MSG: &[u8] = include_bytes!("../testvectors/keys/openssl-msg.txt");
const OSSL_PKCS1_SHA256: &[u8] = include_bytes!("../testvectors/keys/openssl-sig-pkcs1-sha256.bin");
const OSSL_PKCS1_SHA1: &[u8] = include_bytes!("../testvectors/keys/openssl-sig-pkcs1-sha1.bin");
const OSSL_PSS_SHA256: &[u8] = include_bytes!("../testvectors/keys/openssl-sig-pss-sha256.bin");
const OSSL_PSS_SHA1: &[u8] = include_bytes!("../testvectors/keys/openssl-sig-pss-sha1-saltmax.bin");
const OSSL_PT: &[u8] = include_bytes!("../testvectors/keys/openssl-pt.bin");
const OSSL_CT_TO_B: &[u8] = include_bytes!("../testvectors/keys/openssl-ct-pkcs1-to-b.bin");

const ALL: [SignatureScheme; 4] = [
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha1,
    SignatureScheme::RsaPssSha256,
    SignatureScheme::RsaPssSha1,
];

fn p() -> &'static dyn CryptoProvider {
    default_provider()
}

fn private(pem: &str) -> Box<dyn RsaPrivate> {
    p().rsa_private_from_pem(pem).unwrap()
}

/// Deterministic entropy: a counter, so runs are reproducible.
fn counter_entropy(seed: u8) -> impl FnMut(&mut [u8]) {
    let mut n = seed;
    move |buf: &mut [u8]| {
        for b in buf {
            n = n.wrapping_add(1);
            *b = n | 1;
        }
    }
}

#[test]
fn loads_stored_keys_in_every_format() {
    assert_eq!(p().name(), "rustcrypto");
    for (priv_pem, pub_pem, len) in [
        (A_PEM, A_PUB_PEM, 256),
        (B_PEM, B_PUB_PEM, 256),
        (S_PEM, S_PUB_PEM, 128),
    ] {
        let k = private(priv_pem);
        let pk = p().rsa_public_from_pem(pub_pem).unwrap();
        assert_eq!(k.modulus_len(), len);
        assert_eq!(pk.modulus_len(), len);
        assert_eq!(k.to_spki_der(), pk.to_spki_der());
        assert_eq!(k.public().to_spki_der(), pk.to_spki_der());
        // SPKI DER and PKCS#8 DER round trips.
        let pk2 = p().rsa_public_from_der(&pk.to_spki_der()).unwrap();
        assert_eq!(pk2.to_spki_der(), pk.to_spki_der());
        let k2 = p()
            .rsa_private_from_der(k.to_pkcs8_der().as_bytes())
            .unwrap();
        assert_eq!(k2.to_spki_der(), pk.to_spki_der());
        assert_eq!(k2.to_pkcs8_der(), k.to_pkcs8_der());
    }
    // PKCS#1 DER (OpenSSL `-traditional` / `-RSAPublicKey_out`).
    let s = private(S_PEM);
    let s1 = p().rsa_private_from_der(S_PKCS1_DER).unwrap();
    assert_eq!(s1.to_pkcs8_der(), s.to_pkcs8_der());
    let s1p = p().rsa_public_from_der(S_PUB_PKCS1_DER).unwrap();
    assert_eq!(s1p.to_spki_der(), s.to_spki_der());
}

#[test]
fn certificates_hold_the_stored_public_keys() {
    let a = p().rsa_public_from_pem(A_PUB_PEM).unwrap().to_spki_der();
    let b = p().rsa_public_from_pem(B_PUB_PEM).unwrap().to_spki_der();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(contains(ALICE_CERT, &a));
    assert!(contains(BOB_CERT, &b));
    assert!(!contains(ALICE_CERT, &b));
}

#[test]
fn rejects_bad_keys() {
    let bad = CryptoError::InvalidRsaKey;
    assert_eq!(p().rsa_public_from_der(b"").unwrap_err(), bad);
    assert_eq!(
        p().rsa_public_from_der(&[0x30, 0x03, 0x02, 0x01, 0x05])
            .unwrap_err(),
        bad
    );
    assert_eq!(p().rsa_private_from_der(&[0x30; 64]).unwrap_err(), bad);
    assert_eq!(p().rsa_public_from_pem("not pem").unwrap_err(), bad);
    // Wrong PEM label: a private key where a public key is expected and vice versa.
    assert_eq!(p().rsa_public_from_pem(A_PEM).unwrap_err(), bad);
    assert_eq!(p().rsa_private_from_pem(A_PUB_PEM).unwrap_err(), bad);
    // A private key's DER is not a public key.
    let der = private(S_PEM).to_pkcs8_der();
    assert_eq!(p().rsa_public_from_der(der.as_bytes()).unwrap_err(), bad);
    assert_eq!(p().rsa_generate(512).unwrap_err(), bad);
}

#[test]
fn debug_shows_no_key_material() {
    let k = private(A_PEM);
    assert_eq!(format!("{k:?}"), "RsaPrivateKey(2048 bits)");
    assert_eq!(format!("{:?}", k.public()), "RsaPublicKey(2048 bits)");
    let c = CountingProvider::new(RustCryptoProvider);
    let ck = c.rsa_private_from_pem(A_PEM).unwrap();
    assert!(!format!("{ck:?}").contains("0x"), "{ck:?}");
    assert_eq!(
        format!("{:?}", ck.to_pkcs8_der()),
        format!("SecretBytes({} bytes)", ck.to_pkcs8_der().len())
    );
}

#[test]
fn encrypt_decrypt_round_trips() {
    for (priv_pem, pub_pem) in [(A_PEM, A_PUB_PEM), (B_PEM, B_PUB_PEM), (S_PEM, S_PUB_PEM)] {
        let k = private(priv_pem);
        let pk = p().rsa_public_from_pem(pub_pem).unwrap();
        let max = pk.modulus_len() - 11;
        for len in [0, 1, 16, 32, 48, max] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ct = pk.encrypt_pkcs1v15(&mut OsEntropy, &msg).unwrap();
            assert_eq!(ct.len(), pk.modulus_len());
            assert_eq!(k.decrypt_pkcs1v15(&ct).unwrap().as_bytes(), msg.as_slice());
        }
        // Encrypting with the private handle's public half works too.
        let ct = k.encrypt_pkcs1v15(&mut OsEntropy, b"envelope key").unwrap();
        assert_eq!(k.decrypt_pkcs1v15(&ct).unwrap().as_bytes(), b"envelope key");
        // Too long for PKCS#1 v1.5 (RFC 8017 §7.2.1: mLen > k - 11).
        let long = vec![0; max + 1];
        assert_eq!(
            pk.encrypt_pkcs1v15(&mut OsEntropy, &long),
            Err(CryptoError::RsaOperation)
        );
        // Ciphertext of the wrong length.
        assert_eq!(
            k.decrypt_pkcs1v15(&ct[1..]).unwrap_err(),
            CryptoError::RsaOperation
        );
        assert_eq!(
            k.decrypt_pkcs1v15(&[]).unwrap_err(),
            CryptoError::RsaOperation
        );
        // Ciphertext not below the modulus.
        let ff = vec![0xFF; pk.modulus_len()];
        assert_eq!(
            k.decrypt_pkcs1v15(&ff).unwrap_err(),
            CryptoError::RsaOperation
        );
    }
}

#[test]
fn encryption_uses_the_callers_entropy() {
    let pk = p().rsa_public_from_pem(B_PUB_PEM).unwrap();
    let c1 = pk.encrypt_pkcs1v15(&mut counter_entropy(7), b"k").unwrap();
    let c2 = pk.encrypt_pkcs1v15(&mut counter_entropy(7), b"k").unwrap();
    let c3 = pk.encrypt_pkcs1v15(&mut counter_entropy(8), b"k").unwrap();
    assert_eq!(c1, c2);
    assert_ne!(c1, c3);
}

#[test]
fn openssl_pkcs1_ciphertext_decrypts() {
    let b = private(B_PEM);
    assert_eq!(
        b.decrypt_pkcs1v15(OSSL_CT_TO_B).unwrap().as_bytes(),
        OSSL_PT
    );
    // With the wrong key, implicit rejection yields some other message, never the plaintext.
    let a = private(A_PEM);
    assert_ne!(
        a.decrypt_pkcs1v15(OSSL_CT_TO_B).unwrap().as_bytes(),
        OSSL_PT
    );
    // A corrupted ciphertext does not decrypt to the plaintext either.
    let mut ct = OSSL_CT_TO_B.to_vec();
    ct[100] ^= 1;
    if let Ok(pt) = b.decrypt_pkcs1v15(&ct) {
        assert_ne!(pt.as_bytes(), OSSL_PT);
    }
}

#[test]
fn sign_verify_round_trips_for_every_scheme() {
    let a = private(A_PEM);
    let b = private(B_PEM);
    let a_pub = p().rsa_public_from_pem(A_PUB_PEM).unwrap();
    for scheme in ALL {
        for msg in [&b""[..], b"MIKEY I_MESSAGE", MSG] {
            let sig = a.sign(&mut OsEntropy, scheme, msg).unwrap();
            assert_eq!(sig.len(), 256);
            a_pub.verify(scheme, msg, &sig).unwrap();
            a.verify(scheme, msg, &sig).unwrap();
            // Wrong key, wrong message, corrupted and truncated signatures.
            assert_eq!(b.verify(scheme, msg, &sig), Err(CryptoError::BadSignature));
            assert_eq!(
                a_pub.verify(scheme, b"other", &sig),
                Err(CryptoError::BadSignature)
            );
            let mut bad = sig.clone();
            bad[128] ^= 0x40;
            assert_eq!(
                a_pub.verify(scheme, msg, &bad),
                Err(CryptoError::BadSignature)
            );
            assert_eq!(
                a_pub.verify(scheme, msg, &sig[1..]),
                Err(CryptoError::BadSignature)
            );
            assert_eq!(
                a_pub.verify(scheme, msg, &[]),
                Err(CryptoError::BadSignature)
            );
            // A signature of one scheme does not verify under any other.
            for other in ALL.into_iter().filter(|&o| o != scheme) {
                assert_eq!(
                    a_pub.verify(other, msg, &sig),
                    Err(CryptoError::BadSignature)
                );
            }
        }
    }
    // The 1024-bit key signs and verifies too.
    let s = private(S_PEM);
    for scheme in ALL {
        let sig = s.sign(&mut OsEntropy, scheme, MSG).unwrap();
        assert_eq!(sig.len(), 128);
        s.public().verify(scheme, MSG, &sig).unwrap();
    }
}

#[test]
fn pss_salt_comes_from_the_callers_entropy() {
    let a = private(A_PEM);
    let s = SignatureScheme::RsaPssSha256;
    let s1 = a.sign(&mut counter_entropy(1), s, MSG).unwrap();
    let s2 = a.sign(&mut counter_entropy(1), s, MSG).unwrap();
    let s3 = a.sign(&mut counter_entropy(2), s, MSG).unwrap();
    assert_eq!(s1, s2);
    assert_ne!(s1, s3);
}

#[test]
fn openssl_signatures_verify() {
    let a = p().rsa_public_from_pem(A_PUB_PEM).unwrap();
    a.verify(SignatureScheme::RsaPkcs1Sha256, MSG, OSSL_PKCS1_SHA256)
        .unwrap();
    a.verify(SignatureScheme::RsaPkcs1Sha1, MSG, OSSL_PKCS1_SHA1)
        .unwrap();
    a.verify(SignatureScheme::RsaPssSha256, MSG, OSSL_PSS_SHA256)
        .unwrap();
    // PSS with the maximal salt length (OpenSSL `rsa_pss_saltlen:max`).
    a.verify(SignatureScheme::RsaPssSha1, MSG, OSSL_PSS_SHA1)
        .unwrap();
    // Wrong hash, wrong padding, wrong key, wrong message.
    let bad = Err(CryptoError::BadSignature);
    assert_eq!(
        a.verify(SignatureScheme::RsaPkcs1Sha1, MSG, OSSL_PKCS1_SHA256),
        bad
    );
    assert_eq!(
        a.verify(SignatureScheme::RsaPssSha256, MSG, OSSL_PKCS1_SHA256),
        bad
    );
    assert_eq!(
        a.verify(SignatureScheme::RsaPssSha1, MSG, OSSL_PSS_SHA256),
        bad
    );
    let b = p().rsa_public_from_pem(B_PUB_PEM).unwrap();
    assert_eq!(
        b.verify(SignatureScheme::RsaPkcs1Sha256, MSG, OSSL_PKCS1_SHA256),
        bad
    );
    assert_eq!(
        a.verify(SignatureScheme::RsaPkcs1Sha256, b"x", OSSL_PKCS1_SHA256),
        bad
    );
    // PKCS#1 v1.5 signatures are deterministic: ours equal OpenSSL's byte for byte.
    let k = private(A_PEM);
    assert_eq!(
        k.sign(&mut OsEntropy, SignatureScheme::RsaPkcs1Sha256, MSG)
            .unwrap(),
        OSSL_PKCS1_SHA256
    );
    assert_eq!(
        k.sign(&mut OsEntropy, SignatureScheme::RsaPkcs1Sha1, MSG)
            .unwrap(),
        OSSL_PKCS1_SHA1
    );
}

#[test]
fn signature_scheme_s_type() {
    assert_eq!(SignatureScheme::RsaPkcs1Sha256.s_type(), 0);
    assert_eq!(SignatureScheme::RsaPkcs1Sha1.s_type(), 0);
    assert_eq!(SignatureScheme::RsaPssSha256.s_type(), 1);
    assert_eq!(SignatureScheme::RsaPssSha1.s_type(), 1);
    assert_eq!(
        SignatureScheme::from_s_type(0),
        Ok(SignatureScheme::RsaPkcs1Sha256)
    );
    assert_eq!(
        SignatureScheme::from_s_type(1),
        Ok(SignatureScheme::RsaPssSha256)
    );
    assert_eq!(
        SignatureScheme::from_s_type(2),
        Err(CryptoError::UnsupportedAlgorithm {
            registry: "S type",
            value: 2
        })
    );
}

#[test]
fn counting_provider_counts_private_operations() {
    let c = CountingProvider::new(RustCryptoProvider);
    assert_eq!(c.name(), "counting");
    assert_eq!(c.inner().name(), "rustcrypto");
    let k = c.rsa_private_from_pem(B_PEM).unwrap();
    let pk = c.rsa_public_from_pem(B_PUB_PEM).unwrap();
    assert_eq!(
        c.private_ops(),
        0,
        "loading keys is not a private operation"
    );

    let ct = pk.encrypt_pkcs1v15(&mut OsEntropy, b"envelope").unwrap();
    let ct2 = k.encrypt_pkcs1v15(&mut OsEntropy, b"envelope").unwrap();
    let sig_by_other = private(A_PEM)
        .sign(&mut OsEntropy, SignatureScheme::RsaPssSha256, MSG)
        .unwrap();
    let _ = pk.verify(SignatureScheme::RsaPssSha256, MSG, &sig_by_other);
    let _ = k
        .public()
        .verify(SignatureScheme::RsaPssSha256, MSG, &sig_by_other);
    let _ = k.verify(SignatureScheme::RsaPssSha256, MSG, &sig_by_other);
    let _ = (k.to_spki_der(), k.to_pkcs8_der(), k.modulus_len());
    assert_eq!(c.private_ops(), 0, "public operations are not counted");

    assert_eq!(k.decrypt_pkcs1v15(&ct).unwrap().as_bytes(), b"envelope");
    assert_eq!(k.decrypt_pkcs1v15(&ct2).unwrap().as_bytes(), b"envelope");
    assert_eq!(c.private_ops(), 2);
    let sig = k
        .sign(&mut OsEntropy, SignatureScheme::RsaPkcs1Sha256, MSG)
        .unwrap();
    assert_eq!(c.private_ops(), 3);
    pk.verify(SignatureScheme::RsaPkcs1Sha256, MSG, &sig)
        .unwrap();
    let e = SecretBytes::from_slice(&[5]);
    assert_eq!(c.modexp(&[4], &e, &[7]).unwrap().as_bytes(), &[2]); // 4^5 = 1024 = 2 mod 7
    assert_eq!(c.private_ops(), 4);
    // Failed calls count too (they were attempted).
    assert!(k.decrypt_pkcs1v15(&[1, 2, 3]).is_err());
    assert!(c.modexp(&[4], &e, &[8]).is_err());
    assert_eq!(c.private_ops(), 6);
    // Keys from a different provider are not counted.
    let _ = private(B_PEM).decrypt_pkcs1v15(&ct).unwrap();
    assert_eq!(c.private_ops(), 6);
}

#[test]
fn providers_are_usable_as_trait_objects() {
    use std::sync::Arc;
    let counting = Arc::new(CountingProvider::new(RustCryptoProvider));
    let dynamic: Arc<dyn CryptoProvider> = counting.clone();
    let k = dynamic.rsa_private_from_pem(S_PEM).unwrap();
    let mut rng: Box<dyn Entropy> = Box::new(OsEntropy);
    let _ = k
        .sign(rng.as_mut(), SignatureScheme::RsaPkcs1Sha256, MSG)
        .unwrap();
    assert_eq!(counting.private_ops(), 1);
}

/// Key generation works (1024 bits to keep it quick; the other tests use stored keys).
#[test]
fn rsa_generate() {
    let k = p().rsa_generate(1024).unwrap();
    assert_eq!(k.modulus_len(), 128);
    let sig = k
        .sign(&mut OsEntropy, SignatureScheme::RsaPssSha256, MSG)
        .unwrap();
    k.public()
        .verify(SignatureScheme::RsaPssSha256, MSG, &sig)
        .unwrap();
}
