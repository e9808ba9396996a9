//! Complete pre-shared-key exchanges (RFC 3830 §3.1) against the known-answer vectors in
//! testvectors/psk/, produced once by the independent Python script
//! testvectors/psk/mikey_psk_kat.py (written from the RFC text, not from this crate).
//!
//! For each vector: our responder accepts the Python I_MESSAGE, answers with exactly the
//! Python R_MESSAGE and exports the Python SRTP master keys / salts; our initiator, fed the
//! vector's CSB ID, RAND and timestamp, builds exactly the Python I_MESSAGE, accepts the
//! Python R_MESSAGE and exports the same SRTP keys.

use std::collections::HashMap;

use mikey::crypto::SecretBytes;
use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
use mikey::wire::{
    EncrAlg, Id, KeyValidity, MacAlg, PrfFunc, ProtType, SecurityPolicy, SrtpCs, Timestamp,
};

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

struct Kat(HashMap<String, Vec<u8>>);

impl Kat {
    fn parse(text: &str) -> Self {
        Kat(text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (k, v) = l.split_once(':').expect("key: value");
                (k.trim().to_string(), unhex(v.trim()))
            })
            .collect())
    }
    fn get(&self, k: &str) -> Vec<u8> {
        self.0
            .get(k)
            .unwrap_or_else(|| panic!("missing {k}"))
            .clone()
    }
    fn opt(&self, k: &str) -> Option<Vec<u8>> {
        self.0.get(k).cloned()
    }
    fn u32(&self, k: &str) -> u32 {
        u32::from_be_bytes(self.get(k).try_into().expect("u32"))
    }
    fn u64(&self, k: &str) -> u64 {
        u64::from_be_bytes(self.get(k).try_into().expect("u64"))
    }
}

/// The structure of a case (the values come from the vector file).
struct Case {
    text: &'static str,
    prf: PrfFunc,
    encr: EncrAlg,
    mac: MacAlg,
    v: bool,
    nai: bool,
    /// The responder sends IDr (the I_MESSAGE's IDr) in its R_MESSAGE.
    responder_sends_id_r: bool,
    /// (policy no, SSRC chosen by the initiator) per crypto session.
    cs: &'static [(u8, u32)],
    policy_nos: &'static [u8],
    keys: usize,
}

const CASES: &[Case] = &[
    Case {
        text: include_str!("../testvectors/psk/case_a_aescm128_sha1_v.txt"),
        prf: PrfFunc::Mikey1,
        encr: EncrAlg::AesCm128,
        mac: MacAlg::HmacSha1_160,
        v: true,
        nai: true,
        responder_sends_id_r: true,
        cs: &[(0, 0)],
        policy_nos: &[0],
        keys: 1,
    },
    Case {
        text: include_str!("../testvectors/psk/case_b_aeskw128_sha1_two_tgk.txt"),
        prf: PrfFunc::Mikey1,
        encr: EncrAlg::AesKw128,
        mac: MacAlg::HmacSha1_160,
        v: true,
        nai: false,
        responder_sends_id_r: false,
        cs: &[(0, 0x0102_0304), (0, 0)],
        policy_nos: &[0],
        keys: 2,
    },
    Case {
        text: include_str!("../testvectors/psk/case_c_prf256_aescm256_sha256.txt"),
        prf: PrfFunc::HmacSha256,
        encr: EncrAlg::AesCm256,
        mac: MacAlg::HmacSha256_256,
        v: true,
        nai: false,
        responder_sends_id_r: false,
        cs: &[(1, 0)],
        policy_nos: &[1],
        keys: 1,
    },
    Case {
        text: include_str!("../testvectors/psk/case_d_null_null_tek_salt.txt"),
        prf: PrfFunc::Mikey1,
        encr: EncrAlg::Null,
        mac: MacAlg::Null,
        v: false,
        nai: false,
        responder_sends_id_r: false,
        cs: &[(0, 0xC20F_551C)],
        policy_nos: &[0],
        keys: 1,
    },
];

fn id(nai: bool, data: &[u8]) -> Id<'static> {
    let s = std::str::from_utf8(data).expect("utf-8 identity");
    if nai {
        Id::nai(s)
    } else {
        Id::uri(s)
    }
}

/// SP payload from the vector's TLV bytes, pushed parameter by parameter.
fn policy(no: u8, params: &[u8]) -> SecurityPolicy<'static> {
    let mut sp = SecurityPolicy::new(no, ProtType::Srtp);
    let mut rest = params;
    while !rest.is_empty() {
        let (t, l) = (rest[0], rest[1] as usize);
        sp.push(t, &rest[2..2 + l]).unwrap();
        rest = &rest[2 + l..];
    }
    assert_eq!(sp.param_bytes(), params);
    sp
}

fn keys(kat: &Kat, n: usize) -> Vec<TransportKey> {
    (1..=n)
        .map(|i| {
            let mut k = match kat.opt(&format!("key{i}_tgk")) {
                Some(tgk) => TransportKey::tgk(&tgk),
                None => TransportKey::tek(&kat.get(&format!("key{i}_tek"))),
            };
            if let Some(s) = kat.opt(&format!("key{i}_salt")) {
                k = k.with_salt(&s);
            }
            if let Some(m) = kat.opt(&format!("key{i}_mki")) {
                k = k.with_mki(&m);
            }
            k
        })
        .collect()
}

fn check_srtp(kat: &Kat, case: &Case, got: &[mikey::srtp::export::SrtpParams], who: &str) {
    assert_eq!(got.len(), case.cs.len() * case.keys, "{who}: SRTP entries");
    let mut it = got.iter();
    for cs_id in 1..=case.cs.len() as u8 {
        for k in 1..=case.keys {
            let p = it.next().unwrap();
            assert_eq!(p.cs_id, cs_id, "{who}");
            assert_eq!(
                p.ssrc,
                kat.u32(&format!("cs{cs_id}_ssrc")),
                "{who}: cs {cs_id} SSRC"
            );
            assert_eq!(
                p.master_key.as_bytes(),
                kat.get(&format!("cs{cs_id}_key{k}_master_key")),
                "{who}: cs {cs_id} key {k} master key"
            );
            assert_eq!(
                p.master_salt.as_bytes(),
                kat.get(&format!("cs{cs_id}_key{k}_master_salt")),
                "{who}: cs {cs_id} key {k} master salt"
            );
            let mki = kat.opt(&format!("key{k}_mki"));
            assert_eq!(p.mki, mki, "{who}: MKI");
            if let Some(m) = &mki {
                assert_eq!(p.key_validity, KeyValidity::Spi(m.clone().into()));
            }
        }
    }
}

fn run(case: &Case) {
    let kat = Kat::parse(case.text);
    let psk = kat.get("psk");
    let csb_id = kat.u32("csb_id");
    let t = kat.u64("t");
    let rand = kat.get("rand");
    let i_message = kat.get("i_message");
    let r_message = kat.opt("r_message");
    assert_eq!(r_message.is_some(), case.v);
    let now = Timestamp::ntp_utc(t).to_unix().expect("NTP time");
    // The vector's T survives the NTP -> Duration -> NTP round trip the initiator makes.
    assert_eq!(Timestamp::from_unix(now).value, t);
    let id_i = kat.opt("id_i").map(|d| id(case.nai, &d));
    let id_r = kat.opt("id_r").map(|d| id(case.nai, &d));
    let policies: Vec<_> = case
        .policy_nos
        .iter()
        .map(|&no| policy(no, &kat.get(&format!("sp{no}_params"))))
        .collect();
    let local_ssrcs: Vec<u32> = kat
        .opt("responder_ssrcs")
        .unwrap_or_default()
        .chunks(4)
        .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
        .collect();

    // (i) Responder: accepts the Python I_MESSAGE, answers with the Python R_MESSAGE.
    let null = case.encr == EncrAlg::Null;
    let mut responder = PskResponder::new(
        SecretBytes::from_slice(&psk),
        ResponderConfig {
            local_ssrcs,
            allow_null_encryption: null,
            allow_null_mac: case.mac == MacAlg::Null,
            id_r: if case.responder_sends_id_r {
                id_r.clone()
            } else {
                None
            },
            ..ResponderConfig::default()
        },
    );
    let accepted = responder
        .handle(&i_message, now)
        .unwrap_or_else(|e| panic!("responder rejected the Python I_MESSAGE: {e:?}"));
    assert_eq!(accepted.csb_id, csb_id);
    assert!(accepted.change.created);
    assert_eq!(accepted.change.keys_added, case.keys);
    assert_eq!(accepted.response, r_message, "R_MESSAGE bytes");
    check_srtp(&kat, case, &responder.srtp(csb_id).unwrap(), "responder");

    // (ii) Initiator: builds the Python I_MESSAGE and accepts the Python R_MESSAGE.
    let cfg = PskConfig {
        csb_id: Some(csb_id),
        prf: case.prf,
        encr: case.encr,
        mac: case.mac,
        v: case.v,
        id_i,
        id_r,
        crypto_sessions: case
            .cs
            .iter()
            .map(|&(policy_no, ssrc)| SrtpCs {
                policy_no,
                ssrc,
                roc: 0,
            })
            .collect(),
        policies,
        rand_len: rand.len() as u8,
        ..PskConfig::default()
    };
    let mut initiator = PskInitiator::new(&psk, cfg);
    let mut calls = 0;
    let mut entropy = |buf: &mut [u8]| {
        calls += 1;
        assert_eq!(
            buf.len(),
            rand.len(),
            "only RAND is drawn (CSB ID is fixed)"
        );
        buf.copy_from_slice(&rand);
    };
    let ours = initiator
        .initiate(keys(&kat, case.keys), now, &mut entropy)
        .unwrap();
    assert_eq!(calls, 1);
    assert_eq!(ours, i_message, "I_MESSAGE bytes");
    match &r_message {
        Some(r) => {
            let verified = initiator
                .handle_response(r, now)
                .unwrap_or_else(|e| panic!("initiator rejected the Python R_MESSAGE: {e:?}"));
            assert_eq!(verified.csb_id, csb_id);
            assert!(initiator.is_confirmed());
        }
        None => assert!(!case.v),
    }
    check_srtp(&kat, case, &initiator.srtp().unwrap(), "initiator");
}

#[test]
fn case_a_aes_cm_128_hmac_sha1_v() {
    run(&CASES[0]);
}

#[test]
fn case_b_aes_kw_128_two_tgks() {
    run(&CASES[1]);
}

#[test]
fn case_c_prf_hmac_sha256_aes_cm_256() {
    run(&CASES[2]);
}

#[test]
fn case_d_null_null_tek_salt() {
    run(&CASES[3]);
}

/// A flipped bit anywhere in the MAC-covered part of the Python I_MESSAGE is refused
/// (cases with a MAC), and a flipped bit in the Python R_MESSAGE is refused.
#[test]
fn tampered_messages_are_refused() {
    for case in CASES.iter().filter(|c| c.mac != MacAlg::Null) {
        let kat = Kat::parse(case.text);
        let now = Timestamp::ntp_utc(kat.u64("t")).to_unix().unwrap();
        let i_message = kat.get("i_message");
        for pos in [12, i_message.len() / 2, i_message.len() - 1] {
            let mut bad = i_message.clone();
            bad[pos] ^= 0x01;
            let mut responder = PskResponder::new(
                SecretBytes::from_slice(&kat.get("psk")),
                ResponderConfig::default(),
            );
            assert!(responder.handle(&bad, now).is_err(), "byte {pos} flipped");
        }
    }
}

/// `session::verify_psk_response` (diagnostics): case (a)'s verification message verifies
/// with the PSK against its I_MESSAGE, and not with another PSK, nor against a tampered
/// response.
#[test]
fn verification_message_checked_for_diagnostics() {
    use mikey::session::{verify_psk_response, SessionError};
    use mikey::wire::MessageView;
    let kat = Kat::parse(CASES[0].text);
    let (i, r, psk) = (kat.get("i_message"), kat.get("r_message"), kat.get("psk"));
    let iv = MessageView::parse(&i).unwrap();
    let rv = MessageView::parse(&r).unwrap();
    assert_eq!(verify_psk_response(&iv, &rv, &psk, None), Ok(()));
    let mut other = psk.clone();
    other[0] ^= 1;
    assert_eq!(
        verify_psk_response(&iv, &rv, &other, None),
        Err(SessionError::AuthFailure)
    );
    let mut bad = r.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let bv = MessageView::parse(&bad).unwrap();
    assert_eq!(
        verify_psk_response(&iv, &bv, &psk, None),
        Err(SessionError::AuthFailure)
    );
}
