//! The messages our PSK initiator builds, deterministically (fixed PSK, clock and
//! randomness), in the configurations the fuzz targets and seeds use.

use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
use mikey::wire::{EncrAlg, Id, MacAlg, PrfFunc, SrtpCs, SrtpPolicy, TsType};

/// The pre-shared key of every fuzzed exchange.
pub const PSK: [u8; 20] = [0x42; 20];

/// The clock of every fuzzed exchange (seconds since the Unix epoch).
pub const NOW: Duration = Duration::from_secs(1_790_000_000);

/// Deterministic "randomness" (the fuzz targets must be reproducible).
pub fn seq_rng(seed: u8) -> impl FnMut(&mut [u8]) {
    let mut n = seed;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_mul(5).wrapping_add(37);
            *x = n;
        }
    }
}

/// The responder configurations the cases need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// `ResponderConfig::default()` with one local SSRC: MAC and encryption required.
    Strict,
    /// `ResponderConfig::mikey_null()`: NULL encryption and MAC allowed, lenient parsing.
    MikeyNull,
}

impl Flavour {
    /// Every flavour.
    pub const ALL: [Flavour; 2] = [Flavour::Strict, Flavour::MikeyNull];

    /// The responder configuration, with a replay cache of `replay_capacity` entries.
    pub fn config(self, replay_capacity: usize) -> ResponderConfig {
        let base = match self {
            Flavour::Strict => ResponderConfig::default(),
            Flavour::MikeyNull => ResponderConfig::mikey_null(),
        };
        ResponderConfig {
            local_ssrcs: vec![0xabcd_ef01],
            limits: crate::keys::limits(replay_capacity),
            ..base
        }
    }

    /// A responder with the fixed PSK.
    pub fn responder(self, replay_capacity: usize) -> PskResponder {
        PskResponder::new(SecretBytes::from_slice(&PSK), self.config(replay_capacity))
    }
}

/// One initiator configuration and the keys it sends.
pub struct Case {
    /// Short name (used in seed file names).
    pub name: &'static str,
    /// Initiator settings.
    pub cfg: PskConfig,
    /// Keys of the initial message.
    pub keys: Vec<TransportKey>,
    /// Keys of an update message (RFC 3830 §4.5), if the case has one.
    pub update: Option<Vec<TransportKey>>,
    /// The responder that accepts it.
    pub flavour: Flavour,
}

fn full_cfg() -> PskConfig {
    PskConfig {
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
    }
}

/// The configurations: every KEMAC cipher and MAC, both PRFs, with and without V, IDs,
/// policies and crypto sessions, NTP and COUNTER timestamps, TGK, TEK and +SALT keys.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "cm128-sha1-v",
            cfg: full_cfg(),
            keys: vec![TransportKey::tgk(&[5; 16]).with_mki(&[0, 0, 0, 1])],
            update: Some(vec![TransportKey::tgk(&[6; 16]).with_mki(&[0, 0, 0, 2])]),
            flavour: Flavour::Strict,
        },
        Case {
            name: "kw128-sha256-v",
            cfg: PskConfig {
                prf: PrfFunc::HmacSha256,
                encr: EncrAlg::AesKw128,
                mac: MacAlg::HmacSha256_256,
                ..full_cfg()
            },
            // 4 + 16 + 1 + 3 = 24 bytes: a multiple of 8, as AES-KW needs.
            keys: vec![TransportKey::tgk(&[1; 16]).with_mki(&[0, 0, 1])],
            update: None,
            flavour: Flavour::Strict,
        },
        Case {
            name: "cm256-sha256",
            cfg: PskConfig {
                csb_id: Some(0x0a0b_0c0d),
                prf: PrfFunc::HmacSha256,
                encr: EncrAlg::AesCm256,
                mac: MacAlg::HmacSha256_256,
                crypto_sessions: vec![SrtpCs {
                    policy_no: 0,
                    ssrc: 0x5566_7788,
                    roc: 0,
                }],
                ..PskConfig::default()
            },
            keys: vec![TransportKey::tek(&[7; 16]).with_salt(&[8; 14])],
            update: None,
            flavour: Flavour::Strict,
        },
        Case {
            name: "counter-sha1",
            cfg: PskConfig {
                csb_id: Some(0x7777_0001),
                ts_type: TsType::Counter,
                id_i: Some(Id::uri("sip:alice@example.com")),
                rand_len: 32,
                ..PskConfig::default()
            },
            keys: vec![
                TransportKey::tgk(&[2; 16]).with_mki(&[1]),
                TransportKey::tgk(&[3; 32]).with_mki(&[2]),
            ],
            update: Some(vec![TransportKey::tgk(&[4; 16]).with_mki(&[1])]),
            flavour: Flavour::Strict,
        },
        Case {
            name: "null-null",
            cfg: PskConfig {
                csb_id: Some(0x4e55_4c4c),
                encr: EncrAlg::Null,
                mac: MacAlg::Null,
                crypto_sessions: vec![SrtpCs {
                    policy_no: 0,
                    ssrc: 0xc20f_551c,
                    roc: 0,
                }],
                policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
                ..PskConfig::default()
            },
            keys: vec![TransportKey::tek(&[3; 30]).with_mki(&[0, 0, 0, 9])],
            update: None,
            flavour: Flavour::MikeyNull,
        },
    ]
}

/// One exchange run to its end: every message the initiator built (initial, then the
/// update if any) and every verification message the responder answered with.
pub struct Exchange {
    /// The case's name.
    pub name: &'static str,
    /// Whether the KEMAC carries a MAC (so every accepted message is authenticated).
    pub authenticated: bool,
    /// The responder that accepts the messages.
    pub flavour: Flavour,
    /// I_MESSAGEs in order: the initial message, then the update if the case has one.
    pub messages: Vec<Vec<u8>>,
    /// Verification messages (R_MESSAGEs), when V was asked for.
    pub responses: Vec<Vec<u8>>,
}

/// Runs a case: the initiator builds its messages, a responder accepts them, and the
/// initiator checks the verification messages. Panics if our own exchange fails.
pub fn run_case(case: &Case, seed: u8) -> Exchange {
    let mut rng = seq_rng(seed);
    let mut i = PskInitiator::new(&PSK, case.cfg.clone());
    let mut r = case.flavour.responder(4096);
    let mut messages = Vec::new();
    let mut responses = Vec::new();
    let mut rounds = vec![case.keys.clone()];
    rounds.extend(case.update.clone());
    for (n, keys) in rounds.into_iter().enumerate() {
        let now = NOW + Duration::from_secs(n as u64);
        let msg = i
            .initiate(keys, now, &mut rng)
            .unwrap_or_else(|e| panic!("{}: initiate: {e}", case.name));
        let a = r
            .handle(&msg, now)
            .unwrap_or_else(|e| panic!("{}: responder: {:?}", case.name, e.error));
        if let Some(resp) = a.response {
            i.handle_response(&resp, now)
                .unwrap_or_else(|e| panic!("{}: verification: {e}", case.name));
            responses.push(resp);
        }
        messages.push(msg);
    }
    Exchange {
        name: case.name,
        authenticated: case.cfg.mac != MacAlg::Null,
        flavour: case.flavour,
        messages,
        responses,
    }
}

/// Every case run with seed 1.
pub fn exchanges() -> Vec<Exchange> {
    cases().iter().map(|c| run_case(c, 1)).collect()
}
