//! Runs public-key exchanges in a loop, for profiling what an exchange does beyond its RSA
//! and modexp operations (`perf record --call-graph dwarf`):
//!
//! ```sh
//! cargo run --release --example pk_profile [--features aws-lc] -- MODE [rustcrypto|aws-lc] [N]
//! ```
//!
//! MODE is `pk`, `rsa-r` or `dh-sign` (N exchanges with keys and trust stores loaded once),
//! or `pk-floor`, `rsa-r-floor`, `dh-sign-floor` (only the RSA operations and modexps of N
//! such exchanges). `perf stat -e instructions,cycles` of an exchange and of its floor
//! compares the work, unaffected by other jobs on the machine.
use core::time::Duration;
use mikey::crypto::dh::OAKLEY5;
use mikey::crypto::{
    CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SecretBytes, SignatureScheme,
};
use mikey::session::*;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::sync::Arc;

const NOW: Duration = Duration::from_secs(1_800_000_000);
const A: &str = include_str!("../testvectors/keys/rsa2048-a.pem");
const B: &str = include_str!("../testvectors/keys/rsa2048-b.pem");

fn provider(name: &str) -> Arc<dyn CryptoProvider> {
    match name {
        #[cfg(feature = "aws-lc")]
        "aws-lc" => Arc::new(mikey::crypto::aws_lc::AwsLcProvider),
        "rustcrypto" => Arc::new(RustCryptoProvider),
        other => panic!("unknown provider {other}"),
    }
}

fn cs() -> Vec<SrtpCs> {
    vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1234,
        roc: 0,
    }]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("pk", String::as_str);
    let p = provider(args.get(2).map_or("rustcrypto", String::as_str));
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let a: Arc<dyn RsaPrivate> = p.rsa_private_from_pem(A).unwrap().into();
    let b: Arc<dyn RsaPrivate> = p.rsa_private_from_pem(B).unwrap().into();
    let b_pub: Arc<dyn RsaPublic> = b.public().into();
    let trust_a: Arc<dyn PeerVerifier> =
        Arc::new(PinnedKeys::new().with(b"alice@example.com", &a.to_spki_der()));
    let trust_b: Arc<dyn PeerVerifier> =
        Arc::new(PinnedKeys::new().with(b"bob@example.com", &b.to_spki_der()));
    let mut x = 0u64;
    let mut rng = move |buf: &mut [u8]| {
        for v in buf {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *v = (x >> 33) as u8;
        }
    };
    for i in 0..n {
        let now = NOW + Duration::from_secs(i % 200);
        match mode {
            "pk" => {
                let cfg = PkConfig {
                    v: true,
                    id_i: Some(Id::nai("alice@example.com")),
                    crypto_sessions: cs(),
                    policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
                    ..PkConfig::default()
                };
                let mut ini = PkInitiator::new(Box::new(a.clone()), Box::new(b_pub.clone()), cfg);
                let m = ini
                    .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut rng)
                    .unwrap();
                let mut resp = PkResponder::new(
                    Box::new(b.clone()),
                    trust_a.clone(),
                    ResponderConfig::default(),
                )
                .with_provider(p.clone());
                let acc = resp.handle(&m, now).unwrap();
                ini.handle_response(acc.response.as_deref().unwrap(), now)
                    .unwrap();
            }
            "rsa-r" => {
                let mut ini = RsaRInitiator::new(
                    p.clone(),
                    Box::new(a.clone()),
                    trust_b.clone(),
                    RsaRConfig {
                        id_i: Some(Id::nai("alice@example.com")),
                        crypto_sessions: cs(),
                        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
                        ..RsaRConfig::default()
                    },
                );
                let m = ini.initiate(now, &mut rng).unwrap();
                let mut resp = RsaRResponder::new(
                    Box::new(b.clone()),
                    trust_a.clone(),
                    ResponderConfig {
                        id_r: Some(Id::nai("bob@example.com")),
                        ..ResponderConfig::default()
                    },
                )
                .with_provider(p.clone());
                let acc = resp.handle(&m, now).unwrap();
                ini.handle_response(acc.response.as_deref().unwrap(), now)
                    .unwrap();
            }
            "dh-sign" => {
                let cfg = DhConfig {
                    id_i: Some(Id::nai("alice@example.com")),
                    id_r: Some(Id::nai("bob@example.com")),
                    crypto_sessions: cs(),
                    policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
                    ..DhConfig::default()
                };
                let mut ini = DhSignInitiator::new(cfg, a.clone(), trust_b.clone());
                let m = ini.initiate(now, &mut rng).unwrap();
                let mut resp =
                    DhSignResponder::new(b.clone(), trust_a.clone(), ResponderConfig::default());
                let acc = resp.handle(&m, now).unwrap();
                ini.handle_response(acc.response.as_deref().unwrap(), now)
                    .unwrap();
            }
            // The RSA work of each exchange alone, as benches/modes.rs and benches/dh.rs count
            // it: compare `perf stat -e instructions,cycles` of an exchange and its floor.
            "pk-floor" => {
                let msg = [0x5au8; 470];
                let s = a
                    .sign(&mut rng, SignatureScheme::RsaPkcs1Sha256, &msg)
                    .unwrap();
                a.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s).unwrap();
                let c = b.encrypt_pkcs1v15(&mut rng, &[7u8; 16]).unwrap();
                b.decrypt_pkcs1v15(&c).unwrap();
            }
            "rsa-r-floor" => {
                let msg = [0x5au8; 300];
                for k in [&a, &b] {
                    let s = k
                        .sign(&mut rng, SignatureScheme::RsaPkcs1Sha256, &msg)
                        .unwrap();
                    k.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s).unwrap();
                }
                let c = a.encrypt_pkcs1v15(&mut rng, &[7u8; 16]).unwrap();
                a.decrypt_pkcs1v15(&c).unwrap();
            }
            "dh-sign-floor" => {
                let prime = OAKLEY5.prime;
                let mut x = SecretBytes::zeroed(32);
                rng(x.as_mut_bytes());
                let mut y = SecretBytes::zeroed(32);
                rng(y.as_mut_bytes());
                let gx = p.modexp(&[2], &x, prime).unwrap();
                let gy = p.modexp(&[2], &y, prime).unwrap();
                p.modexp(gy.as_bytes(), &x, prime).unwrap();
                p.modexp(gx.as_bytes(), &y, prime).unwrap();
                let msg = [0xa5u8; 290];
                for k in [&a, &b] {
                    let s = k
                        .sign(&mut rng, SignatureScheme::RsaPkcs1Sha256, &msg)
                        .unwrap();
                    k.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s).unwrap();
                }
            }
            other => panic!("unknown mode {other}"),
        }
    }
}
