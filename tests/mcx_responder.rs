//! The MIKEY-SAKKE mode of the responder engine (`session::sakke::SakkeResponder`): the
//! engine's timestamp window and replay cache, the mode's trust, signature and pairing
//! checks, and the keys and media parameters of accepted bundles.
#![cfg(feature = "sakke")]

mod common;
mod mcx_common;
use common::{hex, load};
use mcx_common::{key_id, stw_certificate, stw_key_set, stw_section};
use mikey::crypto::OsEntropy;
use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, TrustedKms, UserKeys};
use mikey::mcx::{media, KeyPeriod, PurposeTag};
use mikey::session::sakke::SakkeResponder;
use mikey::session::{ResponderConfig, SessionError};
use std::sync::Arc;
use std::time::Duration;

const NOW: Duration = Duration::from_secs(1_764_892_800);
const PERIOD: KeyPeriod = KeyPeriod {
    length: 2_592_000,
    offset: 0,
};

/// Bob's URI (a user of the second KMS).
const BOB: &str = "sip:bob@b.example.org";

/// Two KMSs, both trusted: A (named as the test asks) and B ("kms-b.example.org", Bob's),
/// and the number of the key period now.
struct TwoKms {
    a: Kms,
    b: Kms,
    trust: KmsTrust,
    kb: Arc<TrustedKms>,
    no: u64,
}

impl TwoKms {
    fn new(a_uri: &str) -> Self {
        let a = Kms::generate(a_uri, PERIOD, &mut OsEntropy).unwrap();
        let b = Kms::generate("kms-b.example.org", PERIOD, &mut OsEntropy).unwrap();
        let mut trust = KmsTrust::new();
        trust.add(a.certificate()).unwrap();
        let kb = trust.add(b.certificate()).unwrap();
        let no = PERIOD.number_at(NOW).unwrap();
        TwoKms {
            a,
            b,
            trust,
            kb,
            no,
        }
    }

    /// A user of `kms`, provisioned for this key period.
    fn user(&self, kms: &Kms, uri: &str) -> UserKeys {
        mcx_common::provisioned(kms, uri, self.no)
    }

    /// Bob, as a recipient.
    fn to_bob(&self) -> Recipient<'_> {
        Recipient {
            uri: BOB.into(),
            kms: &self.kb,
            period_no: self.no,
        }
    }
}

#[test]
fn the_responder_keys_bundles_from_i_messages() {
    let mut rng = OsEntropy;
    let w = TwoKms::new("kms-a.example.org");
    let (a, b, trust, kb) = (&w.a, &w.b, w.trust.clone(), &w.kb);
    let user = |k: &Kms, uri: &str| w.user(k, uri);
    let gms = user(a, "sip:gms@a.example.org");
    let to_bob = w.to_bob();
    let gmk = DistributedKey::generate(PurposeTag::Gmk, &mut rng).unwrap();
    let bytes = make(
        &gms,
        &to_bob,
        &gmk,
        &MakeOptions::new(NOW, [4; 16]),
        &mut rng,
    )
    .unwrap();

    // Bob trusts only his own KMS: the GMS's KMS is refused, with a typed error.
    let mut only_b = KmsTrust::new();
    only_b.insert(kb.clone());
    let mut r = SakkeResponder::new(user(b, BOB), only_b, ResponderConfig::default());
    assert_eq!(
        r.handle(&bytes, NOW).unwrap_err().error,
        SessionError::UntrustedKms("kms-a.example.org".into())
    );

    let mut r = SakkeResponder::new(user(b, BOB), trust.clone(), ResponderConfig::default());
    // Altered: refused at the signature.
    let mut t = bytes.clone();
    t[40] ^= 0x80;
    assert_eq!(
        r.handle(&t, NOW).unwrap_err().error,
        SessionError::AuthFailure
    );
    // Outside the engine's window.
    assert_eq!(
        r.handle(&bytes, NOW + Duration::from_secs(3600))
            .unwrap_err()
            .error,
        SessionError::InvalidTimestamp
    );
    let ok = r.handle(&bytes, NOW).unwrap();
    assert_eq!(ok.response, None, "MIKEY-SAKKE has no verification message");
    let guk = gmk.csb_id(BOB).unwrap();
    assert_eq!(ok.csb_id, guk.value());
    let (purpose, id, key) = r.key(ok.csb_id).unwrap();
    assert_eq!((purpose, id), (PurposeTag::Gmk, gmk.key_id()));
    assert_eq!(key.as_bytes(), gmk.key().as_bytes());
    // A replay is refused by the engine's cache.
    assert_eq!(
        r.handle(&bytes, NOW).unwrap_err().error,
        SessionError::Replay
    );
    // The media of the GMS, as Bob derives them, are the GMS's own.
    let theirs = media::group_srtp(
        gmk.key().as_bytes(),
        gmk.key_id(),
        b"sip:gms@a.example.org",
        &[4; 16],
        0,
    )
    .unwrap();
    let ours = r.media(ok.csb_id, "sip:gms@a.example.org", 0).unwrap();
    assert_eq!(ours.master_key.as_bytes(), theirs.master_key.as_bytes());
    assert_eq!(ours.mki, theirs.mki);

    // Not for Carol (same KMS as Bob).
    let mut carol = SakkeResponder::new(
        user(b, "sip:carol@b.example.org"),
        trust,
        ResponderConfig::default(),
    );
    assert!(carol.handle(&bytes, NOW).is_err());
    assert!(carol.csb_ids().next().is_none());
}

#[test]
fn the_responder_opens_the_streamwide_pck_message() {
    let t = stw_section("Test 3:");
    let bytes = load("sw-stw-ref-pck-imessage.b64");
    let (m, _) =
        mikey::wire::Message::parse_with(&bytes, mikey::wire::ParseOptions::LENIENT).unwrap();
    let sent = m
        .payloads
        .iter()
        .find_map(|p| match p {
            mikey::wire::Payload::T(t) => t.to_unix(),
            _ => None,
        })
        .unwrap();
    let bob = UserKeys::load(&stw_certificate(), &stw_key_set("sip:bob@streamwide.com")).unwrap();
    let mut trust = KmsTrust::new();
    trust.add(stw_certificate()).unwrap();
    let mut r = SakkeResponder::new(bob, trust, ResponderConfig::default());
    let ok = r.handle(&bytes, sent).unwrap();
    let (purpose, id, key) = r.key(ok.csb_id).unwrap();
    assert_eq!(purpose, PurposeTag::Pck);
    assert_eq!(id, key_id(&t["PCK-ID"]));
    assert_eq!(key.as_bytes(), &hex(&t["PCK"])[..]);
    let p = r.media(ok.csb_id, "sip:alice@streamwide.com", 0).unwrap();
    assert_eq!(p.mki, Some(id.to_bytes().to_vec()));
}

/// Shipped stacks write the 16-bit ID len of an identity of 256 octets or more with its high
/// octet 0 (`wire::Quirk::IdrLenHighOctetZero`): a lenient responder accepts and reports it,
/// a strict one refuses the message at the IDR's length with a parse error.
#[test]
fn an_idr_length_with_a_zero_high_octet_is_accepted_leniently_and_reported() {
    use mikey::wire::{IdRole, MessageView, Payload, Quirk};
    let mut rng = OsEntropy;
    let long_uri = format!("kms-{}.example.org", "k".repeat(300));
    let w = TwoKms::new(&long_uri);
    let (a, b, trust) = (&w.a, &w.b, &w.trust);
    let user = |k: &Kms, uri: &str| w.user(k, uri);
    let alice = user(a, "sip:alice@a.example.org");
    let to_bob = w.to_bob();
    let pck = DistributedKey::generate(PurposeTag::Pck, &mut rng).unwrap();
    let opts = MakeOptions::new(NOW, [6; 16]);
    let bytes = make(&alice, &to_bob, &pck, &opts, &mut rng).unwrap();

    // IDRkmsi carries the 322-octet KMS URI: write its length's high octet as 0 and sign
    // the message again with Alice's SSK (the standard span, up to the signature).
    let view = MessageView::parse(&bytes).unwrap();
    let at = view
        .payloads_with_offsets()
        .find_map(|(o, p)| match p {
            Payload::Idr(i) if i.role == IdRole::InitiatorKms => Some(o + 3),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        bytes[at..at + 2],
        u16::try_from(long_uri.len()).unwrap().to_be_bytes()
    );
    let sig_at = bytes.len() - 129;
    let mut quirky = bytes[..sig_at].to_vec();
    quirky[at] = 0;
    let sig = alice.signer().sign(&quirky, &mut OsEntropy).unwrap();
    quirky.extend_from_slice(&sig);

    // Strict (the default): refused at the IDR with a parse error, nothing installed.
    let mut strict = SakkeResponder::new(user(b, BOB), trust.clone(), ResponderConfig::default());
    match strict.handle(&quirky, NOW).unwrap_err().error {
        SessionError::Parse(e) => assert_eq!(e.payload, "IDR", "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(strict.csb_ids().next().is_none());
    // The well-formed message is accepted and reports nothing.
    let ok = strict.handle(&bytes, NOW).unwrap();
    assert!(ok.quirks.is_empty());

    // Lenient: accepted, the quirk reported, the key recovered.
    let cfg = ResponderConfig {
        lenient: true,
        ..ResponderConfig::default()
    };
    let mut lenient = SakkeResponder::new(user(b, BOB), trust.clone(), cfg);
    let ok = lenient.handle(&quirky, NOW).unwrap();
    assert!(ok.quirks.contains(Quirk::IdrLenHighOctetZero));
    let (purpose, id, key) = lenient.key(ok.csb_id).unwrap();
    assert_eq!((purpose, id), (PurposeTag::Pck, pck.key_id()));
    assert_eq!(key.as_bytes(), pck.key().as_bytes());
    // `mcx::imessage_open::open` (which parses leniently) reports it among the MCX quirks.
    let o = mikey::mcx::imessage_open::open(
        &quirky,
        &user(b, BOB),
        trust,
        &mikey::mcx::imessage_open::OpenOptions::at(NOW),
    )
    .unwrap();
    assert!(o.quirks.contains(mikey::mcx::McxQuirk::IdrLenHighOctetZero));
    // The signature covers the zero octet: the message with the correct length but the
    // quirky message's signature is refused.
    let mut mixed = bytes[..sig_at].to_vec();
    mixed.extend_from_slice(&sig);
    assert_eq!(
        lenient.handle(&mixed, NOW).unwrap_err().error,
        SessionError::AuthFailure
    );
}
