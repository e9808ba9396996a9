//! The public-key envelope method (RFC 3830 §3.2) under the responder harness: the
//! messages our `PkInitiator` builds (with the 1024-bit stored key on both sides, fixed
//! clock and randomness) and a `PkResponder` harness.

use crate::keys::{self, check_cache, verdict, ALICE, BOB};
use crate::psk::NOW;
use crate::responder::{Base, Harness, Responder, Verdict};
use core::time::Duration;
use mikey::crypto::SignatureScheme;
use mikey::session::{
    PkConfig, PkInitiator, PkResponder, PskConfig, ResponderConfig, TransportKey,
};
use mikey::wire::{CacheType, DataType, Id, MacAlg, PrfFunc, SrtpCs, SrtpPolicy, TsType};

/// Small, so that floods of accepted messages reach it.
pub const REPLAY_CAPACITY: usize = 4;

/// Responder configurations: strict (flavour 0) and lenient (flavour 1).
pub fn config(flavour: usize) -> ResponderConfig {
    ResponderConfig {
        local_ssrcs: vec![0xabcd_ef01],
        limits: keys::limits(REPLAY_CAPACITY),
        lenient: flavour % 2 == 1,
        ..ResponderConfig::default()
    }
}

/// A `PkResponder` with the stored key, trusting Alice and Bob.
pub struct Pk {
    r: PkResponder,
    lenient: bool,
}

impl Responder for Pk {
    fn handle(&mut self, msg: &[u8]) -> Verdict {
        let res = self.r.handle(msg, NOW);
        let r = &self.r;
        verdict(
            res,
            msg,
            self.lenient,
            &[DataType::PkResp, DataType::PskResp],
            false,
            |csb| r.bundle(csb).is_some() && r.srtp(csb).is_ok(),
        )
    }

    fn check_invariants(&self) {
        check_cache(self.r.replay_cache());
    }
}

fn cfg() -> PkConfig {
    PkConfig {
        csb_id: Some(0x0102_0304),
        v: true,
        id_i: Some(Id::nai(ALICE)),
        id_r: Some(Id::nai(BOB)),
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
        ..PkConfig::default()
    }
}

/// The messages: (name, I_MESSAGEs in order). Each exchange runs against a responder.
pub fn exchanges() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    let tgk = |b: u8, mki: u8| vec![TransportKey::tgk(&[b; 16]).with_mki(&[0, 0, 0, mki])];
    let run = |name: &'static str, c: PkConfig, update: bool, psk_update: bool| {
        let mut rng = keys::rng(3);
        let mut i = PkInitiator::new(keys::key(), keys::public(), c);
        let mut r =
            PkResponder::new(keys::key(), keys::trust(), config(0)).with_provider(keys::provider());
        let first = i.initiate(tgk(5, 1), NOW, &mut rng).expect("initiate");
        let a = r
            .handle(&first, NOW)
            .unwrap_or_else(|e| panic!("{name}: {:?}", e.error));
        if let Some(resp) = &a.response {
            i.handle_response(resp, NOW).expect("verification");
        }
        let mut msgs = vec![first];
        let t1 = NOW + Duration::from_secs(1);
        if update {
            let u = i.initiate(tgk(6, 2), t1, &mut rng).expect("update");
            r.handle(&u, t1)
                .unwrap_or_else(|e| panic!("{name} update: {:?}", e.error));
            msgs.push(u);
        }
        if psk_update {
            let mut p = i
                .into_psk(PskConfig {
                    v: true,
                    id_i: Some(Id::nai(ALICE)),
                    ..PskConfig::default()
                })
                .expect("into_psk");
            let u = p.initiate(tgk(7, 3), t1, &mut rng).expect("psk update");
            r.handle(&u, t1)
                .unwrap_or_else(|e| panic!("{name} psk update: {:?}", e.error));
            msgs.push(u);
        }
        (name, msgs)
    };
    out.push(run("pk-v-update", cfg(), true, false));
    out.push(run(
        "pk-cache-psk-update",
        PkConfig {
            csb_id: Some(0x0506_0708),
            cache: CacheType::CacheForCsb,
            signature: SignatureScheme::RsaPssSha256,
            ..cfg()
        },
        false,
        true,
    ));
    out.push(run(
        "pk-sha256-counter",
        PkConfig {
            csb_id: Some(0x0a0b_0c0d),
            v: false,
            prf: PrfFunc::HmacSha256,
            mac: MacAlg::HmacSha256_256,
            ts_type: TsType::Counter,
            id_r: None,
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 0x5566_7788,
                roc: 0,
            }],
            policies: Vec::new(),
            ..cfg()
        },
        false,
        false,
    ));
    out
}

/// The harness.
pub struct PkHarness {
    bases: Vec<Base>,
}

impl PkHarness {
    /// Builds every base message (RSA work: do it once).
    pub fn new() -> Self {
        let mut bases = Vec::new();
        for (name, msgs) in exchanges() {
            for (n, m) in msgs.iter().enumerate() {
                bases.push(Base {
                    name: format!("{name} message {n}"),
                    flavour: 0,
                    before: msgs[..n].to_vec(),
                    message: m.clone(),
                    authenticated: true,
                });
            }
        }
        Self { bases }
    }
}

impl Default for PkHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness for PkHarness {
    type R = Pk;

    fn flavours(&self) -> usize {
        2
    }

    fn responder(&self, flavour: usize) -> Pk {
        Pk {
            r: PkResponder::new(keys::key(), keys::trust(), config(flavour))
                .with_provider(keys::provider()),
            lenient: flavour % 2 == 1,
        }
    }

    fn bases(&self) -> &[Base] {
        &self.bases
    }
}
