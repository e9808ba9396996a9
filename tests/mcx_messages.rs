//! The 3GPP view of every MIKEY-SAKKE message in `testvectors/`, the values
//! `testvectors/SOURCES.md` section 3 asserts for them, and the type-7 key-parameters
//! payloads decrypted with the published keys.
#![cfg(feature = "sakke")]

mod common;
mod mcx_common;
use common::{hex, load};
use mcx_common::{alea, key_id as id, stw_section as stw_test};
use mikey::mcx::imessage::{IMessageView, Identity};
use mikey::mcx::imessage_build::{IMessageFields, IdentityField, UnsignedIMessage};
use mikey::mcx::protected::ProtectedFields;
use mikey::mcx::{ext7, KeyId, KeyParamsExt, McxQuirk, PlaintextForm, PurposeTag};
use mikey::wire::{
    CsIdMap, GenExtType, Message, ParseOptions, Payload, SakkeIdScheme, SakkeParams, SignType,
};

fn parse(bytes: &[u8]) -> (Message<'_>, mikey::wire::Quirks) {
    Message::parse_with(bytes, ParseOptions::LENIENT).unwrap()
}

#[test]
fn every_mikey_sakke_vector_gives_a_view() {
    let files: Vec<_> = common::message_files()
        .into_iter()
        .filter(|f| f.starts_with("sw-"))
        .collect();
    assert_eq!(files.len(), 12, "{files:?}");
    for f in &files {
        let b = load(f);
        let (m, q) = parse(&b);
        let v = IMessageView::new(&m, q).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(v.key_id.value(), m.header.csb_id, "{f}");
        assert_eq!(v.rand.len(), 16, "{f}");
        assert_eq!(
            (v.sakke.params, v.sakke.id_scheme, v.sakke.data.len()),
            (SakkeParams::Set1, SakkeIdScheme::Unknown(2), 273),
            "{f}"
        );
        assert_eq!(
            (v.sign.sign_type, v.sign.signature.len()),
            (SignType::Eccsi, 129),
            "{f}"
        );
        assert!(v.timestamp.to_unix().is_some(), "{f}");
        if let Some(k) = v.key_params() {
            k.unwrap_or_else(|e| panic!("{f}: {e}"));
        }
    }
}

#[test]
fn streamwide_reference_messages() {
    for (file, title, key, key_id, rand, ini, resp) in [
        (
            "sw-stw-ref-gmk-imessage.b64",
            "Test 1:",
            "GMK",
            "GUK-ID",
            "GMK-RAND",
            "gms@streamwide.com",
            "sip:alice@streamwide.com",
        ),
        (
            "sw-stw-ref-csk-imessage.b64",
            "Test 2:",
            "CSK",
            "CSK-ID",
            "CSK-RAND",
            "sip:alice@streamwide.com",
            "gms@streamwide.com",
        ),
        (
            "sw-stw-ref-pck-imessage.b64",
            "Test 3:",
            "PCK",
            "PCK-ID",
            "PCK-RAND",
            "sip:alice@streamwide.com",
            "sip:bob@streamwide.com",
        ),
    ] {
        let t = stw_test(title);
        assert_eq!(
            (t["Initiator URI"].as_str(), t["Responder URI"].as_str()),
            (ini, resp)
        );
        let b = load(file);
        let (m, q) = parse(&b);
        let v = IMessageView::new(&m, q).unwrap();
        assert_eq!(v.key_id, id(&t[key_id]), "{file}");
        assert_eq!(v.rand, &hex(&t[rand])[..], "{file}");
        assert!(v.profile_header(), "{file}");
        assert!(v.quirks.is_empty(), "{file}: {:?}", v.quirks);
        assert_eq!((v.initiator.role, v.responder.role), (8, 9));
        assert!(matches!(v.initiator.id, Identity::Uid(_)));
        assert_eq!(v.kms_initiator, Some("kms.mydev.streamwide.com"));
        assert_eq!(v.kms_responder, Some("kms.mydev.streamwide.com"));
        assert_eq!(
            v.extension_types().collect::<Vec<_>>(),
            vec![GenExtType::Mcx]
        );
        // The key parameters decrypt with the published key; both vendors send the bare
        // content (no E.6.1 wrapper).
        let ext = v.key_params().unwrap().unwrap();
        let KeyParamsExt::Protected(p) = &ext else {
            panic!("{file}")
        };
        assert_eq!(p.key_id, v.key_id, "DPPK-ID = CSB ID");
        let (kp, form) = ext.key_parameters(&hex(&t[key])).unwrap();
        assert_eq!(form, Some(PlaintextForm::Bare), "{file}");
        assert_eq!(kp.key_type, v.key_id.purpose(), "{file}");
        assert!(kp.not_revoked(), "{file}");
        assert!(ext.key_parameters(&[0; 16]).is_err(), "{file}: wrong key");
    }
}

/// The GMK-ID recovered from a GUK-ID with the section's GMK and responder URI; checked
/// against the section's GMK-ID.
fn gmk_id_of(t: &std::collections::HashMap<String, String>, guk_id: KeyId) -> KeyId {
    let gmk_id = mikey::mcx::derive::gmk_id_from_guk_id(
        &hex(&t["GMK"]),
        guk_id,
        t["Responder URI"].as_bytes(),
    )
    .unwrap();
    assert_eq!(gmk_id, id(&t["GMK-ID"]));
    gmk_id
}

#[test]
fn streamwide_gmk_id_is_recovered_from_the_guk_id() {
    let t = stw_test("Test 1:");
    let b = load("sw-stw-ref-gmk-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    let gmk_id = gmk_id_of(&t, v.key_id);
    // The GENERIC-ID map's SPI is GMK-ID || GUK-ID (SOURCES.md).
    let CsIdMap::GenericId(map) = &v.header.cs_map else {
        panic!()
    };
    let spi = map.iter().next().unwrap().spi;
    assert_eq!(spi[..4], gmk_id.to_bytes());
    assert_eq!(spi[4..], v.key_id.to_bytes());
}

/// The MKIs of TS 33.180 7.4 against the Streamwide reference messages.
#[test]
fn media_mkis_are_the_key_ids_of_7_4() {
    use mikey::mcx::media;
    // 7.4.2 (group media): the MKI layout GMK-ID || GUK-ID is inferred (the clause's MKI
    // sentence is not in the sources we have): it is the SPI of the Streamwide GMK
    // message's GENERIC-ID map, for the media of the member the message keys.
    let t = stw_test("Test 1:");
    let b = load("sw-stw-ref-gmk-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    let CsIdMap::GenericId(map) = &v.header.cs_map else {
        panic!()
    };
    let cs = map.iter().next().unwrap();
    let g = media::group_srtp(
        &hex(&t["GMK"]),
        id(&t["GMK-ID"]),
        t["Responder URI"].as_bytes(),
        v.rand,
        cs.cs_id,
    )
    .unwrap();
    assert_eq!(g.mki.as_deref(), Some(cs.spi));
    // 7.4.1 (private call): "The MKI shall be the 32-bit PCK-ID which has a purpose tag
    // of '1'."
    let t = stw_test("Test 3:");
    let pck_id = id(&t["PCK-ID"]);
    let p = media::private_srtp(&hex(&t["PCK"]), pck_id, &hex(&t["PCK-RAND"]), 0).unwrap();
    let mki = p.mki.unwrap();
    assert_eq!(mki, pck_id.to_bytes());
    assert_eq!((mki.len(), mki[0] >> 4), (4, 1));
}

#[test]
fn the_legacy_iwf_message_has_clear_key_parameters() {
    let t = stw_test("Test 4:");
    let b = load("sw-stw-ref-gmk-legacy-iwf-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.rand, &hex(&t["GMK-RAND"])[..]);
    assert!(v.quirks.contains(McxQuirk::LegacyKeyParameters));
    let ext = v.key_params().unwrap().unwrap();
    assert!(ext.is_legacy());
    let (kp, form) = ext.key_parameters(&[]).unwrap();
    assert_eq!((kp.key_type, form), (PurposeTag::Gmk, None));
    assert!(kp.not_revoked());
    // The GMK-ID is the GUK-ID's source: recover it from the CSB ID and the IWF's URI.
    gmk_id_of(&t, v.key_id);
}

#[test]
fn alea_messages() {
    let a = alea();
    let b = load("sw-alea-v3-gmk-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.key_id, id(&a["gmk_guk_id_expected"]));
    assert_eq!(v.rand, &hex(&a["gmk_rand_expected"])[..]);
    assert!(v.quirks.contains(McxQuirk::RocTxRateOneOctet));
    assert_eq!(v.kms_initiator, Some(a["kms_uri"].as_str()));
    let Identity::Uid(resp) = v.responder.id else {
        panic!()
    };
    assert_eq!(resp.to_string(), a["alice_id"].to_lowercase());
    let ext = v.key_params().unwrap().unwrap();
    let (kp, form) = ext.key_parameters(&hex(&a["gmk_expected"])).unwrap();
    assert_eq!(
        (kp.key_type, form),
        (PurposeTag::Gmk, Some(PlaintextForm::Bare))
    );
    // The GMK-ID is recovered from the GUK-ID with alice's URI.
    let gmk_id = mikey::mcx::derive::gmk_id_from_guk_id(
        &hex(&a["gmk_expected"]),
        v.key_id,
        a["alice_uri"].as_bytes(),
    )
    .unwrap();
    assert_eq!(gmk_id, id(&a["gmk_id_expected"]));

    let b = load("sw-alea-v3-csk-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.key_id, id(&a["csk_id_expected"]));
    assert_eq!(v.key_id.purpose(), PurposeTag::Csk);
    assert_eq!(v.rand, &hex(&a["csk_rand_expected"])[..]);
    assert!(
        v.key_params().is_none(),
        "the ALEA CSK message has no type-7 payload"
    );

    let b = load("sw-alea-v3-pck-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert!(v.quirks.contains(McxQuirk::GenericIdMapWithoutCs));
    assert_eq!(v.key_id.purpose(), PurposeTag::Pck);
}

#[test]
fn other_vendors_quirks_are_reported() {
    for f in [
        "sw-smartms-imessage-1.b64",
        "sw-wolfssl-helper-imessage.b64",
    ] {
        let b = load(f);
        let (m, q) = parse(&b);
        let v = IMessageView::new(&m, q).unwrap();
        assert!(v.quirks.contains(McxQuirk::IdrTrailingNul), "{f}");
        assert!(v.quirks.contains(McxQuirk::UidInIdrRole), "{f}");
        assert!(v.quirks.contains(McxQuirk::LegacyKeyParameters), "{f}");
        assert_eq!(v.kms_initiator, Some("streamwide.com"), "{f}");
        assert!(!v.profile_header(), "{f}: V = 1");
        let ext = v.extensions[0];
        assert_eq!((ext.ext_type, ext.data.len()), (GenExtType::Mcx, 21), "{f}");
    }
    // SOURCES.md: the wolfSSL helper message goes from alice@org.com to herself, UID 35bad79f...
    let b = load("sw-wolfssl-helper-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.initiator.id, v.responder.id);
    let Identity::Uid(uid) = v.initiator.id else {
        panic!()
    };
    assert!(uid.to_string().starts_with("35bad79f"));
    let b = load("sw-softil-csk-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(
        (v.initiator.id, v.responder.id),
        (
            Identity::Uri("sip:33666000333@server-rbonamy-vm.streamwide.com"),
            Identity::Uri("gms@streamwide.com")
        )
    );
    assert_eq!(v.key_id.purpose(), PurposeTag::Csk);
    assert!(v.key_params().is_none());
}

#[test]
fn views_refuse_what_is_not_a_sakke_i_message() {
    let b = load("gortsplib-mikey-a.hex");
    let (m, q) = parse(&b);
    assert!(IMessageView::new(&m, q).is_err());
    let b = load("sw-stw-ref-pck-imessage.b64");
    let (mut m, q) = parse(&b);
    m.payloads.retain(|p| !matches!(p, Payload::Rand(_)));
    assert!(IMessageView::new(&m, q).is_err());
}

/// Rebuilds the Streamwide PCK message from its view: the unsigned part and SIGN give back
/// the published bytes.
#[test]
fn the_builder_reproduces_a_published_message() {
    let b = load("sw-stw-ref-pck-imessage.b64");
    let (m, q) = parse(&b);
    let v = IMessageView::new(&m, q).unwrap();
    let uid = |p: &mikey::mcx::imessage::Party| match p.id {
        Identity::Uid(u) => IdentityField::Uid(u.0),
        Identity::Uri(s) => IdentityField::Uri(s.to_string()),
    };
    let fields = IMessageFields {
        key_id: v.key_id,
        cs_map: v.header.cs_map.clone(),
        timestamp: v.timestamp,
        rand: v.rand.to_vec(),
        initiator: uid(&v.initiator),
        responder: uid(&v.responder),
        kms_initiator: v.kms_initiator.map(str::to_string),
        kms_responder: v.kms_responder.map(str::to_string),
        policies: v.policies.iter().map(|p| (*p).clone()).collect(),
        sakke: v.sakke.clone(),
        extensions: v.extensions.iter().map(|e| (*e).clone()).collect(),
    };
    let unsigned = fields.unsigned().unwrap();
    let sig_at = b.len() - 2 - 129;
    assert_eq!(unsigned.as_bytes(), &b[..sig_at]);
    assert_eq!(
        unsigned.to_be_signed(SignType::Eccsi, 129).unwrap(),
        &b[..sig_at + 2]
    );
    let signed = unsigned
        .append_sign(SignType::Eccsi, &v.sign.signature)
        .unwrap();
    assert_eq!(signed, b);
    assert!(UnsignedIMessage::sign_header(SignType::Eccsi, 4096).is_err());
}

#[test]
fn a_built_message_with_key_parameters_reads_back() {
    let gmk = [0x42u8; 16];
    let gmk_id = KeyId::new(0x0123_4567);
    let guk = mikey::mcx::derive::guk_id(&gmk, gmk_id, b"sip:bob@example.org").unwrap();
    let kp = mikey::mcx::KeyParameters::new(PurposeTag::Gmk, 1, 0, 0);
    let form = PlaintextForm::STANDARD;
    let mut e = |b: &mut [u8]| b.fill(0x33);
    let ext = ext7::build(
        &kp,
        form,
        ProtectedFields::key_parameters(0x43, 0, guk),
        &gmk,
        &mut e,
    )
    .unwrap();
    let fields = IMessageFields {
        key_id: guk,
        cs_map: CsIdMap::Empty { count: 0 },
        timestamp: mikey::wire::Timestamp::ntp_utc(0xec89_8da8_0000_0000),
        rand: vec![1; 16],
        initiator: IdentityField::Uri("sip:gms@example.org".into()),
        responder: IdentityField::Uid([9; 32]),
        kms_initiator: Some("kms.example.org".into()),
        kms_responder: None,
        policies: vec![],
        sakke: mikey::wire::SakkePayload {
            params: SakkeParams::Set1,
            id_scheme: SakkeIdScheme::Unknown(2),
            data: vec![4; 273].into(),
        },
        extensions: vec![ext],
    };
    let bytes = fields
        .unsigned()
        .unwrap()
        .append_sign(SignType::Eccsi, &[7; 129])
        .unwrap();
    let (m, q) = Message::parse_with(&bytes, ParseOptions::STRICT).unwrap();
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.key_id, guk);
    assert_eq!(v.initiator.id, Identity::Uri("sip:gms@example.org"));
    assert_eq!(v.kms_responder, None);
    let (back, f) = v
        .key_params()
        .unwrap()
        .unwrap()
        .key_parameters(&gmk)
        .unwrap();
    assert_eq!((back, f), (kp, Some(form)));
    let mut long = fields.clone();
    long.rand = vec![0; 256];
    assert!(long.unsigned().is_err());

    // Identities of 256 octets and more keep their full 16-bit length (some encoders zero
    // its high octet); beyond 65535 octets the builder refuses rather than truncates.
    let uri = format!("sip:{}@example.org", "u".repeat(300));
    let mut wide = fields.clone();
    wide.initiator = IdentityField::Uri(uri.clone());
    let bytes = wide
        .unsigned()
        .unwrap()
        .append_sign(SignType::Eccsi, &[7; 129])
        .unwrap();
    let (m, q) = Message::parse_with(&bytes, ParseOptions::STRICT).unwrap();
    let v = IMessageView::new(&m, q).unwrap();
    assert_eq!(v.initiator.id, Identity::Uri(&uri));
    wide.initiator = IdentityField::Uri("u".repeat(65536));
    assert!(matches!(
        wide.unsigned(),
        Err(mikey::mcx::McxError::TooLong { len: 65536, .. })
    ));
}
