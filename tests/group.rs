//! Group keying (RFC 3830 §8.1) end to end: a thousand simulated PSK receivers join and
//! leave; every remaining receiver derives the source's SRTP keys; departed receivers cannot
//! open new keys; replies are authenticated per member; snapshots restore and split; errors
//! and silence become events.

mod common;
use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::session::group::GroupSnapshot;
use mikey::session::*;
use mikey::srtp::export::SrtpParams;
use mikey::wire::*;
use std::collections::BTreeMap;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0x1234_5678_9abc_def0u64;
    move |b: &mut [u8]| {
        for x in b {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = (n >> 33) as u8;
        }
    }
}

fn name(i: usize) -> MemberId {
    MemberId::new(format!("rx{i:04}@example.com"))
}

fn psk(i: usize) -> SecretBytes {
    let mut k = [0x5au8; 16];
    k[..8].copy_from_slice(&(i as u64).to_be_bytes());
    SecretBytes::from_slice(&k)
}

fn cfg() -> GroupConfig {
    GroupConfig {
        id_i: Some(Id::uri("sip:source@example.com")),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 0,
                ssrc: 0x5eed_0001,
                roc: 3,
            },
            SrtpCs {
                policy_no: 0,
                ssrc: 0x5eed_0002,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..GroupConfig::default()
    }
}

/// A simulated receiver: its PSK responder, answering with its IDr when `with_id`.
fn receiver(i: usize, with_id: bool) -> PskResponder {
    PskResponder::new(
        psk(i),
        ResponderConfig {
            id_r: with_id.then(|| Id::nai(name(i).as_str())),
            ..ResponderConfig::default()
        },
    )
}

fn has_rand(msg: &[u8]) -> bool {
    MessageView::parse(msg)
        .unwrap()
        .payloads()
        .any(|p| matches!(p, Payload::Rand(_)))
}

fn for_mki(p: &[SrtpParams], mki: u32) -> Vec<SrtpParams> {
    p.iter()
        .filter(|s| s.mki.as_deref() == Some(&mki.to_be_bytes()[..]))
        .cloned()
        .collect()
}

struct World {
    group: GroupController,
    rx: BTreeMap<MemberId, (usize, PskResponder)>,
}

impl World {
    /// Delivers every message, feeds every reply back (by IDr), checks keys.
    fn deliver(&mut self, msgs: &[(MemberId, Vec<u8>)], now: Duration) {
        let mki = self.group.current_mki().unwrap();
        let source = self.group.srtp_for(mki).unwrap();
        for (m, bytes) in msgs {
            let (_, r) = self.rx.get_mut(m).expect("message for a current member");
            let a = r.handle(bytes, now).unwrap();
            let reply = self
                .group
                .handle_reply_any(a.response.as_deref().unwrap(), now)
                .unwrap();
            assert_eq!((&reply.member, reply.mki, reply.verified), (m, mki, true));
            let theirs = r.srtp(self.group.csb_id()).unwrap();
            assert_eq!(
                for_mki(&theirs, mki),
                source,
                "{m} derives the source's keys"
            );
        }
    }
}

#[test]
fn thousand_members_join_leave_and_rekey() {
    let mut rng = rng();
    let mut now = NOW;
    let mut w = World {
        group: GroupController::new(cfg(), &mut rng).unwrap(),
        rx: BTreeMap::new(),
    };
    for i in 0..1000 {
        w.group.join(name(i), Credential::Psk(psk(i)), now).unwrap();
        w.rx.insert(name(i), (i, receiver(i, true)));
    }
    let msgs = w.group.key_all(now, &mut rng).unwrap();
    assert_eq!(msgs.len(), 1000);
    assert!(msgs.iter().all(|(_, m)| has_rand(m)), "initial messages");
    w.deliver(&msgs, now);
    assert_eq!(w.group.current_mki(), Some(1));
    assert_eq!(w.group.acknowledged(1), (1000, 1000));
    let ev = w.group.poll(now);
    assert_eq!(ev.len(), 1001);
    assert_eq!(ev.last(), Some(&GroupEvent::AllAcknowledged { mki: 1 }));

    // Round 2: ten leave, five join.
    now += Duration::from_secs(30);
    let gone: Vec<usize> = (0..1000).step_by(100).collect();
    let mut departed = Vec::new();
    for &i in &gone {
        w.group.leave(&name(i), now).unwrap();
        departed.push(w.rx.remove(&name(i)).unwrap());
    }
    for i in 1000..1005 {
        w.group.join(name(i), Credential::Psk(psk(i)), now).unwrap();
        w.rx.insert(name(i), (i, receiver(i, true)));
    }
    assert_eq!(w.group.pending_changes(), 15);
    assert!(w.group.rekey_due(now));
    let msgs = w.group.key_all(now, &mut rng).unwrap();
    assert_eq!(w.group.current_mki(), Some(2));
    assert_eq!(w.group.previous_mki(), Some(1));
    assert_eq!(msgs.len(), 995);
    for (m, bytes) in &msgs {
        let newcomer = w.rx[m].0 >= 1000;
        assert_eq!(has_rand(bytes), newcomer, "updates carry no RAND (§4.5)");
        assert!(!gone.iter().any(|&i| &name(i) == m));
    }
    // Forward secrecy: the departed receivers' PSKs open none of the new messages.
    let (gi, gr) = &mut departed[0];
    for (_, bytes) in &msgs {
        let view = MessageView::parse(bytes).unwrap();
        assert!(open_psk_message(&view, psk(*gi).as_bytes(), Some(w.group.rand()), true).is_err());
        assert_eq!(
            gr.handle(bytes, now).unwrap_err().error,
            SessionError::AuthFailure
        );
    }
    for (i, r) in &mut departed[1..] {
        for (_, bytes) in msgs.iter().step_by(97) {
            assert!(r.handle(bytes, now).is_err(), "departed {i} rejects");
        }
    }
    w.deliver(&msgs, now);
    assert_eq!(w.group.acknowledged(2), (995, 995));
    assert!(w
        .group
        .poll(now)
        .contains(&GroupEvent::AllAcknowledged { mki: 2 }));
    // Every remaining receiver holds both keys (switch-over); the source exports both.
    let both = w.group.srtp().unwrap();
    assert_eq!(both.len(), 4, "2 crypto sessions x (previous, current)");
    let csb = w.group.csb_id();
    for (m, (i, r)) in &w.rx {
        let theirs = r.srtp(csb).unwrap();
        if *i >= 1000 {
            // Backward secrecy: newcomers never saw key 1.
            assert!(for_mki(&theirs, 1).is_empty(), "{m}");
            assert_eq!(theirs, for_mki(&both, 2));
        } else {
            assert_eq!(theirs, both, "{m}");
        }
    }
    for (_, r) in &departed {
        assert!(for_mki(&r.srtp(csb).unwrap(), 2).is_empty());
    }

    // Round 3: one more leave; only the remaining members get key 3 and it works.
    now += Duration::from_secs(30);
    w.group.leave(&name(1004), now).unwrap();
    let (_, mut last) = w.rx.remove(&name(1004)).unwrap();
    let msgs = w.group.key_all(now, &mut rng).unwrap();
    assert_eq!(msgs.len(), 994);
    assert!(last.handle(&msgs[0].1, now).is_err());
    w.deliver(&msgs, now);
    assert_eq!(w.group.acknowledged(3), (994, 994));
    assert_eq!(w.group.acknowledged(2), (994, 994));
    assert_eq!(w.group.acknowledged(1), (0, 0), "no longer kept");
}

fn small_group(
    n: usize,
    with_id: bool,
) -> (GroupController, Vec<PskResponder>, impl FnMut(&mut [u8])) {
    let mut rng = rng();
    let mut g = GroupController::new(cfg(), &mut rng).unwrap();
    let mut rx = Vec::new();
    for i in 0..n {
        g.join(name(i), Credential::Psk(psk(i)), NOW).unwrap();
        rx.push(receiver(i, with_id));
    }
    (g, rx, rng)
}

/// A policy number given twice in the group's settings means its last policy, for the
/// source's own keys as for every member's (an update replaces policies by number, RFC
/// 3830 §4.5).
#[test]
fn a_policy_given_twice_means_the_last_for_source_and_members() {
    use mikey::srtp::SrtpSuite;
    let mut c = cfg();
    c.policies = common::policy_given_twice(0);
    let mut rng = rng();
    let mut g = GroupController::new(c, &mut rng).unwrap();
    g.join(name(0), Credential::Psk(psk(0)), NOW).unwrap();
    let mut r = receiver(0, false);
    let msgs = g.key_all(NOW, &mut rng).unwrap();
    let a = r.handle(&msgs[0].1, NOW).unwrap();
    let source = g.srtp().unwrap();
    assert_eq!(source.len(), 2);
    assert!(source
        .iter()
        .all(|p| p.suite == SrtpSuite::AesCm128HmacSha1_32));
    assert_eq!(r.srtp(a.csb_id).unwrap(), source);
}

#[test]
fn replies_are_authenticated_per_member() {
    let (mut g, mut rx, mut rng) = small_group(3, false);
    let msgs = g.key_all(NOW, &mut rng).unwrap();
    let replies: Vec<Vec<u8>> = msgs
        .iter()
        .zip(&mut rx)
        .map(|((_, m), r)| r.handle(m, NOW).unwrap().response.unwrap())
        .collect();
    // Cross-member: 0's reply offered as 1's. Each member's message has its own T, so
    // the reply answers another exchange: refused before its MAC is even checked.
    assert!(matches!(
        g.handle_reply(&name(1), &replies[0], NOW),
        Err(GroupError::Rejected(SessionError::InvalidTimestamp))
    ));
    // Forged: one bit of the MAC flipped.
    let mut forged = replies[1].clone();
    *forged.last_mut().unwrap() ^= 1;
    assert!(matches!(
        g.handle_reply(&name(1), &forged, NOW),
        Err(GroupError::Rejected(_))
    ));
    assert!(matches!(
        g.handle_reply_any(&forged, NOW),
        Err(GroupError::Unattributed)
    ));
    assert!(matches!(
        g.handle_reply(&name(1), b"\x01garbage", NOW),
        Err(GroupError::Rejected(_))
    ));
    assert!(matches!(
        g.handle_reply(&MemberId::new("nobody"), &replies[0], NOW),
        Err(GroupError::UnknownMember(_))
    ));
    assert_eq!(g.acknowledged(1), (0, 3), "nothing changed");
    assert!(g.poll(NOW).is_empty());
    // Without IDr in the reply, the member is found by trying the open exchanges.
    let r = g.handle_reply_any(&replies[1], NOW).unwrap();
    assert_eq!(r.member, name(1));
    g.handle_reply(&name(0), &replies[0], NOW).unwrap();
    // Replayed: the exchange is closed.
    assert_eq!(
        g.handle_reply(&name(0), &replies[0], NOW),
        Err(GroupError::NotAwaiting(name(0)))
    );
    assert!(matches!(
        g.handle_reply_any(&replies[0], NOW),
        Err(GroupError::Unattributed)
    ));
    assert_eq!(g.acknowledged(1), (2, 3));
    // After a rekey, member 2's old reply no longer verifies (stale timestamp).
    g.rekey(NOW, &mut rng).unwrap();
    let _ = g.key_all(NOW + Duration::from_secs(1), &mut rng).unwrap();
    assert!(matches!(
        g.handle_reply(&name(2), &replies[2], NOW),
        Err(GroupError::Rejected(SessionError::InvalidTimestamp))
    ));
    assert_eq!(g.acknowledged(2), (0, 3));
    let ev = g.poll(NOW);
    assert_eq!(
        ev.len(),
        2,
        "two acknowledgements, no AllAcknowledged: {ev:?}"
    );
}

#[test]
fn snapshot_json_restore_and_split() {
    let (mut g, mut rx, mut rng) = small_group(7, true);
    let msgs = g.key_all(NOW, &mut rng).unwrap();
    let mut replies = Vec::new();
    for ((_, m), r) in msgs.iter().zip(&mut rx) {
        replies.push(r.handle(m, NOW).unwrap().response.unwrap());
    }
    // Restart with every reply still in flight.
    let json = serde_json::to_string(&g.snapshot()).unwrap();
    drop(g);
    let snap: GroupSnapshot = serde_json::from_str(&json).unwrap();
    let mut g = GroupController::restore(snap).unwrap();
    for r in &replies {
        g.handle_reply_any(r, NOW).unwrap();
    }
    assert!(g
        .poll(NOW)
        .contains(&GroupEvent::AllAcknowledged { mki: 1 }));

    // Restart again, then a leave: the restored controller sends updates the members accept.
    let json = serde_json::to_string_pretty(&g.snapshot()).unwrap();
    let mut g = GroupController::restore(serde_json::from_str(&json).unwrap()).unwrap();
    let t1 = NOW + Duration::from_secs(5);
    g.leave(&name(6), t1).unwrap();
    let msgs = g.key_all(t1, &mut rng).unwrap();
    assert_eq!((g.current_mki(), msgs.len()), (Some(2), 6));
    for (m, bytes) in &msgs {
        assert!(!has_rand(bytes));
        let i = (0..7).find(|&i| &name(i) == m).unwrap();
        let a = rx[i].handle(bytes, t1).unwrap();
        g.handle_reply(m, a.response.as_deref().unwrap(), t1)
            .unwrap();
        assert_eq!(rx[i].srtp(g.csb_id()).unwrap(), g.srtp().unwrap());
    }
    assert!(rx[6].handle(&msgs[0].1, t1).is_err());

    // Split over three "processes" after a rekey: each part keys its members with the same
    // key; the whole group takes their states back.
    let t2 = t1 + Duration::from_secs(5);
    g.rekey(t2, &mut rng).unwrap();
    let mut whole = g.snapshot();
    let parts = whole.split(3);
    assert_eq!(parts.iter().map(|p| p.members.len()).sum::<usize>(), 6);
    let source = g.srtp_for(3).unwrap();
    for part in parts {
        let json = serde_json::to_string(&part).unwrap();
        let mut p = GroupController::restore(serde_json::from_str(&json).unwrap()).unwrap();
        assert!(p.is_partial());
        assert_eq!(
            p.join("late", Credential::Psk(psk(99)), t2),
            Err(GroupError::PartialGroup)
        );
        assert_eq!(p.rekey(t2, &mut rng), Err(GroupError::PartialGroup));
        let msgs = p.key_all(t2, &mut rng).unwrap();
        assert_eq!(p.current_mki(), Some(3));
        for (m, bytes) in &msgs {
            let i = (0..7).find(|&i| &name(i) == m).unwrap();
            let a = rx[i].handle(bytes, t2).unwrap();
            p.handle_reply_any(a.response.as_deref().unwrap(), t2)
                .unwrap();
            assert_eq!(for_mki(&rx[i].srtp(g.csb_id()).unwrap(), 3), source);
        }
        assert_eq!(p.acknowledged(3), (msgs.len(), msgs.len()));
        whole.merge(&p.snapshot()).unwrap();
    }
    let g = GroupController::restore(whole).unwrap();
    assert_eq!(g.acknowledged(3), (6, 6));
    let sub = g
        .snapshot()
        .subset(&[name(0), name(3), MemberId::new("unknown")]);
    assert_eq!(sub.members.len(), 2);
}

#[test]
fn errors_and_silence_become_events() {
    let (mut g, mut rx, mut rng) = small_group(4, true);
    // Member 1 has the wrong PSK; member 2 never answers.
    rx[1] = PskResponder::new(
        SecretBytes::from_slice(&[0xee; 16]),
        ResponderConfig {
            id_r: Some(Id::nai(name(1).as_str())),
            ..ResponderConfig::default()
        },
    );
    let msgs = g.key_all(NOW, &mut rng).unwrap();
    assert_eq!(g.next_timeout(), Some(NOW + Duration::from_secs(10)));
    let mut late = None;
    for (i, (m, bytes)) in msgs.iter().enumerate() {
        let answer = match rx[i].handle(bytes, NOW) {
            Ok(a) => a.response,
            Err(rej) => rej.response,
        };
        if i == 2 {
            late = answer;
        } else {
            g.handle_reply(m, &answer.unwrap(), NOW).unwrap();
        }
    }
    let ev = g.poll(NOW + Duration::from_secs(1));
    assert!(ev.iter().any(|e| matches!(
        e,
        GroupEvent::MemberFailed { member, mki: 1, error: SessionError::PeerError(codes), authenticated: false }
            if member == &name(1) && codes == &[ErrorNo::AuthFailure]
    )), "{ev:?}");
    assert!(!ev
        .iter()
        .any(|e| matches!(e, GroupEvent::MemberTimedOut { .. })));
    let ev = g.poll(NOW + Duration::from_secs(10));
    assert_eq!(
        ev,
        vec![
            GroupEvent::MemberTimedOut {
                member: name(1),
                mki: 1
            },
            GroupEvent::MemberTimedOut {
                member: name(2),
                mki: 1
            },
        ]
    );
    assert!(
        g.poll(NOW + Duration::from_secs(20)).is_empty(),
        "reported once"
    );
    assert_eq!(g.acknowledged(1), (2, 4));
    // A late verification from member 2 still counts; member 1 is sent its key again.
    let t = NOW + Duration::from_secs(21);
    g.handle_reply(&name(2), &late.unwrap(), t).unwrap();
    let again = g.key_outstanding(t, &mut rng).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0, name(1));
    rx[1] = receiver(1, true);
    let a = rx[1].handle(&again[0].1, t).unwrap();
    assert!(has_rand(&again[0].1), "member 1 never held the CSB");
    g.handle_reply(&name(1), a.response.as_deref().unwrap(), t)
        .unwrap();
    let ev = g.poll(t);
    assert_eq!(ev.last(), Some(&GroupEvent::AllAcknowledged { mki: 1 }));
}

// ---------------------------------------------------------------------------------------
// Mixed groups: pre-shared key (RFC 3830 §3.1) and public-key (§3.2) members.
//
// The simulation gives its public-key members the two stored RSA-2048 keys (rsa2048-a /
// rsa2048-b, alternating) under different identities, and one member the stored RSA-1024
// key: keys are never generated in tests. Sharing a key between identities is fine for a
// simulation (each message is still addressed, signed and verified per member), but it means
// a departed member sharing a key with a remaining one could open that member's messages;
// the forward-secrecy check therefore uses the departed member with its own key (RSA-1024)
// and the departed PSK members.

mod pk_members {
    use super::*;
    use mikey::crypto::{CryptoProvider, RsaPrivate, RustCryptoProvider};
    use std::sync::Arc;

    fn key(name: &str) -> Box<dyn RsaPrivate> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testvectors/keys")
            .join(name);
        RustCryptoProvider
            .rsa_private_from_pem(&std::fs::read_to_string(path).unwrap())
            .unwrap()
    }

    /// The source signs with rsa2048-a.
    fn source_key() -> Arc<dyn RsaPrivate> {
        Arc::from(key("rsa2048-a.pem"))
    }

    fn provider() -> Arc<dyn CryptoProvider> {
        Arc::new(RustCryptoProvider)
    }

    /// The member's key file: `SMALL` has the only RSA-1024 key, the others share a and b.
    const SMALL: usize = 990;
    fn key_name(i: usize) -> &'static str {
        match i {
            SMALL => "rsa1024.pem",
            _ if i.is_multiple_of(2) => "rsa2048-a.pem",
            _ => "rsa2048-b.pem",
        }
    }

    /// Members 900..1000 (and newcomers >= 2000) have public keys.
    fn is_pk(i: usize) -> bool {
        (900..1000).contains(&i) || i >= 2000
    }

    enum Rx {
        Psk(Box<PskResponder>),
        Pk(Box<PkResponder>),
    }

    impl Rx {
        fn new(i: usize) -> Self {
            if !is_pk(i) {
                return Rx::Psk(Box::new(receiver(i, true)));
            }
            let trust =
                PinnedKeys::new().with(b"sip:source@example.com", &source_key().to_spki_der());
            Rx::Pk(Box::new(
                PkResponder::new(
                    key(key_name(i)),
                    trust,
                    ResponderConfig {
                        id_r: Some(Id::nai(name(i).as_str())),
                        ..ResponderConfig::default()
                    },
                )
                .with_provider(provider()),
            ))
        }

        fn credential(i: usize) -> Credential {
            if is_pk(i) {
                Credential::PublicKey {
                    spki_der: key(key_name(i)).to_spki_der(),
                }
            } else {
                Credential::Psk(psk(i))
            }
        }

        fn handle(&mut self, m: &[u8], now: Duration) -> Result<Accepted, Rejected> {
            match self {
                Rx::Psk(r) => r.handle(m, now),
                Rx::Pk(r) => r.handle(m, now),
            }
        }

        fn srtp(&self, csb: u32) -> Vec<SrtpParams> {
            match self {
                Rx::Psk(r) => r.srtp(csb).unwrap(),
                Rx::Pk(r) => r.srtp(csb).unwrap(),
            }
        }
    }

    fn data_type(msg: &[u8]) -> DataType {
        MessageView::parse(msg).unwrap().header().data_type
    }

    struct Mixed {
        group: GroupController,
        rx: BTreeMap<MemberId, (usize, Rx)>,
    }

    impl Mixed {
        fn join(&mut self, i: usize, now: Duration) {
            self.group.join(name(i), Rx::credential(i), now).unwrap();
            self.rx.insert(name(i), (i, Rx::new(i)));
        }

        /// Every member opens its message (the right kind for its credential) and answers.
        fn answers(&mut self, msgs: &[(MemberId, Vec<u8>)], now: Duration) -> Vec<Vec<u8>> {
            msgs.iter()
                .map(|(m, bytes)| {
                    let (i, r) = self.rx.get_mut(m).expect("a current member");
                    let want = if is_pk(*i) {
                        DataType::PkInit
                    } else {
                        DataType::PskInit
                    };
                    assert_eq!(data_type(bytes), want, "{m}");
                    r.handle(bytes, now).unwrap().response.unwrap()
                })
                .collect()
        }

        fn check_keys(&self, mki: u32) {
            let source = self.group.srtp_for(mki).unwrap();
            for (m, (_, r)) in &self.rx {
                let theirs = r.srtp(self.group.csb_id());
                assert_eq!(
                    for_mki(&theirs, mki),
                    source,
                    "{m} derives the source's keys"
                );
            }
        }

        fn deliver(&mut self, msgs: &[(MemberId, Vec<u8>)], now: Duration) {
            let replies = self.answers(msgs, now);
            for r in &replies {
                self.group.handle_reply_any(r, now).unwrap();
            }
            self.check_keys(self.group.current_mki().unwrap());
        }
    }

    #[test]
    fn thousand_mixed_members_join_leave_rekey_and_restore() {
        let mut rng = rng();
        let mut now = NOW;
        let group = GroupController::new(cfg(), &mut rng)
            .unwrap()
            .with_signing_key(provider(), source_key(), Vec::new());
        let mut w = Mixed {
            group,
            rx: BTreeMap::new(),
        };
        // A public-key member needs a signing key; a malformed key is refused.
        let mut bare = GroupController::new(cfg(), &mut rng).unwrap();
        assert!(matches!(
            bare.join("x", Rx::credential(900), now),
            Err(GroupError::InvalidCredential(_))
        ));
        assert!(matches!(
            w.group.join(
                "x",
                Credential::PublicKey {
                    spki_der: vec![0x30, 0x03, 1, 2, 3]
                },
                now
            ),
            Err(GroupError::InvalidCredential(_))
        ));
        for i in 0..1000 {
            w.join(i, now);
        }

        // Round 1: 900 PSK + 100 public-key initial messages, all with the group RAND.
        let msgs = w.group.key_all(now, &mut rng).unwrap();
        assert_eq!(msgs.len(), 1000);
        assert!(msgs.iter().all(|(_, m)| has_rand(m)));
        w.deliver(&msgs, now);
        assert_eq!(w.group.acknowledged(1), (1000, 1000));
        assert_eq!(
            w.group.poll(now).last(),
            Some(&GroupEvent::AllAcknowledged { mki: 1 })
        );

        // Round 2: nine PSK and five public-key members leave (one with its own key), five
        // PSK and three public-key members join.
        now += Duration::from_secs(30);
        let gone: Vec<usize> = (0..900)
            .step_by(100)
            .chain([901, 930, 955, 977, SMALL])
            .collect();
        let mut departed = Vec::new();
        for &i in &gone {
            w.group.leave(&name(i), now).unwrap();
            departed.push(w.rx.remove(&name(i)).unwrap());
        }
        for i in (1000..1005).chain(2000..2003) {
            w.join(i, now);
        }
        let msgs = w.group.key_all(now, &mut rng).unwrap();
        assert_eq!(w.group.current_mki(), Some(2));
        assert_eq!(msgs.len(), 1000 - 14 + 8);
        for (m, bytes) in &msgs {
            let i = w.rx[m].0;
            assert_eq!(has_rand(bytes), i >= 1000, "updates carry no RAND (§4.5)");
            assert!(!gone.iter().any(|&g| name(g) == *m), "no message to {m}");
        }
        // Forward secrecy: departed credentials open none of the new messages.
        let small = key(key_name(SMALL));
        for (_, bytes) in &msgs {
            let view = MessageView::parse(bytes).unwrap();
            if data_type(bytes) == DataType::PkInit {
                assert!(
                    open_pk_message(&view, small.as_ref(), &RustCryptoProvider, None, true)
                        .is_err()
                );
            } else {
                for (gi, _) in departed.iter().filter(|(i, _)| !is_pk(*i)) {
                    assert!(open_psk_message(
                        &view,
                        psk(*gi).as_bytes(),
                        Some(w.group.rand()),
                        true
                    )
                    .is_err());
                }
            }
        }
        for (i, r) in departed.iter_mut() {
            for (_, bytes) in msgs.iter().step_by(41).chain(msgs.iter().rev().take(20)) {
                let shares_key = is_pk(*i) && *i != SMALL && data_type(bytes) == DataType::PkInit;
                if !shares_key {
                    assert!(r.handle(bytes, now).is_err(), "departed {i} rejects");
                }
            }
        }
        // Replies: cross-member and replayed ones are rejected, for both kinds of member.
        let replies = w.answers(&msgs, now);
        let pk_at: Vec<usize> = (0..msgs.len())
            .filter(|&k| data_type(&msgs[k].1) == DataType::PkInit)
            .collect();
        let (a, b, p) = (pk_at[0], pk_at[1], 0);
        for (to, from) in [(a, b), (b, a), (a, p), (p, a)] {
            assert!(
                matches!(
                    w.group.handle_reply(&msgs[to].0, &replies[from], now),
                    Err(GroupError::Rejected(_))
                ),
                "reply {from} offered as {to}"
            );
        }
        // A replayed I_MESSAGE is rejected by the public-key member.
        let (_, r) = w.rx.get_mut(&msgs[a].0).unwrap();
        assert_eq!(
            r.handle(&msgs[a].1, now).unwrap_err().error,
            SessionError::Replay
        );
        for r in &replies {
            w.group.handle_reply_any(r, now).unwrap();
        }
        for k in [a, b, p] {
            assert_eq!(
                w.group.handle_reply(&msgs[k].0, &replies[k], now),
                Err(GroupError::NotAwaiting(msgs[k].0.clone())),
                "replayed reply"
            );
            assert_eq!(
                w.group.handle_reply_any(&replies[k], now),
                Err(GroupError::NotAwaiting(msgs[k].0.clone()))
            );
        }
        w.check_keys(2);
        assert_eq!(w.group.acknowledged(2), (994, 994));
        let csb = w.group.csb_id();
        for (m, (i, r)) in &w.rx {
            let theirs = r.srtp(csb);
            assert_eq!(for_mki(&theirs, 1).is_empty(), *i >= 1000, "{m}");
        }

        // Round 3: a rekey, the controller restarts with every reply in flight.
        now += Duration::from_secs(30);
        w.group.rekey(now, &mut rng).unwrap();
        let msgs = w.group.key_all(now, &mut rng).unwrap();
        let replies = w.answers(&msgs, now);
        let json = serde_json::to_string(&w.group.snapshot()).unwrap();
        let spki_hex: String = key("rsa2048-b.pem")
            .to_spki_der()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(json.contains(&spki_hex), "PK credentials serialize as SPKI");
        assert!(
            json.contains("reply_key"),
            "PK exchanges in flight are kept"
        );
        let snap: GroupSnapshot = serde_json::from_str(&json).unwrap();
        assert!(matches!(
            GroupController::restore(snap.clone()),
            Err(GroupError::InvalidSnapshot(_))
        ));
        let mut g =
            GroupController::restore_with_signing_key(snap, provider(), source_key(), Vec::new())
                .unwrap();
        assert_eq!(g.member_count(), 994);
        for r in &replies {
            g.handle_reply_any(r, now).unwrap();
        }
        assert!(g
            .poll(now)
            .contains(&GroupEvent::AllAcknowledged { mki: 3 }));
        w.group = g;
        w.check_keys(3);

        // Round 4: the restored controller keys a leave; members accept its updates.
        now += Duration::from_secs(30);
        w.group.leave(&name(2001), now).unwrap();
        let (_, mut left) = w.rx.remove(&name(2001)).unwrap();
        let msgs = w.group.key_all(now, &mut rng).unwrap();
        assert_eq!((w.group.current_mki(), msgs.len()), (Some(4), 993));
        assert!(msgs.iter().all(|(_, m)| !has_rand(m)));
        assert!(left.handle(&msgs[0].1, now).is_err());
        w.deliver(&msgs, now);
        assert_eq!(w.group.acknowledged(4), (993, 993));
    }
}
