//! The public-key envelope exchange (RFC 3830 §3.2) and the RSA-R exchange (RFC 4738) next
//! to the RSA operations they contain, measured in the same run, per crypto provider:
//!
//! * PK: SIGNi (sign), PKE (encrypt) at the initiator; verify and decrypt at the responder.
//! * RSA-R: SIGNi (sign) at the initiator; verify, PKE (encrypt) and SIGNr (sign) at the
//!   responder; verify and decrypt at the initiator.
//!
//! After the criterion groups, a short timed loop prints exchange / RSA floor ratios.

use core::time::Duration;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::{CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SignatureScheme};
use mikey::session::*;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const NOW: Duration = Duration::from_secs(1_800_000_000);
const A: &str = include_str!("../testvectors/keys/rsa2048-a.pem");
const B: &str = include_str!("../testvectors/keys/rsa2048-b.pem");

fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u64;
    move |b: &mut [u8]| {
        for x in b {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = (n >> 33) as u8;
        }
    }
}

fn providers() -> Vec<Arc<dyn CryptoProvider>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn CryptoProvider>> = vec![Arc::new(RustCryptoProvider)];
    #[cfg(feature = "aws-lc")]
    v.push(Arc::new(mikey::crypto::aws_lc::AwsLcProvider));
    v
}

struct Keys {
    a: Arc<dyn RsaPrivate>,
    b: Arc<dyn RsaPrivate>,
}

/// A loaded key shared by every exchange (exchanges take their keys by value; parsing a
/// key per exchange would be measured otherwise).
#[derive(Debug)]
struct Shared(Arc<dyn RsaPrivate>);

impl RsaPublic for Shared {
    fn encrypt_pkcs1v15(
        &self,
        rng: &mut dyn Entropy,
        msg: &[u8],
    ) -> Result<Vec<u8>, mikey::crypto::CryptoError> {
        self.0.encrypt_pkcs1v15(rng, msg)
    }
    fn verify(
        &self,
        scheme: SignatureScheme,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), mikey::crypto::CryptoError> {
        self.0.verify(scheme, msg, sig)
    }
    fn modulus_len(&self) -> usize {
        self.0.modulus_len()
    }
    fn to_spki_der(&self) -> Vec<u8> {
        self.0.to_spki_der()
    }
}

impl RsaPrivate for Shared {
    fn public(&self) -> Box<dyn RsaPublic> {
        self.0.public()
    }
    fn decrypt_pkcs1v15(
        &self,
        ciphertext: &[u8],
    ) -> Result<mikey::crypto::SecretBytes, mikey::crypto::CryptoError> {
        self.0.decrypt_pkcs1v15(ciphertext)
    }
    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, mikey::crypto::CryptoError> {
        self.0.sign(rng, scheme, msg)
    }
    fn to_pkcs8_der(&self) -> mikey::crypto::SecretBytes {
        self.0.to_pkcs8_der()
    }
}

fn keys(p: &dyn CryptoProvider) -> Keys {
    Keys {
        a: Arc::from(p.rsa_private_from_pem(A).unwrap()),
        b: Arc::from(p.rsa_private_from_pem(B).unwrap()),
    }
}

fn pinned(id: &str, k: &dyn RsaPublic) -> PinnedKeys {
    PinnedKeys::new().with(id.as_bytes(), &k.to_spki_der())
}

fn pk_exchange(p: &Arc<dyn CryptoProvider>, k: &Keys, i: u64, r: &mut impl FnMut(&mut [u8])) {
    let now = NOW + Duration::from_secs(i % 200);
    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::nai("alice@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..PkConfig::default()
    };
    let a = Box::new(Shared(k.a.clone()));
    let b = Box::new(Shared(k.b.clone()));
    let mut ini = PkInitiator::new(a, k.b.public(), cfg);
    let m = ini
        .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, r)
        .unwrap();
    let mut resp = PkResponder::new(
        p.clone(),
        b,
        pinned("alice@example.com", k.a.as_ref()),
        ResponderConfig::default(),
    );
    let acc = resp.handle(&m, now).unwrap();
    ini.handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(acc.csb_id).unwrap()));
}

fn rsa_r_exchange(p: &Arc<dyn CryptoProvider>, k: &Keys, i: u64, r: &mut impl FnMut(&mut [u8])) {
    let now = NOW + Duration::from_secs(i % 200);
    let a = Box::new(Shared(k.a.clone()));
    let b = Box::new(Shared(k.b.clone()));
    let mut ini = RsaRInitiator::new(
        p.clone(),
        a,
        pinned("bob@example.com", k.b.as_ref()),
        RsaRConfig {
            id_i: Some(Id::nai("alice@example.com")),
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 0x1234,
                roc: 0,
            }],
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
            ..RsaRConfig::default()
        },
    );
    let m = ini.initiate(now, r).unwrap();
    let mut resp = RsaRResponder::new(
        p.clone(),
        b,
        pinned("alice@example.com", k.a.as_ref()),
        RsaRResponderConfig {
            id_r: Some(Id::nai("bob@example.com")),
            ..RsaRResponderConfig::default()
        },
    );
    let acc = resp.handle(&m, now, r).unwrap();
    let got = ini
        .handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(got.csb_id).unwrap()));
}

/// The RSA work of one PK exchange: sign, verify, encrypt, decrypt.
fn pk_floor(k: &Keys, r: &mut impl FnMut(&mut [u8])) {
    let msg = [0x5au8; 470];
    let s = k.a.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.a.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let c = k.b.encrypt_pkcs1v15(r, &[7u8; 16]).unwrap();
    black_box(k.b.decrypt_pkcs1v15(&c).unwrap());
}

/// The RSA work of one RSA-R exchange: two signatures, two verifications, encrypt, decrypt.
fn rsa_r_floor(k: &Keys, r: &mut impl FnMut(&mut [u8])) {
    let msg = [0x5au8; 300];
    let s = k.a.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.a.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let s = k.b.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.b.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let c = k.a.encrypt_pkcs1v15(r, &[7u8; 16]).unwrap();
    black_box(k.a.decrypt_pkcs1v15(&c).unwrap());
}

fn bench(c: &mut Criterion) {
    for p in providers() {
        let k = keys(p.as_ref());
        let mut g = c.benchmark_group(format!("modes/{}", p.name()));
        g.sample_size(20).measurement_time(Duration::from_secs(4));
        let mut r = rng();
        let mut i = 0u64;
        // One RSA-2048 private-key operation (PKCS#1 v1.5 SHA-256 signature), to compare
        // with `openssl speed rsa2048` on the same machine.
        g.bench_function("rsa2048_sign", |b| {
            b.iter(|| {
                k.a.sign(
                    &mut r,
                    SignatureScheme::RsaPkcs1Sha256,
                    b"mikey benchmark message",
                )
                .unwrap()
            })
        });
        g.bench_function("pk_exchange", |b| {
            b.iter(|| {
                i += 1;
                pk_exchange(&p, &k, i, &mut r)
            })
        });
        g.bench_function("pk_rsa_floor", |b| b.iter(|| pk_floor(&k, &mut r)));
        g.bench_function("rsa_r_exchange", |b| {
            b.iter(|| {
                i += 1;
                rsa_r_exchange(&p, &k, i, &mut r)
            })
        });
        g.bench_function("rsa_r_rsa_floor", |b| b.iter(|| rsa_r_floor(&k, &mut r)));
        g.finish();
        // Ratios from a short timed loop in the same run.
        let time = |f: &mut dyn FnMut()| {
            let n = 30;
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() / n as f64
        };
        let mut j = 1_000u64;
        let pk = time(&mut || {
            j += 1;
            pk_exchange(&p, &k, j, &mut r)
        });
        let pkf = time(&mut || pk_floor(&k, &mut r));
        let rr = time(&mut || {
            j += 1;
            rsa_r_exchange(&p, &k, j, &mut r)
        });
        let rrf = time(&mut || rsa_r_floor(&k, &mut r));
        eprintln!(
            "{}: PK exchange {:.3} ms = {:.2} x its RSA floor {:.3} ms; RSA-R exchange {:.3} ms = {:.2} x its RSA floor {:.3} ms",
            p.name(),
            pk * 1e3,
            pk / pkf,
            pkf * 1e3,
            rr * 1e3,
            rr / rrf,
            rrf * 1e3
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
