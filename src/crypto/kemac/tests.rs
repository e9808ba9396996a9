//! Known answers (RFC 3394 §4) and properties of the KEMAC ciphers and MACs.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::Aes128;

use super::cipher::aes_cm_iv;
use super::*;
use crate::crypto::CryptoError;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

const K128: &str = "000102030405060708090A0B0C0D0E0F";
const K192: &str = "000102030405060708090A0B0C0D0E0F1011121314151617";
const K256: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
const D128: &str = "00112233445566778899AABBCCDDEEFF";
const D192: &str = "00112233445566778899AABBCCDDEEFF0001020304050607";
const D256: &str = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F";

/// RFC 3394 §4.1-§4.6.
#[test]
fn rfc3394_kats() {
    let cases = [
        (
            "4.1",
            K128,
            D128,
            "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
        ),
        (
            "4.2",
            K192,
            D128,
            "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D",
        ),
        (
            "4.3",
            K256,
            D128,
            "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7",
        ),
        (
            "4.4",
            K192,
            D192,
            "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2",
        ),
        (
            "4.5",
            K256,
            D192,
            "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1",
        ),
        (
            "4.6",
            K256,
            D256,
            "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
        ),
    ];
    for (sec, kek, data, ct) in cases {
        let (kek, data, ct) = (unhex(kek), unhex(data), unhex(ct));
        let got = aes_key_wrap(&kek, &AES_KW_DEFAULT_IV, &data).expect(sec);
        assert_eq!(got, ct, "wrap §{sec}");
        let back = aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &ct).expect(sec);
        assert_eq!(back.as_bytes(), &data[..], "unwrap §{sec}");
    }
}

#[test]
fn rfc3394_integrity_failure() {
    let kek = unhex(K128);
    let mut ct = unhex("1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5");
    ct[12] ^= 1;
    assert_eq!(
        aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &ct),
        Err(CryptoError::KeyWrapIntegrity)
    );
    // Right ciphertext, wrong IV (MIKEY salt mismatch).
    let ct = unhex("1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5");
    assert_eq!(
        aes_key_unwrap(&kek, &[0u8; 8], &ct),
        Err(CryptoError::KeyWrapIntegrity)
    );
}

#[test]
fn key_wrap_lengths() {
    let kek = [0u8; 16];
    for len in [0, 8, 15, 17, 23] {
        assert_eq!(
            aes_key_wrap(&kek, &AES_KW_DEFAULT_IV, &vec![0; len]),
            Err(CryptoError::KeyWrapLength { got: len })
        );
    }
    for len in [0, 8, 16, 23, 25] {
        assert_eq!(
            aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &vec![0; len]),
            Err(CryptoError::KeyWrapLength { got: len })
        );
    }
    assert_eq!(
        aes_key_wrap(&[0u8; 15], &AES_KW_DEFAULT_IV, &[0; 16]),
        Err(CryptoError::InvalidKeyLength {
            expected: 16,
            got: 15
        })
    );
    // Through the KEMAC API.
    assert_eq!(
        encrypt(KemacCipher::AesKw128, &kek, &[0; 8], 0, 0, &[0; 20]),
        Err(CryptoError::KeyWrapLength { got: 20 })
    );
    assert_eq!(
        encrypt(KemacCipher::AesKw128, &kek, &[0; 14], 0, 0, &[0; 16]),
        Err(CryptoError::InvalidSaltLength {
            expected: 8,
            got: 14
        })
    );
    assert_eq!(
        encrypt(KemacCipher::AesKw128, &[0; 32], &[0; 8], 0, 0, &[0; 16]),
        Err(CryptoError::InvalidKeyLength {
            expected: 16,
            got: 32
        })
    );
}

#[test]
fn aes_cm_round_trip_and_iv() {
    let salt: Vec<u8> = (0..14).collect();
    for (cipher, key) in [
        (KemacCipher::AesCm128, vec![0x11u8; 16]),
        (KemacCipher::AesCm256, vec![0x22u8; 32]),
    ] {
        for len in [0usize, 1, 15, 16, 17, 36, 100] {
            let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ct =
                encrypt(cipher, &key, &salt, 0xdead_beef, 0x0102_0304_0506_0708, &pt).expect("enc");
            assert_eq!(ct.len(), len);
            if len > 0 {
                assert_ne!(ct, pt);
            }
            let back =
                decrypt(cipher, &key, &salt, 0xdead_beef, 0x0102_0304_0506_0708, &ct).expect("dec");
            assert_eq!(back.as_bytes(), &pt[..]);
            // Different T gives a different key stream.
            let other = encrypt(cipher, &key, &salt, 0xdead_beef, 1, &pt).expect("enc");
            if len > 0 {
                assert_ne!(other, ct);
            }
        }
    }
    let iv = aes_cm_iv(&salt, 0x1000_0001, 0x8000_0000_0000_00ff).expect("iv");
    assert_eq!(
        iv,
        [0, 1, 0x12, 3, 4, 0x04, 0x86, 7, 8, 9, 10, 11, 12, 0xf2, 0, 0]
    );
    // Keystream block 0 is AES_K(IV) (SRTP AES-CM, counter starts at 0).
    let key = [0x11u8; 16];
    let ks = encrypt(
        KemacCipher::AesCm128,
        &key,
        &salt,
        0x1000_0001,
        0x8000_0000_0000_00ff,
        &[0; 16],
    )
    .expect("enc");
    let mut b = aes::Block::from(iv);
    Aes128::new_from_slice(&key)
        .expect("key")
        .encrypt_block(&mut b);
    assert_eq!(ks, b.to_vec());
}

#[test]
fn aes_cm_errors() {
    let salt = [0u8; 14];
    assert_eq!(
        encrypt(KemacCipher::AesCm128, &[0; 32], &salt, 0, 0, b"x"),
        Err(CryptoError::InvalidKeyLength {
            expected: 16,
            got: 32
        })
    );
    assert_eq!(
        encrypt(KemacCipher::AesCm256, &[0; 16], &salt, 0, 0, b"x"),
        Err(CryptoError::InvalidKeyLength {
            expected: 32,
            got: 16
        })
    );
    assert_eq!(
        encrypt(KemacCipher::AesCm128, &[0; 16], &[0; 8], 0, 0, b"x"),
        Err(CryptoError::InvalidSaltLength {
            expected: 14,
            got: 8
        })
    );
    let big = vec![0u8; AES_CM_MAX_LEN + 1];
    assert!(matches!(
        encrypt(KemacCipher::AesCm128, &[0; 16], &salt, 0, 0, &big),
        Err(CryptoError::InputTooLong { .. })
    ));
    assert!(encrypt(
        KemacCipher::AesCm128,
        &[0; 16],
        &[0xff; 14],
        u32::MAX,
        u64::MAX,
        &big[1..]
    )
    .is_ok());
}

#[test]
fn null_cipher() {
    let ct = encrypt(KemacCipher::Null, &[], &[], 0, 0, b"abc").expect("null");
    assert_eq!(ct, b"abc");
    let pt = decrypt(KemacCipher::Null, &[], &[], 0, 0, &ct).expect("null");
    assert_eq!(pt.as_bytes(), b"abc");
}

#[test]
fn macs() {
    // RFC 2202 test case 2 (HMAC-SHA-1) and RFC 4231 test case 2 (HMAC-SHA-256).
    let t = mac(
        MacKind::HmacSha1_160,
        b"Jefe",
        b"what do ya want for nothing?",
    );
    assert_eq!(
        t.as_bytes(),
        &unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")[..]
    );
    let t2 = mac(
        MacKind::HmacSha256_256,
        b"Jefe",
        b"what do ya want for nothing?",
    );
    assert_eq!(
        t2.as_bytes(),
        &unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")[..]
    );
    assert_eq!(t.len(), MacKind::HmacSha1_160.mac_len());
    assert_eq!(t2.len(), MacKind::HmacSha256_256.mac_len());
    assert!(verify_mac(
        MacKind::HmacSha1_160,
        b"Jefe",
        b"what do ya want for nothing?",
        t.as_bytes()
    ));
    assert!(!verify_mac(
        MacKind::HmacSha1_160,
        b"Jefe",
        b"what do ya want for nothing!",
        t.as_bytes()
    ));
    assert!(!verify_mac(
        MacKind::HmacSha1_160,
        b"Jefe",
        b"what do ya want for nothing?",
        &t.as_bytes()[..19]
    ));
    assert!(!verify_mac(
        MacKind::HmacSha256_256,
        b"Jefe",
        b"what do ya want for nothing?",
        t.as_bytes()
    ));
    assert!(verify_mac(MacKind::Null, b"", b"anything", &[]));
    assert!(!verify_mac(MacKind::Null, b"", b"anything", &[0]));
    assert!(mac(MacKind::Null, b"k", b"d").is_empty());
    // Parts: the same tag as over their concatenation (RFC 2202 test case 2 again).
    for kind in [MacKind::HmacSha1_160, MacKind::HmacSha256_256] {
        let whole = mac(kind, b"Jefe", b"what do ya want for nothing?");
        let parts = mac_parts(
            kind,
            b"Jefe",
            &[b"what do ", b"", b"ya want", b" for nothing?"],
        );
        assert_eq!(whole.as_bytes(), parts.as_bytes());
    }
    assert_eq!(
        mac_parts(
            MacKind::HmacSha1_160,
            b"Jefe",
            &[b"what do ya want for nothing?"]
        )
        .as_bytes(),
        &unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")[..]
    );
    assert!(mac_parts(MacKind::Null, b"k", &[b"d"]).is_empty());
}

#[test]
fn mac_key_keyed_once_serves_many_macs() {
    use crate::crypto::SecretBytes;
    // RFC 2202 test case 2 and RFC 4231 test case 2, each twice from one key made ready
    // once: the schedule is copied per MAC, not consumed.
    let msg = b"what do ya want for nothing?";
    let kats = [
        (
            MacKind::HmacSha1_160,
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        ),
        (
            MacKind::HmacSha256_256,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
    ];
    for (kind, want) in kats {
        let k = MacKey::new(kind, SecretBytes::from_slice(b"Jefe"));
        assert_eq!(k.kind(), kind);
        assert_eq!(k.key().as_bytes(), b"Jefe");
        for _ in 0..2 {
            assert_eq!(k.mac(msg).as_bytes(), &unhex(want)[..]);
            assert!(k.verify(msg, &unhex(want)));
        }
        let parts: [&[u8]; 3] = [b"what do ", b"ya want", b" for nothing?"];
        assert_eq!(k.mac_parts(&parts).as_bytes(), &unhex(want)[..]);
        // Wrong data, a short tag, a tag of the other kind: refused.
        assert!(!k.verify(b"what do ya want for nothing!", &unhex(want)));
        assert!(!k.verify(msg, &unhex(want)[..19]));
        // Another kind than the key was made ready for: keyed anew from the key.
        for (other, other_want) in kats {
            assert_eq!(
                k.mac_parts_as(other, &[msg]).as_bytes(),
                &unhex(other_want)[..]
            );
        }
        assert!(k.mac_parts_as(MacKind::Null, &[msg]).is_empty());
        // Debug names the kind only.
        let d = format!("{k:?}");
        assert!(d.contains("MacKey") && !d.contains("Jefe") && !d.contains("4a656665"));
    }
    let null = MacKey::new(MacKind::Null, SecretBytes::from_slice(b"Jefe"));
    assert!(null.mac(msg).is_empty());
    assert!(null.verify(msg, &[]) && !null.verify(msg, &[0]));
    assert_eq!(
        null.mac_parts_as(MacKind::HmacSha1_160, &[msg]).as_bytes(),
        &unhex(kats[0].1)[..]
    );
}
#[test]
fn wire_ids() {
    for c in [
        KemacCipher::Null,
        KemacCipher::AesCm128,
        KemacCipher::AesCm256,
        KemacCipher::AesKw128,
    ] {
        assert_eq!(KemacCipher::try_from(c.id()), Ok(c));
    }
    for m in [
        MacKind::Null,
        MacKind::HmacSha1_160,
        MacKind::HmacSha256_256,
    ] {
        assert_eq!(MacKind::try_from(m.id()), Ok(m));
    }
    assert!(KemacCipher::try_from(4).is_err());
    assert!(MacKind::try_from(3).is_err());
}

#[test]
fn one_table_per_code() {
    use crate::wire::{EncrAlg, MacAlg};
    // Every wire value: known codes map to a cipher/MAC and back to the same value;
    // unknown ones are an error naming the value and survive as wire codes.
    for v in 0..=u8::MAX {
        let e = EncrAlg::from_wire(v);
        assert_eq!(e.to_wire(), v);
        match KemacCipher::try_from(e) {
            Ok(c) => assert_eq!((EncrAlg::from(c), c.id()), (e, v)),
            Err(err) => {
                assert!(e.is_unknown());
                assert!(err.to_string().contains(&v.to_string()), "{err}");
            }
        }
        let m = MacAlg::from_wire(v);
        match MacKind::try_from(m) {
            Ok(k) => {
                assert_eq!((MacAlg::from(k), k.id()), (m, v));
                assert_eq!(Some(k.mac_len()), m.mac_len());
            }
            Err(_) => assert!(m.is_unknown() && m.mac_len().is_none()),
        }
    }
}
