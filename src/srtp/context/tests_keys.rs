//! Several master keys in one context: selection by MKI and by `<From, To>` interval
//! (RFC 3711 §3.2.1, §8.1.1; RFC 3830 §6.14), at and one past the interval edges;
//! SRTCP encryption off; the bound on tracked SSRCs.

use super::tests::{keys_for, rtcp_packet, rtp_packet};
use super::*;

const SUITE: SrtpSuite = SrtpSuite::AesCm128HmacSha1_80;

/// Master key and salt.
type Key = (Vec<u8>, Vec<u8>);

/// Two distinct master keys: `keys_for` and its bitwise complement.
fn two_keys() -> (Key, Key) {
    let (k, s) = keys_for(SUITE);
    let inv = |v: &[u8]| v.iter().map(|b| !b).collect::<Vec<u8>>();
    ((k.clone(), s.clone()), (inv(&k), inv(&s)))
}

fn single(key: &Key, mki: &[u8]) -> SrtpContext {
    SrtpContext::new(SUITE, &key.0, &key.1)
        .unwrap()
        .with_mki(mki)
}

#[test]
fn a_receiver_picks_the_key_the_mki_names() {
    let (a, b) = two_keys();
    let mut rx = single(&a, &[0, 1]);
    rx.add_master_key(&b.0, &b.1, &[0, 2], None).unwrap();
    let mut tx_a = single(&a, &[0, 1]);
    let mut tx_b = single(&b, &[0, 2]);
    for seq in 0..6u16 {
        // Two sources (SSRC 1 and 2), one key each, one receiving context.
        let (tx, ssrc) = if seq % 2 == 0 {
            (&mut tx_a, 1)
        } else {
            (&mut tx_b, 2)
        };
        let p = tx.protect_rtp(&rtp_packet(seq, ssrc, 9)).unwrap();
        assert_eq!(rx.unprotect_rtp(&p).unwrap(), rtp_packet(seq, ssrc, 9));
        let c = tx.protect_rtcp(&rtcp_packet(ssrc)).unwrap();
        assert_eq!(rx.unprotect_rtcp(&c).unwrap(), rtcp_packet(ssrc));
    }
    let mut tx_c = single(&a, &[0, 3]);
    let p = tx_c.protect_rtp(&rtp_packet(10, 1, 9)).unwrap();
    assert_eq!(rx.unprotect_rtp(&p), Err(SrtpError::MkiMismatch));
}

#[test]
fn the_sender_switches_keys_by_mki_and_removal() {
    let (a, b) = two_keys();
    let mut tx = single(&a, &[1]);
    tx.add_master_key(&b.0, &b.1, &[2], None).unwrap();
    let p = tx.protect_rtp(&rtp_packet(1, 1, 4)).unwrap();
    assert_eq!(p[p.len() - 11], 1);
    tx.select_mki(&[2]).unwrap();
    let p = tx.protect_rtp(&rtp_packet(2, 1, 4)).unwrap();
    assert_eq!(p[p.len() - 11], 2);
    let mut only_b = single(&b, &[2]);
    assert_eq!(only_b.unprotect_rtp(&p).unwrap(), rtp_packet(2, 1, 4));
    assert_eq!(tx.select_mki(&[3]), Err(SrtpError::MkiMismatch));
    tx.remove_master_key(&[1]).unwrap();
    assert_eq!(tx.remove_master_key(&[2]), Err(SrtpError::NoValidKey));
    let p = tx.protect_rtp(&rtp_packet(3, 1, 4)).unwrap();
    assert_eq!(only_b.unprotect_rtp(&p).unwrap(), rtp_packet(3, 1, 4));
}

#[test]
fn keys_that_cannot_join_are_refused() {
    let (a, b) = two_keys();
    let mut c = single(&a, &[1, 1]);
    assert_eq!(
        c.add_master_key(&b.0, &b.1, &[2], None),
        Err(SrtpError::BadMki)
    );
    assert_eq!(
        c.add_master_key(&b.0, &b.1, &[1, 1], None),
        Err(SrtpError::BadMki)
    );
    assert_eq!(
        c.add_master_key(&b.0[1..], &b.1, &[1, 2], None),
        Err(SrtpError::BadKeyLength)
    );
    for i in 0..(MAX_MASTER_KEYS - 1) {
        c.add_master_key(&b.0, &b.1, &[2, i as u8], None).unwrap();
    }
    assert_eq!(
        c.add_master_key(&b.0, &b.1, &[3, 0], None),
        Err(SrtpError::BadMki)
    );
}

#[test]
fn intervals_choose_the_key_at_and_past_their_edges() {
    let (a, b) = two_keys();
    let ia = KeyInterval::new(0, 99).unwrap();
    let ib = KeyInterval::new(100, (1 << 48) - 1).unwrap();
    let mk = || {
        let mut c = single(&a, &[]).with_interval(ia);
        c.add_master_key(&b.0, &b.1, &[], Some(ib)).unwrap();
        c
    };
    let (mut tx, mut rx) = (mk(), mk());
    let mut only_a = single(&a, &[]);
    let mut only_b = single(&b, &[]);
    for seq in [98u16, 99, 100, 101] {
        let p = tx.protect_rtp(&rtp_packet(seq, 4, 6)).unwrap();
        assert_eq!(rx.unprotect_rtp(&p).unwrap(), rtp_packet(seq, 4, 6));
        let (right, wrong) = if seq <= 99 {
            (&mut only_a, &mut only_b)
        } else {
            (&mut only_b, &mut only_a)
        };
        assert_eq!(right.unprotect_rtp(&p).unwrap(), rtp_packet(seq, 4, 6));
        assert_eq!(wrong.unprotect_rtp(&p), Err(SrtpError::AuthFailed));
    }
    // SRTCP follows the latest SRTP index of its SSRC (101: key B).
    let c = tx.protect_rtcp(&rtcp_packet(4)).unwrap();
    assert_eq!(only_b.unprotect_rtcp(&c).unwrap(), rtcp_packet(4));
    assert_eq!(rx.unprotect_rtcp(&c).unwrap(), rtcp_packet(4));
}

#[test]
fn no_key_outside_the_only_interval() {
    let (a, _) = two_keys();
    let iv = KeyInterval::new(10, 20).unwrap();
    let mut tx = single(&a, &[5]).with_interval(iv);
    let mut rx = single(&a, &[5]).with_interval(iv);
    let mut free = single(&a, &[5]);
    for seq in [9u16, 10, 20, 21] {
        let pkt = rtp_packet(seq, 2, 3);
        let inside = (10..=20).contains(&seq);
        let p = tx.protect_rtp(&pkt);
        assert_eq!(p.is_ok(), inside, "send {seq}");
        // A packet the MKI names but whose index the key does not cover.
        let p = free.protect_rtp(&pkt).unwrap();
        let got = rx.unprotect_rtp(&p);
        match inside {
            true => assert_eq!(got.unwrap(), pkt),
            false => assert_eq!(got, Err(SrtpError::NoValidKey), "receive {seq}"),
        }
    }
}

#[test]
fn key_intervals_from_mikey_data() {
    let iv = KeyInterval::from_mikey(&[0, 0, 0, 1, 0, 0], &[0, 0, 0, 1, 0xff, 0xff]);
    let iv = iv.unwrap().unwrap();
    assert_eq!((iv.from(), iv.to()), (1 << 16, (1 << 16) | 0xffff));
    assert!(iv.contains(1 << 16) && !iv.contains((1 << 16) - 1) && !iv.contains(2 << 16));
    assert_eq!(KeyInterval::from_mikey(&[0; 4], &[0; 6]), None);
    assert_eq!(
        KeyInterval::from_mikey(&[0, 0, 0, 0, 0, 2], &[0; 6]),
        Some(Err(SrtpError::BadInterval))
    );
    assert_eq!(KeyInterval::new(0, 1 << 48), Err(SrtpError::BadInterval));
}

#[test]
fn srtcp_without_encryption_is_authenticated_only() {
    for suite in [SUITE, SrtpSuite::AeadAes128Gcm] {
        let (k, s) = keys_for(suite);
        let mk = || {
            SrtpContext::new(suite, &k, &s)
                .unwrap()
                .with_srtcp_encryption(false)
        };
        let (mut tx, mut rx) = (mk(), mk());
        let pkt = rtcp_packet(8);
        let c = tx.protect_rtcp(&pkt).unwrap();
        assert_eq!(c[..pkt.len()], pkt[..], "{suite}: payload in the clear");
        let e_at = if suite.is_aead() {
            pkt.len() + 16
        } else {
            pkt.len()
        };
        assert_eq!(c[e_at] & 0x80, 0, "{suite}: E flag");
        let mut bad = c.clone();
        bad[10] ^= 4;
        assert_eq!(rx.unprotect_rtcp(&bad), Err(SrtpError::AuthFailed));
        assert_eq!(rx.unprotect_rtcp(&c).unwrap(), pkt);
        // SRTP stays encrypted.
        let p = tx.protect_rtp(&rtp_packet(1, 8, 16)).unwrap();
        assert_ne!(p[28..44], rtp_packet(1, 8, 16)[28..]);
    }
}

#[test]
fn ssrcs_are_bounded() {
    let (a, _) = two_keys();
    let mut tx = single(&a, &[]);
    for ssrc in 0..MAX_STREAMS as u32 {
        tx.protect_rtp(&rtp_packet(1, ssrc, 0)).unwrap();
    }
    let next = MAX_STREAMS as u32;
    assert_eq!(
        tx.protect_rtp(&rtp_packet(1, next, 0)),
        Err(SrtpError::TooManyStreams)
    );
    assert!(tx.protect_rtp(&rtp_packet(2, 0, 0)).is_ok());
}
