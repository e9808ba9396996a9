//! Making and opening MIKEY-SAKKE I_MESSAGEs (TS 33.180 E.2 to E.4): every Streamwide and
//! ALEA message with published key material opens to the key and key id its source asserts
//! (testvectors/SOURCES.md section 3), messages this crate makes open for their receiver
//! (also across two KMSs), and altered messages are refused before any pairing.
#![cfg(feature = "sakke")]

mod common;
mod mcx_common;
use common::{hex, load};
use mcx_common::{alea, alea_material, key_id, stw_certificate, stw_key_set, stw_section};
use mikey::crypto::eccsi::EccsiError;
use mikey::crypto::OsEntropy;
use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use mikey::mcx::imessage_open::{open, OpenOptions, SenderId, SignatureSpan};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::{
    KeyId, KeyParameters, KeyPeriod, McxQuirk, MikeySakkeError, PlaintextForm, PurposeTag,
};
use mikey::srtp::SrtpSuite;
use std::time::Duration;

const NOW: Duration = Duration::from_secs(1_764_892_800);
const PERIOD: KeyPeriod = KeyPeriod {
    length: 2_592_000,
    offset: 0,
};

fn stw_user(uri: &str) -> UserKeys {
    UserKeys::load(&stw_certificate(), &stw_key_set(uri)).unwrap()
}

fn stw_trust() -> KmsTrust {
    let mut t = KmsTrust::new();
    t.add(stw_certificate()).unwrap();
    t
}

#[test]
fn streamwide_reference_messages_open_to_their_keys() {
    let trust = stw_trust();
    for (file, title, receiver, key, id) in [
        (
            "sw-stw-ref-gmk-imessage.b64",
            "Test 1:",
            "sip:alice@streamwide.com",
            "GMK",
            "GMK-ID",
        ),
        (
            "sw-stw-ref-csk-imessage.b64",
            "Test 2:",
            "gms@streamwide.com",
            "CSK",
            "CSK-ID",
        ),
        (
            "sw-stw-ref-pck-imessage.b64",
            "Test 3:",
            "sip:bob@streamwide.com",
            "PCK",
            "PCK-ID",
        ),
        (
            "sw-stw-ref-gmk-legacy-iwf-imessage.b64",
            "Test 4:",
            "sip:iwf_legacy_v1.1.x_format@streamwide.com",
            "GMK",
            "GMK-ID",
        ),
    ] {
        let t = stw_section(title);
        let me = stw_user(receiver);
        let o = open(&load(file), &me, &trust, &OpenOptions::any_time())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(o.key.as_bytes(), &hex(&t[key])[..], "{file}");
        assert_eq!(o.key_id, key_id(&t[id]), "{file}");
        assert_eq!(o.span, SignatureSpan::Standard, "{file}");
        assert_eq!(o.sender_kms, "kms.mydev.streamwide.com");
        let (kp, _) = o.key_params.clone().expect("type-7 payload");
        assert_eq!(kp.key_type, o.purpose, "{file}");
        if o.purpose != PurposeTag::Csk {
            let p = o.srtp(0).unwrap();
            assert_eq!(p.suite, SrtpSuite::AeadAes128Gcm);
            assert!(p.context().is_ok(), "{file}");
        } else {
            assert!(o.srtp(0).is_err(), "a CSK keys no media");
        }
    }
}

#[test]
fn alea_messages_open_to_their_keys() {
    let a = alea();
    let load_user = |n: &str| {
        let (cert, set) = alea_material(n);
        (UserKeys::load(&cert, &set).unwrap(), cert)
    };
    let (alice, cert) = load_user("alice");
    let (gms2, _) = load_user("gms2");
    let mut trust = KmsTrust::new();
    trust.add(cert).unwrap();
    let any = OpenOptions::any_time();
    let o = open(&load("sw-alea-v3-gmk-imessage.b64"), &alice, &trust, &any).unwrap();
    assert_eq!(o.key.as_bytes(), &hex(&a["gmk_expected"])[..]);
    assert_eq!(o.key_id, key_id(&a["gmk_id_expected"]));
    assert_eq!(o.csb_id, key_id(&a["gmk_guk_id_expected"]));
    assert_eq!(o.rand, hex(&a["gmk_rand_expected"]));
    assert!(o.quirks.contains(McxQuirk::RocTxRateOneOctet));
    assert!(o.key_params.is_some());
    assert_eq!(o.span, SignatureSpan::Standard);
    let o = open(&load("sw-alea-v3-csk-imessage.b64"), &gms2, &trust, &any).unwrap();
    assert_eq!(o.key.as_bytes(), &hex(&a["csk_expected"])[..]);
    assert_eq!(o.key_id, key_id(&a["csk_id_expected"]));
    assert_eq!(o.purpose, PurposeTag::Csk);
    // Bob's published key set does not validate (SOURCES.md): it is refused before use.
    let (cert, set) = alea_material("bob");
    assert!(UserKeys::load(&cert, &set).is_err());
}

#[test]
fn a_message_for_someone_else_or_from_an_untrusted_kms_is_refused() {
    let b = load("sw-stw-ref-pck-imessage.b64");
    let alice = stw_user("sip:alice@streamwide.com");
    let any = OpenOptions::any_time();
    assert_eq!(
        open(&b, &alice, &stw_trust(), &any).unwrap_err(),
        MikeySakkeError::NotForUs
    );
    let bob = stw_user("sip:bob@streamwide.com");
    assert_eq!(
        open(&b, &bob, &KmsTrust::new(), &any).unwrap_err(),
        MikeySakkeError::UntrustedKms("kms.mydev.streamwide.com".into())
    );
    // The 2025 message is far outside a 5-minute window at NOW.
    assert_eq!(
        open(&b, &bob, &stw_trust(), &OpenOptions::at(NOW)).unwrap_err(),
        MikeySakkeError::Timestamp
    );
}

struct World {
    trust: KmsTrust,
    alice: UserKeys,
    bob: UserKeys,
    carol: UserKeys,
}

/// Alice at KMS A, Bob and Carol at KMS B; everyone trusts both KMSs.
fn two_kms_world() -> World {
    let mut rng = OsEntropy;
    let a = Kms::generate("kms-a.example.org", PERIOD, &mut rng).unwrap();
    let b = Kms::generate("kms-b.example.org", PERIOD, &mut rng).unwrap();
    let mut trust = KmsTrust::new();
    trust.add(a.certificate()).unwrap();
    trust.add(b.certificate()).unwrap();
    let no = PERIOD.number_at(NOW).unwrap();
    let user = |k: &Kms, uri: &str| mcx_common::provisioned(k, uri, no);
    World {
        alice: user(&a, "sip:alice@a.example.org"),
        bob: user(&b, "sip:bob@b.example.org"),
        carol: user(&b, "sip:carol@b.example.org"),
        trust,
    }
}

fn to<'k>(w: &'k World, u: &UserKeys) -> Recipient<'k> {
    Recipient {
        uri: u.user_uri().to_string(),
        kms: w.trust.get(u.kms().uri()).unwrap(),
        period_no: u.period_no(),
    }
}

#[test]
fn made_messages_open_across_two_kmss() {
    let w = two_kms_world();
    let mut rng = OsEntropy;
    for purpose in [PurposeTag::Gmk, PurposeTag::Pck, PurposeTag::Csk] {
        let key = DistributedKey::generate(purpose, &mut rng).unwrap();
        let mut opts = MakeOptions::new(NOW, [5; 16]);
        let kp = KeyParameters::new(purpose, 1, 0, 0);
        opts.key_params = Some((kp.clone(), PlaintextForm::STANDARD));
        let bytes = make(&w.alice, &to(&w, &w.bob), &key, &opts, &mut rng).unwrap();
        let o = open(&bytes, &w.bob, &w.trust, &OpenOptions::at(NOW)).unwrap();
        assert_eq!(o.key.as_bytes(), key.key().as_bytes());
        assert_eq!(o.key_id, key.key_id());
        assert_eq!(o.csb_id, key.csb_id(w.bob.user_uri()).unwrap());
        assert_eq!(o.sender, SenderId::Uid(w.alice.uid()));
        assert_eq!(o.sender_kms, "kms-a.example.org");
        assert_eq!(o.span, SignatureSpan::Standard);
        assert_eq!(
            o.key_params,
            Some((kp, Some(PlaintextForm::STANDARD))),
            "{purpose:?}"
        );
        assert!(o.quirks.is_empty());
        // Not for Carol; and Bob refuses it once he no longer trusts KMS A.
        assert_eq!(
            open(&bytes, &w.carol, &w.trust, &OpenOptions::at(NOW)).unwrap_err(),
            MikeySakkeError::NotForUs
        );
        let mut only_b = KmsTrust::new();
        only_b.insert(w.trust.get("kms-b.example.org").unwrap().clone());
        assert_eq!(
            open(&bytes, &w.bob, &only_b, &OpenOptions::at(NOW)).unwrap_err(),
            MikeySakkeError::UntrustedKms("kms-a.example.org".into())
        );
    }
    // The other direction (B to A), a PCK: both sides derive the same media keys.
    let key = DistributedKey::new(PurposeTag::Pck, [7; 16], KeyId::new(0x1234_5678)).unwrap();
    let bytes = make(
        &w.bob,
        &to(&w, &w.alice),
        &key,
        &MakeOptions::new(NOW, [6; 16]),
        &mut rng,
    )
    .unwrap();
    let o = open(&bytes, &w.alice, &w.trust, &OpenOptions::at(NOW)).unwrap();
    let theirs = mikey::mcx::media::private_srtp(&[7; 16], key.key_id(), &[6; 16], 0).unwrap();
    let ours = o.srtp(0).unwrap();
    assert_eq!(ours.master_key.as_bytes(), theirs.master_key.as_bytes());
    assert_eq!(ours.master_salt.as_bytes(), theirs.master_salt.as_bytes());
    assert_eq!(ours.mki, Some(vec![0x12, 0x34, 0x56, 0x78]));
}

/// The F_p operations (multiplications, inversions) SAKKE performed while `f` ran: zero
/// means no pairing and no point arithmetic over F_p.
#[cfg(feature = "sakke-count")]
fn fp_ops<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let (m0, i0) = mikey::crypto::sakke::operation_counts();
    let out = f();
    let (m1, i1) = mikey::crypto::sakke::operation_counts();
    (out, m1 - m0 + i1 - i0)
}

#[cfg(not(feature = "sakke-count"))]
fn fp_ops<T>(f: impl FnOnce() -> T) -> (T, u64) {
    (f(), 0)
}

#[test]
fn altered_messages_are_refused_before_any_pairing() {
    let w = two_kms_world();
    let key = DistributedKey::generate(PurposeTag::Gmk, &mut OsEntropy).unwrap();
    let mut opts = MakeOptions::new(NOW, [5; 16]);
    opts.key_params = Some((
        KeyParameters::new(PurposeTag::Gmk, 1, 0, 0),
        PlaintextForm::Bare,
    ));
    let bytes = make(&w.alice, &to(&w, &w.bob), &key, &opts, &mut OsEntropy).unwrap();
    let at = OpenOptions::at(NOW);
    let (ok, ops) = fp_ops(|| open(&bytes, &w.bob, &w.trust, &at));
    ok.unwrap();
    if cfg!(feature = "sakke-count") {
        assert!(ops > 1_000, "a good message costs a pairing: {ops}");
    }
    // Every single-bit flip (one bit per octet, each bit position in turn).
    for i in 0..bytes.len() {
        let mut t = bytes.clone();
        t[i] ^= 1 << (i % 8);
        let (r, ops) = fp_ops(|| open(&t, &w.bob, &w.trust, &at));
        assert!(r.is_err(), "flip at {i} accepted");
        assert_eq!(ops, 0, "flip at {i}: {r:?}");
    }
    // Every truncation, and an extra octet.
    for n in 0..bytes.len() {
        let (r, ops) = fp_ops(|| open(&bytes[..n], &w.bob, &w.trust, &at));
        assert!(r.is_err(), "truncation to {n} accepted");
        assert_eq!(ops, 0, "truncation to {n}");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(open(&long, &w.bob, &w.trust, &at).is_err());
    // A signature by someone else (Carol signs Alice's message as Alice): refused at the
    // signature, no pairing.
    let sig_at = bytes.len() - 129;
    let forged = w
        .carol
        .signer()
        .sign(&bytes[..sig_at], &mut OsEntropy)
        .unwrap();
    let mut t = bytes[..sig_at].to_vec();
    t.extend_from_slice(&forged);
    let (r, ops) = fp_ops(|| open(&t, &w.bob, &w.trust, &at));
    assert_eq!(
        r.unwrap_err(),
        MikeySakkeError::Eccsi(EccsiError::BadSignature)
    );
    assert_eq!(ops, 0);
}

#[test]
fn the_other_signature_span_is_accepted_and_reported() {
    let w = two_kms_world();
    let key = DistributedKey::generate(PurposeTag::Pck, &mut OsEntropy).unwrap();
    let bytes = make(
        &w.alice,
        &to(&w, &w.bob),
        &key,
        &MakeOptions::new(NOW, [5; 16]),
        &mut OsEntropy,
    )
    .unwrap();
    // Re-sign without SIGN's type and length octets, as some shipped stacks do.
    let sig_at = bytes.len() - 129;
    let sig = w
        .alice
        .signer()
        .sign(&bytes[..sig_at - 2], &mut OsEntropy)
        .unwrap();
    let mut t = bytes[..sig_at].to_vec();
    t.extend_from_slice(&sig);
    let o = open(&t, &w.bob, &w.trust, &OpenOptions::at(NOW)).unwrap();
    assert_eq!(o.span, SignatureSpan::WithoutSignHeader);
    assert_eq!(o.key.as_bytes(), key.key().as_bytes());
}

#[test]
fn kms_documents_round_trip_and_key_material_is_validated() {
    use mikey::mcx::kms::{KmsMessage, KmsResponse};
    let mut rng = OsEntropy;
    let kms = Kms::generate("kms.example.org", PERIOD, &mut rng).unwrap();
    let init = KmsResponse::from_xml(
        &kms.init_response("sip:alice@example.org", NOW)
            .to_xml()
            .unwrap(),
    )
    .unwrap();
    let Some(KmsMessage::Init(init)) = init.message else {
        panic!()
    };
    assert_eq!(init.certificate, kms.certificate());
    let no = PERIOD.number_at(NOW).unwrap();
    let alice = kms
        .provision("sip:alice@example.org", no, &mut rng)
        .unwrap();
    let bob = kms.provision("sip:bob@example.org", no, &mut rng).unwrap();
    let prov = kms.key_prov_response("sip:alice@example.org", NOW, vec![alice.clone()]);
    let back = KmsResponse::from_xml(&prov.to_xml().unwrap()).unwrap();
    let Some(KmsMessage::KeyProv(p)) = back.message else {
        panic!()
    };
    assert_eq!(p.key_sets, vec![alice.clone()]);
    let keys = UserKeys::load(&init.certificate, &p.key_sets[0]).unwrap();
    assert_eq!(
        keys.uid(),
        mikey::mcx::Uid::derive(b"sip:alice@example.org", b"kms.example.org", PERIOD, no).unwrap()
    );
    assert!(alice.user_id_matches(&init.certificate));
    // The KMS is restored from its certificate and secrets, and refuses foreign secrets.
    let cert = kms.certificate();
    let again = Kms::from_certificate(
        &cert,
        kms.ksak_bytes().as_bytes(),
        kms.master_secret_bytes().as_bytes(),
    )
    .unwrap();
    assert_eq!(again.certificate(), cert);
    let other = Kms::generate("kms.example.org", PERIOD, &mut rng).unwrap();
    assert!(Kms::from_certificate(
        &cert,
        other.ksak_bytes().as_bytes(),
        kms.master_secret_bytes().as_bytes()
    )
    .is_err());
    assert!(Kms::from_certificate(
        &cert,
        kms.ksak_bytes().as_bytes(),
        other.master_secret_bytes().as_bytes()
    )
    .is_err());

    // Key sets that do not validate are refused before use.
    let mut swapped = alice.clone();
    swapped.user_decrypt_key = bob.user_decrypt_key.clone();
    assert_eq!(
        UserKeys::load(&cert, &swapped).unwrap_err(),
        MikeySakkeError::Sakke(mikey::crypto::sakke::SakkeError::RskValidation)
    );
    let mut swapped = alice.clone();
    swapped.user_signing_key = bob.user_signing_key.clone();
    assert_eq!(
        UserKeys::load(&cert, &swapped).unwrap_err(),
        MikeySakkeError::Eccsi(EccsiError::SskValidation)
    );
    let mut renamed = alice.clone();
    renamed.user_uri = "sip:mallory@example.org".into();
    assert!(matches!(
        UserKeys::load(&cert, &renamed).unwrap_err(),
        MikeySakkeError::KeyMaterial { what: "UserID", .. }
    ));
    let mut foreign = alice.clone();
    foreign.kms_uri = "kms.other.org".into();
    assert!(matches!(
        UserKeys::load(&cert, &foreign).unwrap_err(),
        MikeySakkeError::KeyMaterial { what: "KmsUri", .. }
    ));
    // Under another KMS's certificate (same URI, other keys) nothing validates.
    assert!(UserKeys::load(&other.certificate(), &alice).is_err());
    let mut revoked = alice;
    revoked.revoked = Some(true);
    assert!(UserKeys::load(&cert, &revoked).is_err());
}

/// A KMS that issues keys for the lower-case hex text of the UID (seen in the field): the
/// key set loads, its user signs with that identifier, and the receiver accepts the
/// signature and reports the quirk.
#[test]
fn keys_issued_for_the_uid_hex_text_load_and_sign() {
    use mikey::crypto::eccsi::Ksak;
    use mikey::crypto::sakke::{Identifier, MasterSecret};
    use mikey::mcx::kms::{UserId, UserIdForm};
    let w = two_kms_world();
    let mut rng = OsEntropy;
    let k = Kms::generate("kms-h.example.org", PERIOD, &mut rng).unwrap();
    let ksak = Ksak::from_bytes(k.ksak_bytes().as_bytes()).unwrap();
    let z = MasterSecret::from_bytes(k.master_secret_bytes().as_bytes()).unwrap();
    let no = PERIOD.number_at(NOW).unwrap();
    let uri = "sip:erin@h.example.org";
    let mut set = k.provision(uri, no, &mut rng).unwrap();
    let hex_id = set.user_id.uid().unwrap().hex_text().into_bytes();
    let (ssk, pvt) = ksak.issue(&hex_id, &mut rng).unwrap();
    let rsk = z.issue_rsk(&Identifier::new(&hex_id).unwrap()).unwrap();
    // The raw-UID keys do not validate for the hex text, and the reverse.
    let mut mixed = set.clone();
    mixed.user_id = UserId {
        bytes: hex_id.clone(),
        form: UserIdForm::HexText,
    };
    assert!(UserKeys::load(&k.certificate(), &mixed).is_err());
    set.user_id = mixed.user_id;
    set.user_signing_key = ssk.to_bytes();
    set.user_pub_token = pvt.to_bytes().to_vec();
    set.user_decrypt_key = rsk.to_bytes();
    let erin = UserKeys::load(&k.certificate(), &set).unwrap();
    assert_eq!(erin.identifier(), &hex_id[..]);
    let mut trust = w.trust.clone();
    trust.add(k.certificate()).unwrap();
    let key = DistributedKey::generate(PurposeTag::Pck, &mut rng).unwrap();
    let bytes = make(
        &erin,
        &to(&w, &w.bob),
        &key,
        &MakeOptions::new(NOW, [8; 16]),
        &mut rng,
    )
    .unwrap();
    let o = open(&bytes, &w.bob, &trust, &OpenOptions::at(NOW)).unwrap();
    assert!(o.quirks.contains(McxQuirk::KmsUserIdHexText));
    assert_eq!(o.key.as_bytes(), key.key().as_bytes());
    // To Erin: her KMS marked as issuing for the hex text, so Bob encapsulates to it.
    let marked = std::sync::Arc::new(
        mikey::mcx::user_keys::TrustedKms::new(k.certificate())
            .unwrap()
            .with_hex_text_user_ids(true),
    );
    trust.insert(marked.clone());
    let to_erin = Recipient {
        uri: uri.into(),
        kms: &marked,
        period_no: no,
    };
    assert_eq!(to_erin.identifier().unwrap(), hex_id);
    let bytes = make(
        &w.bob,
        &to_erin,
        &key,
        &MakeOptions::new(NOW, [9; 16]),
        &mut rng,
    )
    .unwrap();
    let o = open(&bytes, &erin, &trust, &OpenOptions::at(NOW)).unwrap();
    assert_eq!(o.key.as_bytes(), key.key().as_bytes());
    // Unmarked, the message goes to the raw UID, which her keys do not decapsulate.
    let plain = mikey::mcx::user_keys::TrustedKms::new(k.certificate()).unwrap();
    let to_raw = Recipient {
        uri: uri.into(),
        kms: &plain,
        period_no: no,
    };
    let bytes = make(
        &w.bob,
        &to_raw,
        &key,
        &MakeOptions::new(NOW, [9; 16]),
        &mut rng,
    )
    .unwrap();
    assert!(matches!(
        open(&bytes, &erin, &trust, &OpenOptions::at(NOW)).unwrap_err(),
        MikeySakkeError::Sakke(_)
    ));
}
