//! KMS documents of TS 33.180 Annex D: documents built from the Streamwide KMS material
//! (`testvectors/streamwide-StreamwideTestVectors-v5.md`) round-trip, their user IDs are the
//! UIDs of F.2.1, and the shapes seen in the field (no `xsi:type`, a hex-text UserID,
//! extension elements) are read and reported.
#![cfg(feature = "sakke")]

mod common;
mod mcx_common;
use common::hex;
use mcx_common::{get, stw_items as items};
use mikey::crypto::SecretBytes;
use mikey::mcx::kms::*;
use mikey::mcx::{KeyPeriod, McxQuirk, McxQuirks, Uid};

/// Field `key` of the key set of `uri`.
fn user(uri: &str, key: &str) -> String {
    let it = items();
    let at = it
        .iter()
        .position(|(k, v)| k == "UserUri" && v == uri)
        .unwrap();
    get(&it[at..], key)
}

const ALICE: &str = "sip:alice@streamwide.com";

fn certificate() -> KmsCertificate {
    let it = items();
    KmsCertificate {
        version: Some("1.1.0".into()),
        role: Some("Root".into()),
        cert_uri: None,
        kms_uri: get(&it, "KmsUri"),
        issuer: None,
        valid_from: None,
        valid_to: None,
        revoked: None,
        user_id_format: get(&it, "UserIdFormat"),
        key_period: KeyPeriod {
            length: get(&it, "UserKeyPeriod").parse().unwrap(),
            offset: get(&it, "UserKeyOffset").parse().unwrap(),
        },
        pub_enc_key: hex(&get(&it, "PubEncKey")),
        pub_auth_key: hex(&get(&it, "PubAuthKey")),
        parameter_set: Some(1),
        kms_domains: vec![],
    }
}

/// One key set per "KMS KeyProv for ..." block.
fn key_sets() -> Vec<KmsKeySet> {
    let it = items();
    let kms = get(&it, "KmsUri");
    it.iter()
        .enumerate()
        .filter(|(_, (k, _))| k == "UserUri")
        .map(|(i, (_, uri))| {
            let f = |k: &str| {
                it[i..]
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            KmsKeySet {
                version: Some("1.1.0".into()),
                kms_uri: kms.clone(),
                cert_uri: None,
                issuer: None,
                user_uri: uri.clone(),
                user_id: UserId {
                    bytes: hex(&f("UserID")),
                    form: UserIdForm::Raw,
                },
                valid_from: None,
                valid_to: None,
                key_period_no: f("KeyPeriodNo").parse().unwrap(),
                revoked: Some(false),
                user_decrypt_key: SecretBytes::from(hex(&f("UserDecryptKey"))),
                user_signing_key: SecretBytes::from(hex(&f("UserSigningKeySSK"))),
                user_pub_token: hex(&f("UserPubTokenPVT")),
            }
        })
        .collect()
}

fn response(message: KmsMessage) -> KmsResponse {
    KmsResponse {
        id: Some("xmldoc".into()),
        user_uri: "sip:alice@streamwide.com".into(),
        kms_uri: get(&items(), "KmsUri"),
        time: "2025-06-20T10:00:00".into(),
        kms_id: None,
        client_req_url: "https://kms.mydev.streamwide.com/keymanagement/identity/v1/init".into(),
        message: Some(message),
        error: None,
        quirks: McxQuirks::default(),
    }
}

#[test]
fn a_kms_init_from_the_streamwide_material_round_trips() {
    let r = response(KmsMessage::Init(Box::new(KmsInit {
        version: Some("1.0.0".into()),
        xsi_type: Some("KmsInitTkIkType".into()),
        certificate: certificate(),
    })));
    let xml = r.to_xml().unwrap();
    assert!(
        xml.contains(r#"xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0""#),
        "{xml}"
    );
    let back = KmsResponse::from_xml(&xml).unwrap();
    assert_eq!(back, r);
    let Some(KmsMessage::Init(i)) = &back.message else {
        panic!()
    };
    assert_eq!(i.certificate.pub_enc_key.len(), 257);
    assert_eq!(i.certificate.pub_auth_key[0], 0x04);
}

#[test]
fn a_key_provisioning_from_the_streamwide_material_round_trips() {
    let sets = key_sets();
    assert_eq!(sets.len(), 4);
    let cert = certificate();
    for k in &sets {
        let uid = Uid::derive(
            k.user_uri.as_bytes(),
            cert.kms_uri.as_bytes(),
            cert.key_period,
            k.key_period_no,
        )
        .unwrap();
        assert_eq!(k.user_id.uid(), Some(uid), "{}", k.user_uri);
        assert!(k.user_id_matches(&cert), "{}", k.user_uri);
        let mut later = k.clone();
        later.key_period_no += 1;
        assert!(!later.user_id_matches(&cert));
    }
    let r = response(KmsMessage::KeyProv(KmsKeyProv {
        version: Some("1.0.0".into()),
        xsi_type: Some("KmsKeyProvTkIkType".into()),
        key_sets: sets,
    }));
    let xml = r.to_xml().unwrap();
    assert_eq!(xml.matches(r#"xsi:type="KeyContentType""#).count(), 12);
    let back = KmsResponse::from_xml(&xml).unwrap();
    assert_eq!(back, r);
    assert!(back.quirks.is_empty());
    let dbg = format!("{back:?}");
    let ssk = get(&items(), "UserSigningKeySSK");
    assert!(!dbg.to_lowercase().contains(&ssk[..16]), "no SSK in Debug");
}

/// A key provisioning document as KMSs in the field write it: no `xsi:type` on the keys,
/// prefixed namespace, an extension element in another namespace, a comment, whitespace.
fn field_document(user_id: &str) -> String {
    let it = items();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<k:KmsResponse xmlns:k="urn:3gpp:ns:mcsecKMSInterface:1.0" xmlns:x="urn:example:ext" Id="d">
  <k:UserUri>{uri}</k:UserUri>
  <k:KmsUri>{kms}</k:KmsUri>
  <k:Time>2025-06-20T10:00:00</k:Time>
  <k:ClientReqUrl>http://kms/keyprov?a=1&amp;b=2</k:ClientReqUrl>
  <!-- comment -->
  <k:KmsMessage>
    <k:KmsKeyProv Version="1.0.0">
      <k:KmsKeySet Version="1.1.0">
        <k:KmsUri>{kms}</k:KmsUri>
        <k:UserUri>{uri}</k:UserUri>
        <k:UserID>{user_id}</k:UserID>
        <k:KeyPeriodNo>{no}</k:KeyPeriodNo>
        <k:UserDecryptKey>
          {rsk}
        </k:UserDecryptKey>
        <k:UserSigningKeySSK>{ssk}</k:UserSigningKeySSK>
        <k:UserPubTokenPVT>{pvt}</k:UserPubTokenPVT>
      </k:KmsKeySet>
      <x:Vendor><x:Anything>1</x:Anything></x:Vendor>
    </k:KmsKeyProv>
  </k:KmsMessage>
  <x:Trailer/>
</k:KmsResponse>"#,
        uri = ALICE,
        kms = get(&it, "KmsUri"),
        no = 236,
        rsk = user(ALICE, "UserDecryptKey"),
        ssk = user(ALICE, "UserSigningKeySSK"),
        pvt = user(ALICE, "UserPubTokenPVT"),
    )
}

#[test]
fn field_shapes_are_accepted_and_reported() {
    let alice_uid = user(ALICE, "UserID");
    let r = KmsResponse::from_xml(&field_document(&alice_uid)).unwrap();
    assert_eq!(r.client_req_url, "http://kms/keyprov?a=1&b=2");
    assert!(r.quirks.contains(McxQuirk::KmsKeyWithoutXsiType));
    assert!(!r.quirks.contains(McxQuirk::KmsUserIdHexText));
    let Some(KmsMessage::KeyProv(p)) = &r.message else {
        panic!()
    };
    let k = &p.key_sets[0];
    assert_eq!(k.user_id.uid().unwrap().to_string(), alice_uid);
    assert_eq!(k.user_decrypt_key.len(), 257);

    // The same key set with the UID's hex text as the UserID octets.
    let text_hex = hex::encode(alice_uid.as_bytes());
    let r = KmsResponse::from_xml(&field_document(&text_hex)).unwrap();
    assert!(r.quirks.contains(McxQuirk::KmsUserIdHexText));
    let Some(KmsMessage::KeyProv(p)) = &r.message else {
        panic!()
    };
    assert_eq!(p.key_sets[0].user_id.form, UserIdForm::HexText);
    assert_eq!(p.key_sets[0].user_id.uid().unwrap().to_string(), alice_uid);
    assert!(p.key_sets[0].user_id_matches(&certificate()));
    // Written back as read.
    let again = KmsResponse::from_xml(&r.to_xml().unwrap()).unwrap();
    assert_eq!(again.message, r.message);
}

#[test]
fn errors_name_the_element_and_the_reason() {
    let alice_uid = user(ALICE, "UserID");
    let good = field_document(&alice_uid);
    let cases = [
        (good.replace("<k:KeyPeriodNo>236", "<k:KeyPeriodNo>x236"), "KeyPeriodNo", Reason::NotInteger),
        (good.replace("<k:UserSigningKeySSK>", "<k:UserSigningKeySSK>zz"), "UserSigningKeySSK", Reason::NotHex),
        (good.replace("<k:UserPubTokenPVT>04", "<k:UserPubTokenPVT>05"), "UserPubTokenPVT", Reason::BadPoint { expected: 65 }),
        (good.replace("<k:UserUri>sip:alice@streamwide.com</k:UserUri>\n        <k:UserID>", "<k:UserID>"), "UserUri", Reason::Missing),
        (good.replace("<k:Time>", "<k:KmsUri>again</k:KmsUri><k:Time>"), "KmsUri", Reason::Repeated),
        (good.replace("<k:UserDecryptKey>", r#"<k:UserDecryptKey xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="EncKeyContentType">"#), "UserDecryptKey", Reason::EncryptedKey),
        (good.replace("urn:3gpp:ns:mcsecKMSInterface:1.0", "urn:other"), "KmsResponse", Reason::NotKmsResponse),
    ];
    for (doc, element, reason) in cases {
        let e = KmsResponse::from_xml(&doc).unwrap_err();
        assert_eq!((e.element.as_str(), &e.reason), (element, &reason), "{e}");
        assert!(e.to_string().contains(element));
    }
    let e = KmsResponse::from_xml(&good.replace("</k:KmsKeySet>", "")).unwrap_err();
    assert!(matches!(e.reason, Reason::Xml(_)), "{e}");
    let deep = format!(
        r#"<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0">{}{}</KmsResponse>"#,
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert_eq!(
        KmsResponse::from_xml(&deep).unwrap_err().reason,
        Reason::TooLarge
    );
    assert!(matches!(
        KmsResponse::from_xml(&good[..good.len() / 2])
            .unwrap_err()
            .reason,
        Reason::Xml(_)
    ));
}
