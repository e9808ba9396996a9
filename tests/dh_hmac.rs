//! DHHMAC (RFC 4650) end to end: both sides agree on the TGK in every group and protect
//! packets with the same SRTP keys; tampering, replays, bad DH values and unsupported groups
//! are rejected with the right Error message, before any exponentiation for forged input;
//! updates with and without fresh DH values; mykey's non-conformant messages fail cleanly.

mod common;
use core::time::Duration;
use mikey::crypto::{self, CountingProvider, KemacCipher, MacKind, MessageKeys, Prf};
use mikey::crypto::{RustCryptoProvider, SecretBytes};
use mikey::session::*;
use mikey::wire::*;
use std::sync::Arc;

const PSK: [u8; 20] = [0x42; 20];
const NOW: Duration = Duration::from_secs(1_790_000_000);

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u32;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *x = (n >> 16) as u8;
        }
    }
}

fn cfg(group: DhGroup) -> DhConfig {
    DhConfig {
        group,
        id_i: Some(Id::nai("alice@example.com")),
        id_r: Some(Id::nai("bob@example.com")),
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 1,
                ssrc: 0x11223344,
                roc: 0,
            },
            SrtpCs {
                policy_no: 1,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..DhConfig::default()
    }
}

fn rcfg() -> ResponderConfig {
    ResponderConfig {
        local_ssrcs: vec![0xabcdef01],
        id_r: Some(Id::nai("bob@example.com")),
        ..ResponderConfig::default()
    }
}

/// Every group, OAKLEY 1 included.
fn all_groups() -> Vec<DhGroup> {
    vec![DhGroup::Oakley5, DhGroup::Oakley2, DhGroup::Oakley1]
}

fn counting() -> Arc<CountingProvider<RustCryptoProvider>> {
    Arc::new(CountingProvider::new(RustCryptoProvider))
}

fn responder(p: &Arc<CountingProvider<RustCryptoProvider>>) -> DhHmacResponder {
    DhHmacResponder::new(SecretBytes::from_slice(&PSK), rcfg())
        .with_groups(all_groups())
        .with_provider(p.clone())
}

fn rtp(ssrc: u32, seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&1234u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"hello, srtp payload");
    p
}

fn error_codes(msg: &[u8]) -> Vec<ErrorNo> {
    let m = Message::parse(msg).unwrap();
    assert_eq!(m.header.data_type, DataType::Error);
    m.payloads
        .iter()
        .filter_map(|p| match p {
            Payload::Err(e) => Some(e.error_no),
            _ => None,
        })
        .collect()
}

/// Re-computes the KEMAC MAC of a (patched) DHHMAC message with the PSK: an authentic
/// message from a peer that knows the key.
fn reseal(msg: &[u8], rand: &[u8]) -> Vec<u8> {
    let m = Message::parse(msg).unwrap();
    let keys = MessageKeys::derive(
        Prf::MikeyOne,
        &PSK,
        m.header.csb_id,
        rand,
        KemacCipher::Null,
        MacKind::HmacSha1_160,
    );
    let mut out = msg.to_vec();
    let body = out.len() - 20;
    let tag = crypto::kemac::mac(MacKind::HmacSha1_160, keys.auth.as_bytes(), &out[..body]);
    out[body..].copy_from_slice(tag.as_bytes());
    out
}

fn patch(msg: &[u8], f: impl FnOnce(&mut Message)) -> Vec<u8> {
    let mut m = Message::parse(msg).unwrap().into_owned();
    f(&mut m);
    m.encode().unwrap()
}

fn rand_of(msg: &[u8]) -> Vec<u8> {
    Message::parse(msg)
        .unwrap()
        .find(|p| match p {
            Payload::Rand(r) => Some(r.rand.to_vec()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn every_group_agrees_and_protects_packets() {
    for group in [DhGroup::Oakley5, DhGroup::Oakley1, DhGroup::Oakley2] {
        let p = counting();
        let mut i = DhHmacInitiator::new(&PSK, cfg(group)).with_provider(p.clone());
        let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
        assert_eq!(p.private_ops(), 1, "g^xi");
        let m = Message::parse(&msg).unwrap();
        assert_eq!(m.header.data_type, DataType::DhHmacInit);
        assert!(!m.header.v);
        // HDR, T, RAND, IDi, IDr, SP, DHi, KEMAC (RFC 4650 §3).
        let kinds: Vec<PayloadType> = m.payloads.iter().map(|p| p.payload_type()).collect();
        use PayloadType as P;
        assert_eq!(kinds, [P::T, P::Rand, P::Id, P::Id, P::Sp, P::Dh, P::Kemac]);
        let k = m
            .find(|p| match p {
                Payload::Kemac(k) => Some(k.clone()),
                _ => None,
            })
            .unwrap();
        // RFC 3830 code points (not RFC 4650 Table 4.2.a): NULL = 0, HMAC-SHA-1-160 = 1.
        assert_eq!((k.encr_alg.to_wire(), k.mac_alg.to_wire()), (0, 1));
        assert!(k.encr_data.is_empty());

        let rp = counting();
        let mut r = responder(&rp);
        let a = r.handle(&msg, NOW + Duration::from_secs(2)).unwrap();
        assert_eq!(rp.private_ops(), 2, "g^xr and the TGK");
        let resp = a.response.clone().unwrap();
        let rm = Message::parse(&resp).unwrap();
        assert_eq!(rm.header.data_type, DataType::DhHmacResp);
        let kinds: Vec<PayloadType> = rm.payloads.iter().map(|p| p.payload_type()).collect();
        // HDR, T, IDr, IDi, DHr, DHi, KEMAC.
        assert_eq!(kinds, [P::T, P::Id, P::Id, P::Dh, P::Dh, P::Kemac]);
        let done = i.handle_response(&resp, NOW).unwrap();
        assert!(done.rekeyed && done.change.created);
        assert_eq!(done.ssrcs_filled, vec![(2, 0xabcdef01)]);
        assert_eq!(p.private_ops(), 2);

        let tgk_i = &i.bundle().unwrap().keys[0];
        let tgk_r = &r.bundle(a.csb_id).unwrap().keys[0];
        assert_eq!(tgk_i, tgk_r);
        assert_eq!(tgk_i.key.len(), group.value_len().unwrap());
        assert_eq!(tgk_i.mki(), Some(&[0, 0, 0, 1][..]));
        let a_srtp = i.srtp().unwrap();
        let b_srtp = r.srtp(a.csb_id).unwrap();
        assert_eq!(a_srtp.len(), 2);
        assert_eq!(a_srtp, b_srtp);
        let mut tx = a_srtp[0].context().unwrap();
        let mut rx = b_srtp[0].context().unwrap();
        let pkt = rtp(0x11223344, 7);
        let prot = tx.protect_rtp(&pkt).unwrap();
        assert_ne!(prot[12..], pkt[12..]);
        assert_eq!(rx.unprotect_rtp(&prot).unwrap(), pkt);
    }
}

#[test]
fn every_bit_flip_is_rejected_before_any_exponentiation() {
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley2));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let mut r = responder(&p);
    for bit in 0..msg.len() * 8 {
        let mut m = msg.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(r.handle(&m, NOW).is_err(), "bit {bit} accepted");
    }
    assert_eq!(p.private_ops(), 0, "forged input cost no exponentiation");
    assert_eq!(r.replay_cache().len(), 0);
    let a = r.handle(&msg, NOW).unwrap();
    let resp = a.response.unwrap();
    // And every flip of the response is rejected by the initiator.
    for bit in 0..resp.len() * 8 {
        let mut m = resp.clone();
        m[bit / 8] ^= 1 << (bit % 8);
        assert!(i.handle_response(&m, NOW).is_err(), "bit {bit} accepted");
        assert!(i.bundle().is_none());
    }
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn replays_skew_and_wrong_keys() {
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley5));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let mut r = responder(&p);
    r.handle(&msg, NOW).unwrap();
    let ops = p.private_ops();
    let rej = r.handle(&msg, NOW + Duration::from_secs(1)).unwrap_err();
    assert_eq!(rej.error, SessionError::Replay);
    assert!(rej.response.is_none());
    assert_eq!(p.private_ops(), ops, "a replay costs nothing");

    let late = responder(&p)
        .handle(&msg, NOW + Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(late.error, SessionError::InvalidTimestamp);
    assert_eq!(
        error_codes(late.response.as_ref().unwrap()),
        [ErrorNo::InvalidTs]
    );
    assert_eq!(
        i.handle_response(late.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidTs])
    );

    let mut wrong = DhHmacResponder::new(SecretBytes::from_slice(&[0x43; 20]), rcfg())
        .with_groups(all_groups())
        .with_provider(p.clone());
    let rej = wrong.handle(&msg, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::AuthFailure]
    );
    assert_eq!(p.private_ops(), ops);
}

#[test]
fn bad_dh_values_are_rejected() {
    let g = DhGroup::Oakley2;
    let n = g.value_len().unwrap();
    let prime = mikey::crypto::dh::group(g).unwrap().prime.to_vec();
    let mut one = vec![0; n];
    one[n - 1] = 1;
    let mut pm1 = prime.clone();
    pm1[n - 1] -= 1;
    let bad = [vec![0; n], one, pm1, prime.clone(), vec![0xff; n]];
    let mut i = DhHmacInitiator::new(&PSK, cfg(g));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let rand = rand_of(&msg);
    for v in &bad {
        let patched = patch(&msg, |m| {
            for p in &mut m.payloads {
                if let Payload::Dh(d) = p {
                    d.value = v.clone().into();
                }
            }
        });
        let p = counting();
        // Forged (MAC no longer matches): Auth failure.
        let rej = responder(&p).handle(&patched, NOW).unwrap_err();
        assert_eq!(rej.error, SessionError::AuthFailure);
        // Authentic but bad value: Invalid DH, still no exponentiation.
        let sealed = reseal(&patched, &rand);
        let rej = responder(&p).handle(&sealed, NOW).unwrap_err();
        assert!(
            matches!(rej.error, SessionError::InvalidDh(_)),
            "{:?}",
            rej.error
        );
        assert_eq!(
            error_codes(rej.response.as_ref().unwrap()),
            [ErrorNo::InvalidDh]
        );
        assert_eq!(p.private_ops(), 0);
    }
    // The same from the responder's side: a responder with the PSK sending a bad DHr.
    let mut r =
        DhHmacResponder::new(SecretBytes::from_slice(&PSK), rcfg()).with_groups(all_groups());
    let resp = r.handle(&msg, NOW).unwrap().response.unwrap();
    for v in &bad {
        let patched = patch(&resp, |m| {
            if let Some(Payload::Dh(d)) =
                m.payloads.iter_mut().find(|p| matches!(p, Payload::Dh(_)))
            {
                d.value = v.clone().into();
            }
        });
        assert_eq!(
            i.handle_response(&patched, NOW).unwrap_err(),
            SessionError::AuthFailure
        );
        let e = i
            .handle_response(&reseal(&patched, &rand), NOW)
            .unwrap_err();
        assert!(matches!(e, SessionError::InvalidDh(_)), "{e:?}");
        assert!(i.bundle().is_none());
    }
    i.handle_response(&resp, NOW).unwrap();
}

#[test]
fn unsupported_groups_get_invalid_dh() {
    // OAKLEY 1 is refused by default (768 bits).
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley1));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let mut r = DhHmacResponder::new(SecretBytes::from_slice(&PSK), ResponderConfig::default())
        .with_provider(p.clone());
    let rej = r.handle(&msg, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidDh(_)));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidDh]
    );
    assert_eq!(
        i.handle_response(rej.response.as_ref().unwrap(), NOW)
            .unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidDh])
    );
    // A group code nobody knows stops the parser; the answer is still Invalid DH, with
    // the message's timestamp.
    // (The encoder refuses a group whose layout it cannot know: the code is patched in.)
    let dh_at = MessageView::parse(&msg)
        .unwrap()
        .walk()
        .find(|p| p.payload_type() == PayloadType::Dh)
        .unwrap()
        .offset();
    let mut unknown = msg.clone();
    unknown[dh_at + 1] = DhGroup::Unknown(14).to_wire();
    assert!(Message::parse(&unknown).is_err());
    let rej = r.handle(&unknown, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidDh(_)));
    let resp = rej.response.unwrap();
    assert_eq!(error_codes(&resp), [ErrorNo::InvalidDh]);
    let t_sent = Message::parse(&msg).unwrap().find(|p| match p {
        Payload::T(t) => Some(*t),
        _ => None,
    });
    let t_back = Message::parse(&resp).unwrap().find(|p| match p {
        Payload::T(t) => Some(*t),
        _ => None,
    });
    assert_eq!(t_sent, t_back);
    // A responder that sends no Error messages names the same error and answers nothing;
    // a message of another kind that does not parse is a parse error, unanswered.
    let quiet = ResponderConfig {
        send_errors: false,
        ..ResponderConfig::default()
    };
    let mut q = DhHmacResponder::new(SecretBytes::from_slice(&PSK), quiet);
    let rej = q.handle(&unknown, NOW).unwrap_err();
    assert!(matches!(rej.error, SessionError::InvalidDh(_)));
    assert!(rej.response.is_none());
    let mut other = unknown.clone();
    other[1] = DataType::PskInit.to_wire();
    let rej = r.handle(&other, NOW).unwrap_err();
    assert!(
        matches!(rej.error, SessionError::Parse(_)),
        "{:?}",
        rej.error
    );
    assert!(rej.response.is_none());
    assert_eq!(p.private_ops(), 0);
}

#[test]
fn code_points_of_rfc_4650_table_are_refused() {
    // Encr alg 2 (RFC 4650 §4.2's "NULL", AES-KW-128 in RFC 6043) with the MAC re-sealed.
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley2));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let patched = patch(&msg, |m| {
        for p in &mut m.payloads {
            if let Payload::Kemac(k) = p {
                k.encr_alg = EncrAlg::from_wire(2);
            }
        }
    });
    let sealed = reseal(&patched, &rand_of(&msg));
    let p = counting();
    let rej = responder(&p).handle(&sealed, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::InvalidEncryption(2));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::InvalidEa]
    );
    // A NULL MAC (0) is never DHHMAC.
    let null_mac = patch(&msg, |m| {
        for p in &mut m.payloads {
            if let Payload::Kemac(k) = p {
                k.mac_alg = MacAlg::Null;
                k.mac = Vec::new().into();
            }
        }
    });
    let rej = responder(&p).handle(&null_mac, NOW).unwrap_err();
    assert_eq!(rej.error, SessionError::InvalidMac(0));
    assert_eq!(p.private_ops(), 0);
}

#[test]
fn updates_with_and_without_fresh_dh() {
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley2));
    let p = counting();
    let mut r = responder(&p);
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    let first = i.srtp().unwrap();
    let tgk1 = i.bundle().unwrap().keys[0].clone();

    // a) re-keying: fresh DHi and DHr, a new TGK (same SPI: it replaces the old one).
    let later = NOW + Duration::from_secs(10);
    let upd = i.update(true, later, &mut seq_rng()).unwrap();
    let um = Message::parse(&upd).unwrap();
    assert!(!um.payloads.iter().any(|p| matches!(p, Payload::Rand(_))));
    assert!(um.payloads.iter().any(|p| matches!(p, Payload::Dh(_))));
    let ops = p.private_ops();
    let a2 = r.handle(&upd, later).unwrap();
    assert_eq!(p.private_ops(), ops + 2);
    assert!(!a2.change.created);
    let done = i
        .handle_response(a2.response.as_deref().unwrap(), later)
        .unwrap();
    assert!(done.rekeyed && !done.change.created);
    assert_eq!(done.change.keys_replaced, 1);
    let tgk2 = i.bundle().unwrap().keys[0].clone();
    assert_ne!(tgk1, tgk2);
    assert_eq!(i.bundle().unwrap().keys.len(), 1);
    assert_eq!(i.srtp().unwrap(), r.srtp(a.csb_id).unwrap());
    assert_ne!(i.srtp().unwrap()[0].master_key, first[0].master_key);
    // The same RAND as the first exchange (RFC 3830 §4.5).
    assert_eq!(i.bundle().unwrap().rand, rand_of(&msg));

    // b) policies only: no DH payloads, no exponentiation, the TGK stays.
    let mut short_tag = SrtpPolicy::aes_cm_128_hmac_sha1_80();
    short_tag.auth_tag_len = Some(4);
    i.config_mut().policies = vec![short_tag.to_payload(1).unwrap()];
    let later2 = later + Duration::from_secs(10);
    let upd = i.update(false, later2, &mut seq_rng()).unwrap();
    let um = Message::parse(&upd).unwrap();
    assert!(!um.payloads.iter().any(|p| matches!(p, Payload::Dh(_))));
    let ops = p.private_ops();
    let a3 = r.handle(&upd, later2).unwrap();
    assert_eq!(p.private_ops(), ops);
    let rm = Message::parse(a3.response.as_ref().unwrap()).unwrap();
    assert!(!rm.payloads.iter().any(|p| matches!(p, Payload::Dh(_))));
    let done = i
        .handle_response(a3.response.as_deref().unwrap(), later2)
        .unwrap();
    assert!(!done.rekeyed);
    assert_eq!(i.bundle().unwrap().keys[0], tgk2);
    let s = i.srtp().unwrap();
    assert_eq!(s, r.srtp(a.csb_id).unwrap());
    assert_eq!(s[0].suite, mikey::srtp::SrtpSuite::AesCm128HmacSha1_32);

    // An update with RAND-less but unknown CSB is refused; an update's response without
    // the DH pair when one was sent is refused.
    assert!(matches!(
        DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley2)).update(true, NOW, &mut seq_rng()),
        Err(SessionError::WrongState(_))
    ));
    assert!(matches!(
        i.initiate(NOW, &mut seq_rng()),
        Err(SessionError::WrongState(_))
    ));
}

#[test]
fn initiator_needs_id_r() {
    let mut c = cfg(DhGroup::Oakley5);
    c.id_r = None;
    assert!(matches!(
        DhHmacInitiator::new(&PSK, c).initiate(NOW, &mut seq_rng()),
        Err(SessionError::MissingPayload(_))
    ));
}

#[test]
fn nonconformant_mykey_messages_are_rejected_cleanly() {
    let init = common::load("nonconformant/mykey-dhhmac-init-oakley1-sp.hex");
    let resp = common::load("nonconformant/mykey-dhhmac-resp-oakley1.hex");
    for m in [&init, &resp] {
        assert_eq!(&Message::parse(m).unwrap().encode().unwrap(), m);
    }
    let t = Message::parse(&init)
        .unwrap()
        .find(|p| match p {
            Payload::T(t) => Some(*t),
            _ => None,
        })
        .unwrap();
    let now = t.to_unix().unwrap();
    let psk = b"0123456789abcdef0123456789abcdef";
    let p = counting();
    let groups = vec![DhGroup::Oakley1];
    // Strict: IDr is missing (RFC 4650 §3).
    let mut strict = DhHmacResponder::new(
        SecretBytes::from_slice(psk),
        ResponderConfig {
            ..ResponderConfig::default()
        },
    )
    .with_groups(groups.clone())
    .with_provider(p.clone());
    let rej = strict.handle(&init, now).unwrap_err();
    assert_eq!(rej.error, SessionError::MissingPayload("IDr"));
    // Lenient: the MAC (a 32-byte key, RFC 3830 §4.2.4 says 160 bits) does not verify.
    let mut lenient = DhHmacResponder::new(
        SecretBytes::from_slice(psk),
        ResponderConfig {
            lenient: true,
            ..ResponderConfig::default()
        },
    )
    .with_groups(groups)
    .with_provider(p.clone());
    let rej = lenient.handle(&init, now).unwrap_err();
    assert_eq!(rej.error, SessionError::AuthFailure);
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::AuthFailure]
    );
    assert_eq!(p.private_ops(), 0);
    // The R_MESSAGE, given to an initiator that sent the same CSB ID and timestamp.
    let mut i = DhHmacInitiator::new(
        psk,
        DhConfig {
            csb_id: Some(0x12345678),
            group: DhGroup::Oakley1,
            ..cfg(DhGroup::Oakley1)
        },
    );
    i.initiate(now, &mut seq_rng()).unwrap();
    let e = i.handle_response(&resp, now).unwrap_err();
    assert!(
        matches!(
            e,
            SessionError::InvalidTimestamp | SessionError::MissingPayload(_)
        ),
        "{e:?}"
    );
    assert!(i.bundle().is_none());
}

#[test]
fn secrets_never_show_in_debug() {
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley2));
    let mut r =
        DhHmacResponder::new(SecretBytes::from_slice(&PSK), rcfg()).with_groups(all_groups());
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let a = r.handle(&msg, NOW).unwrap();
    i.handle_response(a.response.as_deref().unwrap(), NOW)
        .unwrap();
    let tgk = i.bundle().unwrap().keys[0].key.as_bytes().to_vec();
    let tgk_hex: String = tgk.iter().map(|b| format!("{b:02x}")).collect();
    let tgk_dbg = format!("{:?}", &tgk[..8]).trim_end_matches(']').to_string();
    for s in [
        format!("{i:?}"),
        format!("{r:?}"),
        format!("{:?}", i.bundle()),
    ] {
        assert!(!s.contains(&tgk_hex[..16]), "{s}");
        assert!(!s.contains(&tgk_dbg), "{s}");
        assert!(!s.contains("66, 66, 66"), "PSK in {s}");
    }
}

#[test]
fn decoding_errors_are_answered() {
    // RFC 4650 §4.1: a decoding error gets an Error message (when the header parses).
    let mut i = DhHmacInitiator::new(&PSK, cfg(DhGroup::Oakley5));
    let msg = i.initiate(NOW, &mut seq_rng()).unwrap();
    let p = counting();
    let rej = responder(&p)
        .handle(&msg[..msg.len() - 3], NOW)
        .unwrap_err();
    assert!(matches!(rej.error, SessionError::Parse(_)));
    assert_eq!(
        error_codes(rej.response.as_ref().unwrap()),
        [ErrorNo::Unspecified]
    );
    // Not a MIKEY header at all: nothing to answer.
    let rej = responder(&p).handle(&[1, 2, 3], NOW).unwrap_err();
    assert!(rej.response.is_none());
    assert_eq!(p.private_ops(), 0);
}
