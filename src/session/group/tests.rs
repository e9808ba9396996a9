use super::*;
use crate::session::{PskResponder, ResponderConfig};
use crate::wire::SrtpPolicy;

const NOW: Duration = Duration::from_secs(1_800_000_000);

fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 1u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_mul(31).wrapping_add(17);
            *x = n;
        }
    }
}

fn cfg() -> GroupConfig {
    GroupConfig {
        id_i: Some(crate::wire::Id::nai("source@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0xabc,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..GroupConfig::default()
    }
}

fn psk(i: u8) -> Credential {
    Credential::Psk(SecretBytes::from_slice(&[i; 16]))
}

#[test]
fn config_is_checked() {
    let mut r = rng();
    assert!(GroupController::new(GroupConfig::default(), &mut r).is_err());
    let mut c = cfg();
    c.crypto_sessions[0].ssrc = 0;
    assert!(GroupController::new(c, &mut r).is_err());
    let mut c = cfg();
    c.encr = EncrAlg::Null;
    assert!(GroupController::new(c, &mut r).is_err());
    let mut c = cfg();
    c.rand_len = 8;
    assert!(GroupController::new(c, &mut r).is_err());
}

#[test]
fn join_leave_and_policy() {
    let mut r = rng();
    let mut g = GroupController::new(cfg(), &mut r).unwrap();
    assert!(g.rekey_due(NOW), "no key yet");
    g.join("a", psk(1), NOW).unwrap();
    assert_eq!(g.pending_changes(), 0, "no key to protect yet");
    assert_eq!(
        g.join("a", psk(1), NOW),
        Err(GroupError::DuplicateMember("a".into()))
    );
    assert!(matches!(
        g.join("b", Credential::Psk(SecretBytes::from_slice(&[1; 4])), NOW),
        Err(GroupError::InvalidCredential(_))
    ));
    assert_eq!(g.key_all(NOW, &mut r).unwrap().len(), 1);
    assert_eq!(g.current_mki(), Some(1));
    assert!(!g.rekey_due(NOW));
    g.join("b", psk(2), NOW).unwrap();
    assert_eq!(g.pending_changes(), 1);
    assert!(g.rekey_due(NOW));
    assert_eq!(
        g.leave(&"zz".into(), NOW),
        Err(GroupError::UnknownMember("zz".into()))
    );
    let _ = g.key_all(NOW, &mut r).unwrap();
    assert_eq!((g.previous_mki(), g.current_mki()), (Some(1), Some(2)));
    assert_eq!(g.srtp().unwrap().len(), 2);
    assert_eq!(
        g.srtp_for(1).unwrap()[0].mki.as_deref(),
        Some(&[0, 0, 0, 1][..])
    );
    assert!(g.srtp_for(7).is_err());
}

#[test]
fn batch_policy_waits() {
    let mut r = rng();
    let mut c = cfg();
    c.rekey = RekeyPolicy::Batch {
        changes: 3,
        max_delay: Duration::from_secs(60),
    };
    let mut g = GroupController::new(c, &mut r).unwrap();
    g.join("a", psk(1), NOW).unwrap();
    g.key_all(NOW, &mut r).unwrap();
    g.join("b", psk(2), NOW).unwrap();
    assert!(!g.rekey_due(NOW));
    // The newcomer gets nothing until the next key.
    let out = g.key_all(NOW, &mut r).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, "a".into());
    assert!(g.member_status(&"b".into()).unwrap().waiting_for_rekey);
    assert!(g.rekey_due(NOW + Duration::from_secs(60)));
    g.join("c", psk(3), NOW).unwrap();
    g.leave(&"c".into(), NOW).unwrap();
    assert_eq!(g.pending_changes(), 3);
    assert!(g.rekey_due(NOW));
    assert_eq!(g.key_all(NOW, &mut r).unwrap().len(), 2);
    assert_eq!(g.current_mki(), Some(2));
}

#[test]
fn timestamps_never_repeat() {
    let mut r = rng();
    let mut g = GroupController::new(cfg(), &mut r).unwrap();
    g.join("a", psk(1), NOW).unwrap();
    let a = g.key_all(NOW, &mut r).unwrap();
    let b = g.key_all(NOW, &mut r).unwrap();
    assert!(timestamp_of(&b[0].1).value > timestamp_of(&a[0].1).value);
}

/// The T payload of a message.
fn timestamp_of(m: &[u8]) -> crate::wire::Timestamp {
    MessageView::parse(m)
        .unwrap()
        .walk()
        .find_map(|p| p.timestamp())
        .unwrap()
}

#[test]
fn debug_hides_secrets() {
    let mut r = rng();
    let mut g = GroupController::new(cfg(), &mut r).unwrap();
    g.join("a", psk(0xee), NOW).unwrap();
    g.key_all(NOW, &mut r).unwrap();
    let s = g.snapshot();
    let d = format!("{s:?} {g:?}");
    assert!(!d.contains("eeee") && !d.contains("238, 238"), "{d}");
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(&"ee".repeat(16)), "snapshot carries the PSK");
}

#[test]
fn without_verification() {
    let mut r = rng();
    let mut c = cfg();
    c.v = false;
    let mut g = GroupController::new(c, &mut r).unwrap();
    g.join("a", psk(1), NOW).unwrap();
    let out = g.key_all(NOW, &mut r).unwrap();
    let mut resp = PskResponder::new(
        SecretBytes::from_slice(&[1; 16]),
        ResponderConfig::default(),
    );
    let acc = resp.handle(&out[0].1, NOW).unwrap();
    assert!(acc.response.is_none());
    assert_eq!(g.acknowledged(1), (1, 1));
    assert!(g.poll(NOW + Duration::from_secs(100)).is_empty());
    assert_eq!(g.next_timeout(), None);
}

#[test]
fn authenticated_error_ends_the_exchange() {
    use crate::crypto::{KemacCipher, MacKind, MessageKeys, Prf};
    use crate::session::common::ResponseAuth;
    use crate::session::engine::error_message;
    use crate::wire::ErrorNo;
    let mut r = rng();
    let mut g = GroupController::new(cfg(), &mut r).unwrap();
    g.join("a@x", psk(1), NOW).unwrap();
    g.join("b@x", psk(2), NOW).unwrap();
    let out = g.key_all(NOW, &mut r).unwrap();
    let t = timestamp_of(&out[0].1);
    let keys = MessageKeys::derive(
        Prf::MikeyOne,
        &[1; 16],
        g.csb_id(),
        g.rand(),
        KemacCipher::Null,
        MacKind::HmacSha1_160,
    );
    let key = crate::crypto::MacKey::new(MacKind::HmacSha1_160, keys.auth);
    let err = |auth: bool| {
        error_message(
            g.csb_id(),
            PrfFunc::Mikey1,
            CsIdMap::SrtpId(SrtpIdMap::default()),
            t,
            &[ErrorNo::InvalidSpPar],
            Some(Id::nai("a@x")),
            auth.then_some(ResponseAuth {
                alg: MacAlg::HmacSha1_160,
                key: &key,
                id_i: b"source@example.com",
                id_r: b"a@x",
            }),
        )
        .unwrap()
    };
    let (plain, signed) = (err(false), err(true));
    // Unauthenticated: reported once, the exchange stays open.
    let rep = g.handle_reply_any(&plain, NOW).unwrap();
    assert_eq!((rep.member.as_str(), rep.verified), ("a@x", false));
    assert_eq!(
        g.handle_reply_any(&plain, NOW),
        Err(GroupError::Rejected(SessionError::Replay))
    );
    // Routed to b (wrong key): rejected, nothing changes.
    assert!(matches!(
        g.handle_reply(&"b@x".into(), &signed, NOW),
        Err(GroupError::Rejected(_))
    ));
    assert_eq!(g.member_status(&"b@x".into()).unwrap().awaiting, Some(1));
    // Authenticated: the exchange ends.
    g.handle_reply_any(&signed, NOW).unwrap();
    assert_eq!(g.member_status(&"a@x".into()).unwrap().awaiting, None);
    assert_eq!(
        g.handle_reply_any(&signed, NOW),
        Err(GroupError::NotAwaiting("a@x".into()))
    );
    let ev = g.poll(NOW);
    assert_eq!(ev.len(), 2);
    assert!(ev.iter().all(|e| matches!(
        e,
        GroupEvent::MemberFailed { member, mki: 1, error: SessionError::PeerError(codes), .. }
            if member.as_str() == "a@x" && codes == &[ErrorNo::InvalidSpPar]
    )));
    assert!(matches!(
        ev[1],
        GroupEvent::MemberFailed {
            authenticated: true,
            ..
        }
    ));
    // Only a is outstanding again (b's exchange is in flight).
    let again = g.key_outstanding(NOW, &mut r).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0.as_str(), "a@x");
}

#[test]
fn slots_are_reused_and_snapshots_round_trip() {
    let mut r = rng();
    let mut g = GroupController::new(cfg(), &mut r).unwrap();
    for (n, k) in [("a", 1), ("b", 2), ("c", 3)] {
        g.join(n, psk(k), NOW).unwrap();
    }
    g.key_all(NOW, &mut r).unwrap();
    // b leaves, d takes its slot: replies are still routed by ID.
    g.leave(&"b".into(), NOW).unwrap();
    g.join("d", psk(4), NOW).unwrap();
    assert_eq!(g.slots.len(), 3);
    assert_eq!(
        g.members().map(MemberId::as_str).collect::<Vec<_>>(),
        ["a", "c", "d"]
    );
    let out = g.key_all(NOW, &mut r).unwrap();
    assert_eq!(out.len(), 3);
    let reply = |k: u8, msg: &[u8]| {
        let mut resp = PskResponder::new(
            SecretBytes::from_slice(&[k; 16]),
            ResponderConfig::default(),
        );
        resp.handle(msg, NOW).unwrap().response.unwrap()
    };
    let (a, d) = (reply(1, &out[0].1), reply(4, &out[2].1));
    // d's reply is not a's, nor the other way round (the V MAC binds IDr, RFC 3830 §5.2).
    assert!(matches!(
        g.handle_reply(&"a".into(), &d, NOW),
        Err(GroupError::Rejected(_))
    ));
    // A snapshot with exchanges in flight restores to the same snapshot, and the
    // restored controller checks the replies.
    let snap = g.snapshot();
    let mut back = GroupController::restore(snap.clone()).unwrap();
    assert_eq!(back.snapshot(), snap);
    assert!(snap.members.iter().all(|m| m
        .exchange
        .as_ref()
        .is_some_and(|e| e.timestamp.is_some() && e.reply_key.is_none())));
    assert_eq!(back.handle_reply_any(&d, NOW).unwrap().member.as_str(), "d");
    assert!(back.handle_reply(&"a".into(), &a, NOW).unwrap().verified);
    assert_eq!(back.acknowledged(2), (2, 3));
}

#[test]
fn policy_round_trip() {
    let sp = SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(3).unwrap();
    let back = policy_from(3, 0, &hex(sp.param_bytes())).unwrap();
    assert_eq!(back, sp);
    assert!(policy_from(3, 0, "0105").is_none());
    assert!(policy_from(3, 0, "zz").is_none());
    assert_eq!(unhex("0aFf"), Some(vec![10, 255]));
    assert_eq!(unhex("abc"), None);
}
