//! Cross-check of the crypto module against testvectors/crypto/kemac_kat.txt, produced
//! once by the independent Python script testvectors/crypto/kemac_kat.py.

use std::collections::HashMap;

use mikey::crypto::{
    decrypt, derive_from_tgk, encrypt, mac, verify_mac, KemacCipher, MacKind, MessageKeys, Prf,
    TGK_CONST_SALT, TGK_CONST_TEK,
};

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn load() -> HashMap<String, Vec<u8>> {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testvectors/crypto/kemac_kat.txt"
    ));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').expect("key: value");
            (k.trim().to_string(), unhex(v.trim()))
        })
        .collect()
}

#[test]
fn kemac_cross_check_python() {
    let kat = load();
    assert_eq!(kat.len(), 23, "all lines parsed");
    let g = |k: &str| kat.get(k).unwrap_or_else(|| panic!("missing {k}")).clone();
    let psk = g("psk");
    let csb_id = u32::from_be_bytes(g("csb_id").try_into().expect("csb_id"));
    let rand = g("rand");
    let t = u64::from_be_bytes(g("t").try_into().expect("t"));
    let key_data = g("key_data");
    let mac_input = g("mac_input");
    let cs_id = g("cs_id")[0];
    let tgk = &key_data[4..];

    // PRF func 0, AES-CM-128, HMAC-SHA-1-160.
    let k = MessageKeys::derive(
        Prf::MikeyOne,
        &psk,
        csb_id,
        &rand,
        KemacCipher::AesCm128,
        MacKind::HmacSha1_160,
    );
    assert_eq!(k.encr.as_bytes(), g("prf0_encr_key"));
    assert_eq!(k.auth.as_bytes(), g("prf0_auth_key"));
    assert_eq!(k.salt.as_bytes(), g("prf0_salt_key_cm"));
    let ct = encrypt(
        KemacCipher::AesCm128,
        k.encr.as_bytes(),
        k.salt.as_bytes(),
        csb_id,
        t,
        &key_data,
    )
    .expect("aes-cm-128");
    assert_eq!(ct, g("aes_cm_128_ciphertext"));
    let pt = decrypt(
        KemacCipher::AesCm128,
        k.encr.as_bytes(),
        k.salt.as_bytes(),
        csb_id,
        t,
        &ct,
    )
    .expect("aes-cm-128 dec");
    assert_eq!(pt.as_bytes(), key_data);
    let tag = mac(MacKind::HmacSha1_160, k.auth.as_bytes(), &mac_input);
    assert_eq!(tag.as_bytes(), g("hmac_sha1_160"));
    assert!(verify_mac(
        MacKind::HmacSha1_160,
        k.auth.as_bytes(),
        &mac_input,
        &g("hmac_sha1_160")
    ));

    // PRF func 0, AES-KW-128 with the 64-bit salt as IV.
    let kw = MessageKeys::derive(
        Prf::MikeyOne,
        &psk,
        csb_id,
        &rand,
        KemacCipher::AesKw128,
        MacKind::Null,
    );
    assert_eq!(kw.salt.as_bytes(), g("prf0_salt_key_kw"));
    assert!(kw.auth.is_empty());
    let ct = encrypt(
        KemacCipher::AesKw128,
        kw.encr.as_bytes(),
        kw.salt.as_bytes(),
        csb_id,
        t,
        &key_data,
    )
    .expect("aes-kw-128");
    assert_eq!(ct, g("aes_kw_128_ciphertext"));
    let pt = decrypt(
        KemacCipher::AesKw128,
        kw.encr.as_bytes(),
        kw.salt.as_bytes(),
        csb_id,
        t,
        &ct,
    )
    .expect("aes-kw-128 unwrap");
    assert_eq!(pt.as_bytes(), key_data);

    // TEK / salt from the TGK (RFC 3830 §4.1.3), both PRFs.
    for (p, tek, salt) in [
        (Prf::MikeyOne, "prf0_tgk_tek", "prf0_tgk_salt"),
        (Prf::HmacSha256, "prf1_tgk_tek", "prf1_tgk_salt"),
    ] {
        let got = derive_from_tgk(p, tgk, TGK_CONST_TEK, cs_id, csb_id, &rand, 16);
        assert_eq!(got.as_bytes(), g(tek));
        let got = derive_from_tgk(p, tgk, TGK_CONST_SALT, cs_id, csb_id, &rand, 14);
        assert_eq!(got.as_bytes(), g(salt));
    }

    // PRF func 1, AES-CM-256, HMAC-SHA-256-256 (RFC 6043 §6.1-§6.2).
    let k1 = MessageKeys::derive(
        Prf::HmacSha256,
        &psk,
        csb_id,
        &rand,
        KemacCipher::AesCm256,
        MacKind::HmacSha256_256,
    );
    assert_eq!(k1.encr.as_bytes(), g("prf1_encr_key"));
    assert_eq!(k1.auth.as_bytes(), g("prf1_auth_key"));
    assert_eq!(k1.salt.as_bytes(), g("prf1_salt_key_cm"));
    let ct = encrypt(
        KemacCipher::AesCm256,
        k1.encr.as_bytes(),
        k1.salt.as_bytes(),
        csb_id,
        t,
        &key_data,
    )
    .expect("aes-cm-256");
    assert_eq!(ct, g("aes_cm_256_ciphertext"));
    let tag = mac(MacKind::HmacSha256_256, k1.auth.as_bytes(), &mac_input);
    assert_eq!(tag.as_bytes(), g("hmac_sha256_256"));
}
