//! Wireshark's MIKEY dissector (`epan/dissectors/packet-mikey.c`, through `tshark`) on the
//! MIKEY-SAKKE I_MESSAGEs this crate makes (RFC 6509, 3GPP TS 33.180 E.2 to E.4,
//! `mikey::mcx::imessage_make`).
//!
//! The test provisions a KMS and two users from a seeded generator (so the messages are the
//! same on every run), makes a GMK (with an SP payload), a PCK and a CSK I_MESSAGE, each
//! with the protected key parameters (general extension type 7), runs them through tshark as
//! `tshark.rs` does, and asserts that Wireshark finds every payload (HDR, T, RAND, the four
//! IDRs, SP, SAKKE, General Ext., SIGN) at exactly the offset and with exactly the bytes we
//! encoded, with nothing malformed and no expert item of error severity.
//!
//! tshark is required: without it the test fails (CI installs it).

mod tshark_common;

use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use mikey::mcx::imessage_open::{open, OpenOptions};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::{KeyParameters, KeyPeriod, PlaintextForm, PurposeTag};
use mikey::wire::{Message, ParseOptions, Payload, SrtpPolicy};
use std::time::Duration;
use tshark_common::{check_frame, dissect};

/// 2025-12-05T00:00:00Z, the messages' time.
const NOW: Duration = Duration::from_secs(1_764_892_800);
const PERIOD: KeyPeriod = KeyPeriod {
    length: 2_592_000,
    offset: 0,
};

/// A deterministic generator (SplitMix64) for keys, RAND and the ECCSI ephemerals: the
/// test's messages do not change between runs. Not for anything but tests.
fn seeded(mut state: u64) -> impl FnMut(&mut [u8]) {
    move |buf: &mut [u8]| {
        for chunk in buf.chunks_mut(8) {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_be_bytes()[..chunk.len()]);
        }
    }
}

/// The GMK (alice as the group management server to bob), PCK (alice to bob) and CSK
/// (bob to alice, client to server) I_MESSAGEs, each checked to open for its receiver.
fn sakke_messages() -> Vec<(&'static str, Vec<u8>)> {
    let mut rng = seeded(0x6d69_6b65_792d_7361);
    let kms = Kms::generate("kms.example.org", PERIOD, &mut rng).unwrap();
    let mut trust = KmsTrust::new();
    let cert = trust.add(kms.certificate()).unwrap();
    let no = PERIOD.number_at(NOW).unwrap();
    let mut user = |uri: &str| {
        let set = kms.provision(uri, no, &mut rng).unwrap();
        UserKeys::load(&kms.certificate(), &set).unwrap()
    };
    let alice = user("sip:alice@example.org");
    let bob = user("sip:bob@example.org");
    let to = |u: &UserKeys| Recipient {
        uri: u.user_uri().to_string(),
        kms: &cert,
        period_no: no,
    };
    let mut out = Vec::new();
    for (name, purpose, from, to_user, rand) in [
        (
            "ours: MIKEY-SAKKE GMK",
            PurposeTag::Gmk,
            &alice,
            &bob,
            [1; 16],
        ),
        (
            "ours: MIKEY-SAKKE PCK",
            PurposeTag::Pck,
            &alice,
            &bob,
            [2; 16],
        ),
        (
            "ours: MIKEY-SAKKE CSK",
            PurposeTag::Csk,
            &bob,
            &alice,
            [3; 16],
        ),
    ] {
        let key = DistributedKey::generate(purpose, &mut rng).unwrap();
        let mut opts = MakeOptions::new(NOW, rand);
        opts.key_params = Some((
            KeyParameters::new(purpose, 1, 0, 0),
            PlaintextForm::STANDARD,
        ));
        if purpose == PurposeTag::Gmk {
            opts.policies = vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()];
        }
        let bytes = make(from, &to(to_user), &key, &opts, &mut rng).unwrap();
        let opened = open(&bytes, to_user, &trust, &OpenOptions::at(NOW)).unwrap();
        assert_eq!(opened.key.as_bytes(), key.key().as_bytes(), "{name}");
        out.push((name, bytes));
    }
    out
}

#[test]
fn wireshark_dissects_our_mikey_sakke_messages_alike() {
    let msgs = sakke_messages();
    let bytes: Vec<Vec<u8>> = msgs.iter().map(|(_, b)| b.clone()).collect();
    let frames = dissect(&bytes, "sakke");
    assert_eq!(frames.len(), msgs.len());
    let mut checked = 0;
    for ((name, b), layers) in msgs.iter().zip(&frames) {
        let e = check_frame(name, layers, b, ParseOptions::STRICT);
        assert!(!e.generic_id && e.chash_at.is_none(), "{name}");
        // Every payload we encoded is among what was compared, at its offset.
        let (m, _) = Message::parse_with(b, ParseOptions::STRICT).unwrap();
        let view = mikey::wire::MessageView::parse(b).unwrap();
        let offsets: Vec<(usize, Payload<'_>)> = view.payloads_with_offsets().collect();
        assert_eq!(offsets.len(), m.payloads.len(), "{name}");
        let at = |kind: fn(&Payload<'_>) -> bool| -> Vec<usize> {
            offsets
                .iter()
                .filter(|(_, p)| kind(p))
                .map(|(o, _)| *o)
                .collect()
        };
        let sp = usize::from(name.ends_with("GMK"));
        for (field, kind, n) in [
            (
                "mikey.t",
                (|p| matches!(p, Payload::T(_))) as fn(&Payload<'_>) -> bool,
                1,
            ),
            ("mikey.rand", |p| matches!(p, Payload::Rand(_)), 1),
            ("mikey.idr", |p| matches!(p, Payload::Idr(_)), 4),
            ("mikey.sp", |p| matches!(p, Payload::Sp(_)), sp),
            ("mikey.sakke", |p| matches!(p, Payload::Sakke(_)), 1),
            ("mikey.ext", |p| matches!(p, Payload::GenExt(_)), 1),
            ("mikey.sign", |p| matches!(p, Payload::Sign(_)), 1),
        ] {
            let ours = at(kind);
            assert_eq!(ours.len(), n, "{name}: {field}");
            assert_eq!(e.payloads(field), ours, "{name}: {field}");
        }
        assert_eq!(e.payloads("mikey.hdr"), [0], "{name}");
        checked += e.checked();
    }
    eprintln!(
        "{} MIKEY-SAKKE messages, {checked} fields compared with Wireshark",
        msgs.len()
    );
}
