//! Readers of the MIKEY-SAKKE known-answer files in `testvectors/` shared by the
//! `mcx_*` tests: the values come from the files, not from this crate.
#![allow(dead_code)]

use std::collections::HashMap;

/// The text of a file in testvectors/.
pub fn read(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testvectors")
            .join(name),
    )
    .unwrap()
}

/// `* Name : value` items of `text` (Streamwide md), in order.
pub fn md_items(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("* "))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Every `* Name : value` item of the Streamwide md, in order.
pub fn stw_items() -> Vec<(String, String)> {
    md_items(&read("streamwide-StreamwideTestVectors-v5.md"))
}

/// The first value of `key` in `items`.
pub fn get(items: &[(String, String)], key: &str) -> String {
    items.iter().find(|(n, _)| n == key).unwrap().1.clone()
}

/// The items of the Streamwide md section whose title starts with `title`.
pub fn stw_section(title: &str) -> HashMap<String, String> {
    let md = read("streamwide-StreamwideTestVectors-v5.md");
    let sec = md.split("### ").find(|s| s.starts_with(title)).unwrap();
    md_items(sec).into_iter().collect()
}

/// `name = value` lines of sw-alea-v3-keymaterial.txt (comments skipped).
pub fn alea() -> HashMap<String, String> {
    read("sw-alea-v3-keymaterial.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A key id as written in the sources (a 7-digit value lost its leading zero).
pub fn key_id(s: &str) -> mikey::mcx::KeyId {
    mikey::mcx::KeyId::new(u32::from_str_radix(s, 16).unwrap())
}

fn hexv(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The Streamwide KMS certificate, from the md's values.
pub fn stw_certificate() -> mikey::mcx::kms::KmsCertificate {
    let it = stw_items();
    mikey::mcx::kms::KmsCertificate {
        version: Some("1.1.0".into()),
        role: Some("Root".into()),
        cert_uri: None,
        kms_uri: get(&it, "KmsUri"),
        issuer: None,
        valid_from: None,
        valid_to: None,
        revoked: None,
        user_id_format: get(&it, "UserIdFormat"),
        key_period: mikey::mcx::KeyPeriod {
            length: get(&it, "UserKeyPeriod").parse().unwrap(),
            offset: get(&it, "UserKeyOffset").parse().unwrap(),
        },
        pub_enc_key: hexv(&get(&it, "PubEncKey")),
        pub_auth_key: hexv(&get(&it, "PubAuthKey")),
        parameter_set: Some(1),
        kms_domains: vec![],
    }
}

/// The Streamwide key set of `uri`, from the md's values.
pub fn stw_key_set(uri: &str) -> mikey::mcx::kms::KmsKeySet {
    use mikey::mcx::kms::{KmsKeySet, UserId, UserIdForm};
    let it = stw_items();
    let at = it
        .iter()
        .position(|(k, v)| k == "UserUri" && v == uri)
        .unwrap();
    let f = |k: &str| get(&it[at..], k);
    KmsKeySet {
        version: Some("1.1.0".into()),
        kms_uri: get(&it, "KmsUri"),
        cert_uri: None,
        issuer: None,
        user_uri: uri.to_string(),
        user_id: UserId {
            bytes: hexv(&f("UserID")),
            form: UserIdForm::Raw,
        },
        valid_from: None,
        valid_to: None,
        key_period_no: f("KeyPeriodNo").parse().unwrap(),
        revoked: Some(false),
        user_decrypt_key: mikey::crypto::SecretBytes::from(hexv(&f("UserDecryptKey"))),
        user_signing_key: mikey::crypto::SecretBytes::from(hexv(&f("UserSigningKeySSK"))),
        user_pub_token: hexv(&f("UserPubTokenPVT")),
    }
}

/// The ALEA KMS certificate and the key set of user `name` (gms, gms2, alice, bob), from
/// sw-alea-v3-keymaterial.txt.
pub fn alea_material(name: &str) -> (mikey::mcx::kms::KmsCertificate, mikey::mcx::kms::KmsKeySet) {
    use mikey::mcx::kms::{KmsCertificate, KmsKeySet, UserId, UserIdForm};
    let a = alea();
    let cert = KmsCertificate {
        version: None,
        role: None,
        cert_uri: None,
        kms_uri: a["kms_uri"].clone(),
        issuer: None,
        valid_from: None,
        valid_to: None,
        revoked: None,
        user_id_format: a["init_format"].clone(),
        key_period: mikey::mcx::KeyPeriod {
            length: a["user_key_period"].parse().unwrap(),
            offset: a["user_key_offset"].parse().unwrap(),
        },
        pub_enc_key: hexv(&a["init_z"]),
        pub_auth_key: hexv(&a["init_kpak"]),
        parameter_set: None,
        kms_domains: vec![],
    };
    let k = |s: &str| a[&format!("{name}_{s}")].clone();
    let set = KmsKeySet {
        version: None,
        kms_uri: a["kms_uri"].clone(),
        cert_uri: None,
        issuer: None,
        user_uri: k("uri"),
        user_id: UserId {
            bytes: hexv(&k("id")),
            form: UserIdForm::Raw,
        },
        valid_from: None,
        valid_to: None,
        key_period_no: a["key_period_no"].parse().unwrap(),
        revoked: None,
        user_decrypt_key: mikey::crypto::SecretBytes::from(hexv(&k("decryptkey"))),
        user_signing_key: mikey::crypto::SecretBytes::from(hexv(&k("ssk"))),
        user_pub_token: hexv(&k("pvt")),
    };
    (cert, set)
}

/// A user provisioned by `kms` for `uri` and key period `period_no`, its key material
/// loaded (and so validated) as a user would.
pub fn provisioned(
    kms: &mikey::mcx::kms_server::Kms,
    uri: &str,
    period_no: u64,
) -> mikey::mcx::user_keys::UserKeys {
    let prov = kms
        .provision(uri, period_no, &mut mikey::crypto::OsEntropy)
        .unwrap();
    mikey::mcx::user_keys::UserKeys::load(&kms.certificate(), &prov).unwrap()
}
