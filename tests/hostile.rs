//! Hostile input, deterministically (the fuzz targets in fuzz/ explore further):
//!
//! * every truncation and every single-bit flip of every test vector and of the PSK
//!   messages we produce (and their verification messages) parses or fails cleanly, and
//!   whatever parses re-encodes exactly;
//! * every bit flip and truncation of our authenticated messages is rejected by the
//!   responder (I_MESSAGE) or the initiator (verification message), and changes nothing;
//! * a flood of forged and replayed messages never gets in and never grows the replay
//!   cache past its capacity;
//! * no key (PSK, TGK, TEK, KEMAC keys, SRTP master keys and salts) shows in any Debug or
//!   Display output of the exchange's objects and errors.

mod common;
use core::time::Duration;
use mikey::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf, SecretBytes};
use mikey::session::*;
use mikey::wire::*;

const NOW: Duration = Duration::from_secs(1_790_000_000);

/// splitmix64: deterministic, well-mixed bytes for keys and forged MACs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill(&mut self, b: &mut [u8]) {
        for c in b.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        self.fill(&mut v);
        v
    }
}

impl Entropy for Rng {
    fn fill(&mut self, buf: &mut [u8]) {
        Rng::fill(self, buf)
    }
}

fn psk() -> Vec<u8> {
    Rng(0x0050_534b).bytes(20)
}

/// Parses `b` strictly and leniently, walks the view, decodes NULL KEMAC contents and
/// prints errors: nothing may panic, and whatever parses must re-encode exactly.
fn parse_all_ways(b: &[u8]) {
    match Message::parse(b) {
        Ok(m) => {
            assert_eq!(m.encode().unwrap(), b, "strict parse -> encode differs");
            let v = MessageView::parse(b).unwrap();
            assert_eq!(v.payloads().count(), m.payloads.len());
            for p in &m.payloads {
                if let Payload::Kemac(k) = p {
                    let _ = k.plaintext_keys(false);
                    let _ = k.plaintext_keys(true);
                }
            }
        }
        Err(e) => {
            assert!(e.offset <= b.len(), "{e}");
            assert!(!e.to_string().is_empty());
        }
    }
    match MessageView::parse_with(b, ParseOptions::LENIENT) {
        Ok(v) => {
            let m = v.to_message();
            assert_eq!(v.payloads().count(), m.payloads.len());
            assert_eq!(
                m.encode().unwrap(),
                v.as_bytes(),
                "lenient parse -> encode differs"
            );
            assert!(v.as_bytes().len() == b.len() || v.quirks().contains(Quirk::TrailingZero));
        }
        Err(e) => {
            assert!(e.offset <= b.len(), "{e}");
            assert!(!e.to_string().is_empty());
        }
    }
}

/// Every truncation and every single-bit flip of `msg`.
fn hostile_variants(msg: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let truncations = (0..msg.len()).map(|n| msg[..n].to_vec());
    let flips = (0..msg.len() * 8).map(|bit| {
        let mut m = msg.to_vec();
        m[bit / 8] ^= 1 << (bit % 8);
        m
    });
    truncations.chain(flips)
}

/// The T payload's time, to run a responder at a message's own clock.
fn time_of(msg: &[u8]) -> Option<Duration> {
    MessageView::parse_with(msg, ParseOptions::LENIENT)
        .ok()?
        .payloads()
        .find_map(|p| match p {
            Payload::T(t) => t.to_unix(),
            _ => None,
        })
}

#[test]
fn every_truncation_and_bit_flip_of_every_test_vector_fails_cleanly() {
    let files = common::message_files();
    assert!(files.len() >= 27, "{files:?}");
    let mut all: Vec<String> = [
        "mykey-psk-init.hex",
        "mykey-psk-init-v.hex",
        "mykey-psk-resp-v.hex",
        "mykey-dhhmac-init-oakley1-sp.hex",
        "mykey-dhhmac-resp-oakley1.hex",
    ]
    .iter()
    .map(|f| format!("nonconformant/{f}"))
    .collect();
    all.extend(files);
    let mut variants = 0usize;
    for f in &all {
        let msg = common::load(f);
        // Some need lenient parsing (tests/vectors.rs LENIENT), all parse leniently.
        MessageView::parse_with(&msg, ParseOptions::LENIENT).unwrap_or_else(|e| panic!("{f}: {e}"));
        // A MIKEY-NULL responder at the message's own time, tolerant of the ONVIF client.
        let mut cfg = ResponderConfig::mikey_null();
        cfg.timestamps.accept_any_time = true;
        cfg.timestamps.allow_missing_rand = true;
        let now = time_of(&msg).unwrap_or(NOW);
        let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
        for m in hostile_variants(&msg) {
            parse_all_ways(&m);
            if let Err(rej) = r.handle(&m, now) {
                assert!(!rej.error.to_string().is_empty());
                if let Some(resp) = rej.response {
                    Message::parse(&resp).unwrap();
                }
            }
            assert!(r.replay_cache().len() <= r.replay_cache().capacity());
            variants += 1;
        }
    }
    assert!(variants > 80_000, "{variants}");
}

/// Our PSK configurations: AES-CM/HMAC-SHA-1, AES-KW/HMAC-SHA-256, AES-CM-256/HMAC-SHA-256
/// (all authenticated) and NULL/NULL (MIKEY-NULL), each with V.
fn configs() -> Vec<(&'static str, PskConfig, Vec<TransportKey>, ResponderConfig)> {
    let base = PskConfig {
        csb_id: Some(0x0102_0304),
        v: true,
        id_i: Some(Id::nai("alice@example.com")),
        id_r: Some(Id::nai("bob@example.com")),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 1,
                ssrc: 0x1122_3344,
                roc: 7,
            },
            SrtpCs {
                policy_no: 1,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..PskConfig::default()
    };
    let strict = ResponderConfig {
        local_ssrcs: vec![0xabcd_ef01],
        ..ResponderConfig::default()
    };
    let mut g = Rng(0x0074_676b);
    vec![
        (
            "AES-CM-128/HMAC-SHA-1",
            base.clone(),
            vec![TransportKey::tgk(&g.bytes(16)).with_mki(&[0, 0, 0, 1])],
            strict.clone(),
        ),
        (
            "AES-KW-128/HMAC-SHA-256",
            PskConfig {
                prf: PrfFunc::HmacSha256,
                encr: EncrAlg::AesKw128,
                mac: MacAlg::HmacSha256_256,
                ..base.clone()
            },
            // 4 + 16 + 1 + 3 = 24 bytes, a multiple of 8 as AES-KW needs.
            vec![TransportKey::tgk(&g.bytes(16)).with_mki(&[0, 0, 2])],
            strict.clone(),
        ),
        (
            "AES-CM-256/HMAC-SHA-256",
            PskConfig {
                prf: PrfFunc::HmacSha256,
                encr: EncrAlg::AesCm256,
                mac: MacAlg::HmacSha256_256,
                ..base.clone()
            },
            vec![TransportKey::tek(&g.bytes(16)).with_salt(&g.bytes(14))],
            strict,
        ),
        (
            "NULL/NULL",
            PskConfig {
                encr: EncrAlg::Null,
                mac: MacAlg::Null,
                ..base
            },
            vec![TransportKey::tek(&g.bytes(30)).with_mki(&[0, 0, 0, 9])],
            ResponderConfig {
                local_ssrcs: vec![0xabcd_ef01],
                ..ResponderConfig::mikey_null()
            },
        ),
    ]
}

#[test]
fn our_psk_messages_survive_every_truncation_and_bit_flip() {
    let psk = psk();
    for (name, cfg, keys, rcfg) in configs() {
        let authenticated = cfg.mac != MacAlg::Null;
        let mut i = PskInitiator::new(&psk, cfg);
        let msg = i.initiate(keys, NOW, &mut Rng(1)).unwrap();
        let mut r = PskResponder::new(SecretBytes::from_slice(&psk), rcfg.clone());
        let mut rejected = 0;
        for m in hostile_variants(&msg) {
            parse_all_ways(&m);
            match r.handle(&m, NOW) {
                Ok(a) => {
                    assert!(!authenticated, "{name}: a changed I_MESSAGE was accepted");
                    // MIKEY-NULL has nothing to check: start afresh for the next one.
                    let _ = a;
                    r = PskResponder::new(SecretBytes::from_slice(&psk), rcfg.clone());
                }
                Err(rej) => {
                    rejected += 1;
                    if let Some(resp) = rej.response {
                        parse_all_ways(&resp);
                    }
                }
            }
            if authenticated {
                assert_eq!(
                    r.replay_cache().len(),
                    0,
                    "{name}: a forgery was remembered"
                );
                assert!(r.bundle(0x0102_0304).is_none());
            }
        }
        assert!(rejected > 0, "{name}");
        // The genuine message still gets in: nothing changed.
        let a = r
            .handle(&msg, NOW)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let resp = a.response.unwrap();

        // The verification message: every variant parses or fails cleanly, and for the
        // authenticated ones the initiator rejects every one and stays unconfirmed.
        for m in hostile_variants(&resp) {
            parse_all_ways(&m);
            match i.handle_response(&m, NOW) {
                Ok(_) => assert!(!authenticated, "{name}: a changed R_MESSAGE verified"),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
            if authenticated {
                assert!(!i.is_confirmed(), "{name}");
            } else if i.is_confirmed() {
                // NULL MAC: the initiator was satisfied; start a fresh one for the rest.
                break;
            }
        }
        if authenticated {
            i.handle_response(&resp, NOW).unwrap();
            assert!(i.is_confirmed());
            assert_eq!(
                i.srtp().unwrap(),
                r.srtp(i.bundle().unwrap().csb_id).unwrap()
            );
        }
    }
}

#[test]
fn authenticated_error_messages_survive_every_truncation_and_bit_flip() {
    // A policy the responder cannot honour: the initiator was authenticated, so the Error
    // message carries a V; every change of it must be refused as a forgery or fail to
    // parse, never taken as the peer's word.
    let psk = psk();
    let (_, mut cfg, keys, rcfg) = configs().remove(0);
    cfg.policies = vec![SrtpPolicy {
        encr_alg: Some(SrtpEncrAlg::AesF8),
        ..SrtpPolicy::default()
    }
    .to_payload(1)
    .unwrap()];
    let mut i = PskInitiator::new(&psk, cfg);
    let msg = i.initiate(keys, NOW, &mut Rng(2)).unwrap();
    let rej = PskResponder::new(SecretBytes::from_slice(&psk), rcfg)
        .handle(&msg, NOW)
        .unwrap_err();
    let err = rej.response.unwrap();
    assert_eq!(
        i.handle_response(&err, NOW).unwrap_err(),
        SessionError::PeerError(vec![ErrorNo::InvalidSpPar])
    );
    for m in hostile_variants(&err) {
        parse_all_ways(&m);
        let e = i.handle_response(&m, NOW).unwrap_err();
        if let SessionError::PeerError(codes) = &e {
            // Taken as the peer's report: only possible for a message without V (cut
            // off before it), never for a changed one that still carries a V.
            let v = MessageView::parse(&m)
                .ok()
                .and_then(|v| v.payloads().find(|p| matches!(p, Payload::V(_))));
            assert!(
                v.is_none(),
                "a changed, authenticated Error message was believed: {codes:?}"
            );
        }
        assert!(!i.is_confirmed());
    }
}

/// 1,000,000 forged (random MAC) and replayed messages against a responder whose replay
/// cache holds 1024: nothing gets in, forgeries are never remembered, replays are always
/// recognised, and the cache never exceeds its capacity, also when full.
#[test]
fn flood_of_forged_and_replayed_messages() {
    const CAPACITY: usize = 1024;
    const FLOOD: usize = 1_000_000;
    let started = std::time::Instant::now();
    let psk = psk();
    let mut r = PskResponder::new(
        SecretBytes::from_slice(&psk),
        ResponderConfig {
            limits: ResponderLimits {
                replay_capacity: CAPACITY,
                // One peer (no identity) may fill the whole cache in this test.
                replay_per_peer: CAPACITY,
                max_bundles: 4 * CAPACITY,
                bundles_per_peer: 4 * CAPACITY,
                ..ResponderLimits::default()
            },
            ..ResponderConfig::default()
        },
    );
    let cfg = PskConfig {
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234_5678,
            roc: 0,
        }],
        ..PskConfig::default()
    };
    let mut rng = Rng(0xf100d);
    let genuine: Vec<Vec<u8>> = (0..CAPACITY)
        .map(|k| {
            PskInitiator::new(&psk, cfg.clone())
                .initiate(
                    vec![TransportKey::tgk(&rng.bytes(16))],
                    NOW + Duration::from_secs((k % 60) as u64),
                    &mut rng,
                )
                .unwrap()
        })
        .collect();
    // Half the capacity is in use before the flood.
    let half = CAPACITY / 2;
    for m in &genuine[..half] {
        r.handle(m, NOW).unwrap();
    }
    assert_eq!(r.replay_cache().len(), half);

    let flood = |r: &mut PskResponder, rng: &mut Rng, n: usize, accepted: &[Vec<u8>]| {
        let cached = r.replay_cache().len();
        let mut forged = genuine[CAPACITY - 1].clone();
        let mac_at = forged.len() - 20;
        for k in 0..n {
            let (m, forgery) = if k % 2 == 0 {
                rng.fill(&mut forged[mac_at..]);
                (&forged, true)
            } else {
                (&accepted[(k / 2) % accepted.len()], false)
            };
            let rej = r.handle(m, NOW).expect_err("a flood message was accepted");
            if forgery {
                assert_eq!(rej.error, SessionError::AuthFailure);
            } else {
                assert_eq!(rej.error, SessionError::Replay);
            }
            assert_eq!(r.replay_cache().len(), cached, "the cache changed");
            assert!(r.replay_cache().len() <= CAPACITY);
        }
    };
    flood(&mut r, &mut rng, FLOOD - 2000, &genuine[..half]);

    // Fill the cache to its capacity: a further genuine message is refused (the cache
    // never forgets to make room), and the flood still gets nowhere.
    let fill = CAPACITY - half;
    for m in &genuine[half..half + fill - 1] {
        r.handle(m, NOW).unwrap();
    }
    assert_eq!(r.replay_cache().len(), CAPACITY - 1);
    let last = &genuine[CAPACITY - 1];
    r.handle(last, NOW).unwrap();
    assert_eq!(r.replay_cache().len(), CAPACITY);
    let extra = PskInitiator::new(&psk, cfg)
        .initiate(vec![TransportKey::tgk(&[1; 16])], NOW, &mut rng)
        .unwrap();
    assert_eq!(
        r.handle(&extra, NOW).unwrap_err().error,
        SessionError::ReplayCacheFull
    );
    // Forgeries now meet a full cache first.
    let cached = r.replay_cache().len();
    let mut forged = last.clone();
    let mac_at = forged.len() - 20;
    for k in 0..2000 {
        let m = if k % 2 == 0 {
            rng.fill(&mut forged[mac_at..]);
            &forged
        } else {
            &genuine[k % CAPACITY]
        };
        let rej = r.handle(m, NOW).expect_err("accepted with a full cache");
        assert!(
            matches!(
                rej.error,
                SessionError::ReplayCacheFull | SessionError::Replay
            ),
            "{:?}",
            rej.error
        );
        assert_eq!(r.replay_cache().len(), cached);
    }
    eprintln!("flood of {FLOOD} messages: {:?}", started.elapsed());
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Lower-case and upper-case hex and the `Debug` list forms (decimal, `{:02x?}`,
/// `{:02X?}`) of `b` and of each 4-byte window of it (a partial leak is a leak).
fn needles(b: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut forms = |s: &[u8]| {
        let hex = hex_of(s);
        out.push(hex.to_uppercase());
        out.push(hex);
        for list in [format!("{s:?}"), format!("{s:02x?}"), format!("{s:02X?}")] {
            out.push(list[1..list.len() - 1].to_string());
        }
    };
    forms(b);
    for w in b.windows(4) {
        forms(w);
    }
    out
}

#[test]
fn secrets_never_show_in_debug_or_display() {
    let psk = psk();
    for (name, cfg, keys, rcfg) in configs() {
        let mut secrets: Vec<(String, Vec<u8>)> = vec![("PSK".into(), psk.clone())];
        for k in &keys {
            secrets.push(("transported key".into(), k.key.as_bytes().to_vec()));
            if let Some(s) = &k.salt {
                secrets.push(("transported salt".into(), s.as_bytes().to_vec()));
            }
        }
        let mut outputs: Vec<String> = Vec::new();
        let mut i = PskInitiator::new(&psk, cfg.clone());
        let msg = i.initiate(keys.clone(), NOW, &mut Rng(3)).unwrap();
        outputs.push(format!("{i:?}"));
        let mut r = PskResponder::new(SecretBytes::from_slice(&psk), rcfg.clone());
        let accepted = r.handle(&msg, NOW).unwrap();
        outputs.push(format!("{accepted:?}"));
        let resp = accepted.response.clone().unwrap();
        // A twin initiator (same randomness, same message) meets changed responses.
        let mut twin = PskInitiator::new(&psk, cfg.clone());
        assert_eq!(twin.initiate(keys.clone(), NOW, &mut Rng(3)).unwrap(), msg);
        let verified = i.handle_response(&resp, NOW).unwrap();
        outputs.push(format!("{verified:?}"));
        let csb = accepted.csb_id;

        // The KEMAC keys derived from the PSK.
        let bundle = i.bundle().unwrap().clone();
        let prf = match cfg.prf {
            PrfFunc::HmacSha256 => Prf::HmacSha256,
            _ => Prf::MikeyOne,
        };
        let cipher = KemacCipher::try_from(cfg.encr.to_wire()).unwrap();
        let mac = MacKind::try_from(cfg.mac.to_wire()).unwrap();
        let mk = MessageKeys::derive(prf, &psk, csb, &bundle.rand, cipher, mac);
        for (n, k) in [
            ("encr_key", &mk.encr),
            ("auth_key", &mk.auth),
            ("salt_key", &mk.salt),
        ] {
            if !k.is_empty() {
                secrets.push((n.into(), k.as_bytes().to_vec()));
            }
        }
        outputs.push(format!("{mk:?}"));

        // SRTP parameters and contexts of both sides.
        for p in i.srtp().unwrap().into_iter().chain(r.srtp(csb).unwrap()) {
            secrets.push(("master key".into(), p.master_key.as_bytes().to_vec()));
            secrets.push(("master salt".into(), p.master_salt.as_bytes().to_vec()));
            let ctx = p.context().unwrap();
            outputs.push(format!("{p:?}"));
            outputs.push(format!("{ctx:?}"));
        }
        outputs.push(format!("{:?}", i.bundle()));
        outputs.push(format!("{:?}", r.bundle(csb)));
        outputs.push(format!("{keys:?}"));

        // The plaintext of the KEMAC, decrypted and parsed: shown without key bytes.
        let view = MessageView::parse(&msg).unwrap();
        let (_, kemac) = view.kemac().unwrap();
        let t = view
            .payloads()
            .find_map(|p| match p {
                Payload::T(t) => Some(t.as_u64()),
                _ => None,
            })
            .unwrap();
        let plain = crypto::decrypt(
            cipher,
            mk.encr.as_bytes(),
            mk.salt.as_bytes(),
            csb,
            t,
            &kemac.encr_data,
        )
        .unwrap();
        outputs.push(format!("{plain:?}"));
        let list = KeyDataList::parse(plain.as_bytes(), false, 0).unwrap();
        outputs.push(format!("{list:?}"));

        // Errors along the way: replays, forgeries, wrong keys, truncations, bit flips,
        // broken key data, peer errors.
        let mut errors: Vec<SessionError> = Vec::new();
        let mut parse_errors: Vec<ParseError> = Vec::new();
        errors.push(r.handle(&msg, NOW).unwrap_err().error);
        for m in hostile_variants(&msg).step_by(7) {
            let mut fresh = PskResponder::new(SecretBytes::from_slice(&psk), rcfg.clone());
            if let Err(rej) = fresh.handle(&m, NOW) {
                outputs.push(format!("{rej:?}"));
                errors.push(rej.error);
            }
            if let Err(e) = Message::parse(&m) {
                parse_errors.push(e);
            }
        }
        for m in hostile_variants(&resp).step_by(5) {
            if let Err(e) = twin.handle_response(&m, NOW) {
                errors.push(e);
            }
        }
        outputs.push(format!("{twin:?}"));
        // A wrong PSK (NULL/NULL uses none, so it gets in there).
        if let Err(wrong) =
            PskResponder::new(SecretBytes::from_slice(&[0x43; 20]), rcfg.clone()).handle(&msg, NOW)
        {
            outputs.push(format!("{wrong:?}"));
            errors.push(wrong.error);
        }
        // Key data that decrypts to garbage, and garbage key data.
        for k in 0..plain.len() {
            if let Err(e) = KeyDataList::parse(&plain.as_bytes()[..k], false, 0) {
                parse_errors.push(e);
            }
        }
        if let Err(e) = crypto::decrypt(
            cipher,
            mk.encr.as_bytes(),
            mk.salt.as_bytes(),
            csb,
            t,
            &kemac.encr_data[1..],
        ) {
            outputs.push(format!("{e:?} {e}"));
        }
        for e in &errors {
            outputs.push(format!("{e:?}"));
            outputs.push(e.to_string());
        }
        for e in &parse_errors {
            outputs.push(format!("{e:?}"));
            outputs.push(e.to_string());
        }
        assert!(errors.len() > 50, "{name}: {}", errors.len());

        // The needles do find a key printed in any of the forms.
        let k = &secrets[0].1;
        for printed in [
            format!("{k:?}"),
            format!("{:02X?}", &k[3..9]),
            hex_of(&k[5..]),
        ] {
            assert!(needles(k).iter().any(|n| printed.contains(n.as_str())));
        }
        let needles: Vec<(String, String)> = secrets
            .iter()
            .flat_map(|(what, b)| needles(b).into_iter().map(move |n| (what.clone(), n)))
            .collect();
        for out in &outputs {
            for (what, n) in &needles {
                assert!(
                    !out.contains(n.as_str()),
                    "{name}: the {what} shows as {n:?} in {out}"
                );
            }
        }
    }
}
