//! Runs public-key exchanges in a loop, for profiling what an exchange does beyond its RSA
//! and modexp operations (`perf record --call-graph dwarf`):
//!
//! ```sh
//! cargo bench --bench pk_profile [--features aws-lc] -- MODE [rustcrypto|aws-lc] [N]
//! ```
//!
//! MODE is `pk`, `rsa-r` or `dh-sign` (N exchanges, default 200, with keys and trust stores
//! loaded once), or `pk-floor`, `rsa-r-floor`, `dh-sign-floor` (only the RSA operations
//! and modexps of N such exchanges). `perf stat -e instructions,cycles` of an exchange and
//! of its floor compares the work, unaffected by other jobs on the machine. Without a MODE
//! (as in a plain `cargo bench`) it prints its usage and does nothing; `aws-lc` without
//! the feature is refused with a message.
use core::time::Duration;
use mikey::crypto::dh::OAKLEY5;
use mikey::crypto::{
    CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SecretBytes, SignatureScheme,
};
use mikey::session::*;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::sync::Arc;

mod common;

const NOW: Duration = Duration::from_secs(1_800_000_000);
const A: &str = include_str!("../testvectors/keys/rsa2048-a.pem");
const B: &str = include_str!("../testvectors/keys/rsa2048-b.pem");
const USAGE: &str = "pk_profile: cargo bench --bench pk_profile [--features aws-lc] -- \
                     pk|rsa-r|dh-sign|pk-floor|rsa-r-floor|dh-sign-floor [rustcrypto|aws-lc] [N]";

fn provider(name: &str) -> Option<Arc<dyn CryptoProvider>> {
    match name {
        #[cfg(feature = "aws-lc")]
        "aws-lc" => Some(Arc::new(mikey::crypto::aws_lc::AwsLcProvider)),
        "rustcrypto" => Some(Arc::new(RustCryptoProvider)),
        _ => None,
    }
}

fn cs() -> Vec<SrtpCs> {
    vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1234,
        roc: 0,
    }]
}

/// The deterministic random generator of the benches, boxed.
type Rng = Box<dyn FnMut(&mut [u8])>;

/// Keys, trust stores and randomness, made once.
struct Setup {
    p: Arc<dyn CryptoProvider>,
    a: Arc<dyn RsaPrivate>,
    b: Arc<dyn RsaPrivate>,
    b_pub: Arc<dyn RsaPublic>,
    trust_a: Arc<dyn PeerVerifier>,
    trust_b: Arc<dyn PeerVerifier>,
    rng: Rng,
}

type Step = fn(&mut Setup, Duration);

/// The step MODE names: one exchange or one exchange's RSA and modexp work.
fn step(mode: &str) -> Option<Step> {
    Some(match mode {
        "pk" => pk,
        "rsa-r" => rsa_r,
        "dh-sign" => dh_sign,
        "pk-floor" => pk_floor,
        "rsa-r-floor" => rsa_r_floor,
        "dh-sign-floor" => dh_sign_floor,
        _ => return None,
    })
}

fn main() {
    let args = common::profile_args();
    let Some(step) = args.first().and_then(|m| step(m)) else {
        eprintln!("{USAGE}");
        return;
    };
    let name = args.get(1).map_or("rustcrypto", String::as_str);
    let Some(p) = provider(name) else {
        eprintln!("pk_profile: provider {name:?} is not in this build (rustcrypto; aws-lc with --features aws-lc)");
        std::process::exit(2);
    };
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let a: Arc<dyn RsaPrivate> = p.rsa_private_from_pem(A).unwrap().into();
    let b: Arc<dyn RsaPrivate> = p.rsa_private_from_pem(B).unwrap().into();
    let mut s = Setup {
        b_pub: b.public().into(),
        trust_a: Arc::new(PinnedKeys::new().with(b"alice@example.com", &a.to_spki_der())),
        trust_b: Arc::new(PinnedKeys::new().with(b"bob@example.com", &b.to_spki_der())),
        rng: Box::new(common::rng()),
        p,
        a,
        b,
    };
    for i in 0..n {
        step(&mut s, NOW + Duration::from_secs(i % 200));
    }
}

fn pk(s: &mut Setup, now: Duration) {
    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::nai("alice@example.com")),
        crypto_sessions: cs(),
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..PkConfig::default()
    };
    let mut ini = PkInitiator::new(Box::new(s.a.clone()), Box::new(s.b_pub.clone()), cfg);
    let m = ini
        .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut s.rng)
        .unwrap();
    let key = Box::new(s.b.clone());
    let cfg = ResponderConfig::default();
    let mut resp = PkResponder::new(key, s.trust_a.clone(), cfg).with_provider(s.p.clone());
    let acc = resp.handle(&m, now).unwrap();
    ini.handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
}

fn rsa_r(s: &mut Setup, now: Duration) {
    let cfg = RsaRConfig {
        id_i: Some(Id::nai("alice@example.com")),
        crypto_sessions: cs(),
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..RsaRConfig::default()
    };
    let key = Box::new(s.a.clone());
    let mut ini = RsaRInitiator::new(s.p.clone(), key, s.trust_b.clone(), cfg);
    let m = ini.initiate(now, &mut s.rng).unwrap();
    let cfg = ResponderConfig {
        id_r: Some(Id::nai("bob@example.com")),
        ..ResponderConfig::default()
    };
    let key = Box::new(s.b.clone());
    let mut resp = RsaRResponder::new(key, s.trust_a.clone(), cfg).with_provider(s.p.clone());
    let acc = resp.handle(&m, now).unwrap();
    ini.handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
}

fn dh_sign(s: &mut Setup, now: Duration) {
    let cfg = DhConfig {
        id_i: Some(Id::nai("alice@example.com")),
        id_r: Some(Id::nai("bob@example.com")),
        crypto_sessions: cs(),
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..DhConfig::default()
    };
    let mut ini = DhSignInitiator::new(cfg, s.a.clone(), s.trust_b.clone());
    let m = ini.initiate(now, &mut s.rng).unwrap();
    let cfg = ResponderConfig::default();
    let mut resp = DhSignResponder::new(s.b.clone(), s.trust_a.clone(), cfg);
    let acc = resp.handle(&m, now).unwrap();
    ini.handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
}

// The RSA work of each exchange alone, as benches/modes.rs and benches/dh.rs count it:
// compare `perf stat -e instructions,cycles` of an exchange and its floor.

/// Signs `msg` with each key and verifies each signature.
fn sign_and_verify(s: &mut Setup, keys: &[&Arc<dyn RsaPrivate>], msg: &[u8]) {
    for k in keys {
        let sig = k
            .sign(&mut s.rng, SignatureScheme::RsaPkcs1Sha256, msg)
            .unwrap();
        k.verify(SignatureScheme::RsaPkcs1Sha256, msg, &sig)
            .unwrap();
    }
}

fn pk_floor(s: &mut Setup, _: Duration) {
    let a = s.a.clone();
    sign_and_verify(s, &[&a], &[0x5au8; 470]);
    let c = s.b.encrypt_pkcs1v15(&mut s.rng, &[7u8; 16]).unwrap();
    s.b.decrypt_pkcs1v15(&c).unwrap();
}

fn rsa_r_floor(s: &mut Setup, _: Duration) {
    let (a, b) = (s.a.clone(), s.b.clone());
    sign_and_verify(s, &[&a, &b], &[0x5au8; 300]);
    let c = s.a.encrypt_pkcs1v15(&mut s.rng, &[7u8; 16]).unwrap();
    s.a.decrypt_pkcs1v15(&c).unwrap();
}

fn dh_sign_floor(s: &mut Setup, _: Duration) {
    let prime = OAKLEY5.prime;
    let mut x = SecretBytes::zeroed(32);
    (s.rng)(x.as_mut_bytes());
    let mut y = SecretBytes::zeroed(32);
    (s.rng)(y.as_mut_bytes());
    let gx = s.p.modexp(&[2], &x, prime).unwrap();
    let gy = s.p.modexp(&[2], &y, prime).unwrap();
    s.p.modexp(gy.as_bytes(), &x, prime).unwrap();
    s.p.modexp(gx.as_bytes(), &y, prime).unwrap();
    let (a, b) = (s.a.clone(), s.b.clone());
    sign_and_verify(s, &[&a, &b], &[0xa5u8; 290]);
}
