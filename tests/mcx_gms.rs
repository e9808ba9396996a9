//! A group management server keys a group across two KMSs with a GMK (one I_MESSAGE per
//! member), a member joins and gets the current GMK, one leaves and the others get a new
//! one; the members' media keys agree and SRTP packets protected by one open for another.
#![cfg(feature = "sakke")]

use mikey::crypto::OsEntropy;
use mikey::mcx::gms::{GroupManagementServer, KeyingMessage, Member};
use mikey::mcx::imessage_open::{open, OpenOptions, OpenedIMessage};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::{KeyPeriod, MikeySakkeError, PurposeTag};
use std::collections::BTreeMap;
use std::time::Duration;

const NOW: Duration = Duration::from_secs(1_764_892_800);
const PERIOD: KeyPeriod = KeyPeriod {
    length: 2_592_000,
    offset: 0,
};

/// An RTP packet: version 2, PT 0, sequence `seq`, SSRC `ssrc`, 20 octets of payload.
fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&1000u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0x55; 20]);
    p
}

/// Each member opens its message; returns what each opened.
fn deliver(
    msgs: &[KeyingMessage],
    users: &BTreeMap<String, UserKeys>,
    trust: &KmsTrust,
) -> BTreeMap<String, OpenedIMessage> {
    msgs.iter()
        .map(|m| {
            let me = &users[&m.member_uri];
            let o = open(&m.bytes, me, trust, &OpenOptions::at(NOW)).unwrap();
            (m.member_uri.clone(), o)
        })
        .collect()
}

/// Every member's view of `sender`'s media equals the sender's own, and a packet the sender
/// protects opens for every other member.
fn media_agree(opened: &BTreeMap<String, OpenedIMessage>, sender: &str) {
    let own = opened[sender].srtp(0).unwrap();
    let mut tx = own.context().unwrap();
    for (uri, o) in opened {
        assert_eq!(o.purpose, PurposeTag::Gmk);
        let theirs = o.group_srtp_of(sender, 0).unwrap();
        assert_eq!(
            theirs.master_key.as_bytes(),
            own.master_key.as_bytes(),
            "{uri}"
        );
        assert_eq!(
            theirs.master_salt.as_bytes(),
            own.master_salt.as_bytes(),
            "{uri}"
        );
        assert_eq!(theirs.mki, own.mki, "{uri}");
        if uri != sender {
            let packet = rtp(7, 0x1234);
            let srtp = tx.protect_rtp(&packet).unwrap();
            let mut rx = theirs.context().unwrap();
            assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), packet, "{uri}");
        }
    }
}

#[test]
fn a_gms_keys_a_group_and_follows_joins_and_leaves() {
    let mut rng = OsEntropy;
    let a = Kms::generate("kms-a.example.org", PERIOD, &mut rng).unwrap();
    let b = Kms::generate("kms-b.example.org", PERIOD, &mut rng).unwrap();
    let mut trust = KmsTrust::new();
    trust.add(a.certificate()).unwrap();
    trust.add(b.certificate()).unwrap();
    let no = PERIOD.number_at(NOW).unwrap();
    let mut users = BTreeMap::new();
    let mut members = BTreeMap::new();
    for (kms, uri) in [
        (&a, "sip:alice@a.example.org"),
        (&b, "sip:bob@b.example.org"),
        (&b, "sip:carol@b.example.org"),
        (&a, "sip:dave@a.example.org"),
    ] {
        let set = kms.provision(uri, no, &mut rng).unwrap();
        users.insert(
            uri.to_string(),
            UserKeys::load(&kms.certificate(), &set).unwrap(),
        );
        let m = Member {
            uri: uri.into(),
            kms_uri: kms.uri().into(),
            period_no: no,
        };
        members.insert(uri.to_string(), m);
    }
    let gms_keys = UserKeys::load(
        &a.certificate(),
        &a.provision("sip:gms@a.example.org", no, &mut rng).unwrap(),
    )
    .unwrap();
    let mut gms = GroupManagementServer::new(gms_keys, trust.clone(), &mut rng).unwrap();

    // Alice, Bob and Carol are keyed.
    let mut sent = vec![];
    for uri in [
        "sip:alice@a.example.org",
        "sip:bob@b.example.org",
        "sip:carol@b.example.org",
    ] {
        sent.push(gms.join(members[uri].clone(), NOW, &mut rng).unwrap());
    }
    assert_eq!(gms.key_all(NOW, &mut rng).unwrap().len(), 3);
    let first = deliver(&sent, &users, &trust);
    let gmk1 = gms.gmk().key().as_bytes().to_vec();
    for o in first.values() {
        assert_eq!(o.key.as_bytes(), &gmk1[..]);
        assert_eq!(o.key_id, gms.gmk().key_id());
        assert_eq!(o.rand, gms.rand().to_vec());
    }
    // Each member's CSB ID is its own GUK-ID: they differ.
    let guks: std::collections::BTreeSet<_> = first.values().map(|o| o.csb_id.value()).collect();
    assert_eq!(guks.len(), 3);
    media_agree(&first, "sip:alice@a.example.org");
    media_agree(&first, "sip:bob@b.example.org");

    // Dave joins: he gets the current GMK and hears Alice.
    let to_dave = gms
        .join(members["sip:dave@a.example.org"].clone(), NOW, &mut rng)
        .unwrap();
    let mut all = first;
    all.extend(deliver(&[to_dave], &users, &trust));
    assert_eq!(all["sip:dave@a.example.org"].key.as_bytes(), &gmk1[..]);
    media_agree(&all, "sip:alice@a.example.org");
    media_agree(&all, "sip:dave@a.example.org");

    // Bob leaves: a new GMK for the three others, none for Bob.
    let rekey = gms.leave("sip:bob@b.example.org", NOW, &mut rng).unwrap();
    assert_eq!(rekey.len(), 3);
    assert!(rekey
        .iter()
        .all(|m| m.member_uri != "sip:bob@b.example.org"));
    let second = deliver(&rekey, &users, &trust);
    let gmk2 = gms.gmk().key().as_bytes().to_vec();
    assert_ne!(gmk1, gmk2);
    media_agree(&second, "sip:carol@b.example.org");
    // Bob cannot open any of them, and his old keys do not open the new media.
    for m in &rekey {
        let bob = &users["sip:bob@b.example.org"];
        assert_eq!(
            open(&m.bytes, bob, &trust, &OpenOptions::at(NOW)).unwrap_err(),
            MikeySakkeError::NotForUs
        );
    }
    let old = all["sip:bob@b.example.org"]
        .group_srtp_of("sip:carol@b.example.org", 0)
        .unwrap();
    let new = second["sip:carol@b.example.org"].srtp(0).unwrap();
    let srtp = new.context().unwrap().protect_rtp(&rtp(9, 0x77)).unwrap();
    assert!(old.context().unwrap().unprotect_rtp(&srtp).is_err());
    // Leaving twice, or a member of an untrusted KMS, is refused.
    assert!(gms.leave("sip:bob@b.example.org", NOW, &mut rng).is_err());
    let stranger = Member {
        uri: "sip:eve@c.example.org".into(),
        kms_uri: "kms-c.example.org".into(),
        period_no: no,
    };
    assert_eq!(
        gms.join(stranger, NOW, &mut rng).unwrap_err(),
        MikeySakkeError::UntrustedKms("kms-c.example.org".into())
    );
    assert_eq!(gms.members().count(), 3);
}
