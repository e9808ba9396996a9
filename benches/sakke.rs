//! MIKEY-SAKKE primitives (feature `sakke`): ECCSI sign and verify (RFC 6507, P-256),
//! SAKKE encapsulate, decapsulate and RSK validation (RFC 6508, parameter set 1), and the
//! halves of a 3GPP I_MESSAGE: making one (sign + encapsulate) and opening one (verify +
//! decapsulate with the pairing and the re-encapsulation check), and the real thing:
//! `mcx_make` and `mcx_open` make and open a complete 3GPP I_MESSAGE with
//! `mcx::imessage_make::make` and `mcx::imessage_open::open` (a PCK with protected key
//! parameters, between users of two KMSs: parse, checks, ECCSI, SAKKE, type-7 AES-GCM).
//!
//! With `--features sakke-count` the bench also counts the 1024-bit F_p multiplications
//! (squarings included) and inversions of each SAKKE operation and prints, interleaved in
//! CPU time, each operation's time over (multiplications x the time of one multiplication
//! measured in the same run): how close the operation is to its arithmetic.
//!
//! `cargo bench --bench sakke --features sakke-count`

mod common;
use common::rng;

use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::eccsi::{Kpak, Ksak, SigningKey};
use mikey::crypto::sakke::{Identifier, KmsPublicKey, MasterSecret, Receiver, Rsk};
use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use mikey::mcx::imessage_open::{open, OpenOptions};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::{KeyParameters, KeyPeriod, PlaintextForm, PurposeTag};
use std::hint::black_box;
use std::time::Duration;

/// Two KMSs, Alice at one and Bob at the other, and an I_MESSAGE from Alice to Bob.
struct Mcx {
    trust: KmsTrust,
    alice: UserKeys,
    bob: UserKeys,
    key: DistributedKey,
    opts: MakeOptions,
    message: Vec<u8>,
}

const NOW: Duration = Duration::from_secs(1_764_892_800);

fn mcx_setup() -> Mcx {
    let mut r = rng();
    let period = KeyPeriod {
        length: 2_592_000,
        offset: 0,
    };
    let no = period.number_at(NOW).unwrap();
    let a = Kms::generate("kms-a.example.org", period, &mut r).unwrap();
    let b = Kms::generate("kms-b.example.org", period, &mut r).unwrap();
    let mut trust = KmsTrust::new();
    trust.add(a.certificate()).unwrap();
    trust.add(b.certificate()).unwrap();
    let user = |k: &Kms, uri: &str, r: &mut dyn mikey::crypto::Entropy| {
        UserKeys::load(&k.certificate(), &k.provision(uri, no, r).unwrap()).unwrap()
    };
    let alice = user(&a, "sip:alice@a.example.org", &mut r);
    let bob = user(&b, "sip:bob@b.example.org", &mut r);
    trust
        .get("kms-b.example.org")
        .unwrap()
        .public_key()
        .precompute();
    let key = DistributedKey::generate(PurposeTag::Pck, &mut r).unwrap();
    let mut opts = MakeOptions::new(NOW, [3; 16]);
    opts.key_params = Some((
        KeyParameters::new(PurposeTag::Pck, 1, 0, 0),
        PlaintextForm::STANDARD,
    ));
    let mut m = Mcx {
        trust,
        alice,
        bob,
        key,
        opts,
        message: vec![],
    };
    m.message = m.make(&mut r);
    m
}

impl Mcx {
    fn make(&self, r: &mut dyn mikey::crypto::Entropy) -> Vec<u8> {
        let to = Recipient {
            uri: self.bob.user_uri().into(),
            kms: self.trust.get("kms-b.example.org").unwrap(),
            period_no: self.bob.period_no(),
        };
        make(&self.alice, &to, &self.key, &self.opts, r).unwrap()
    }
    fn open(&self) {
        black_box(open(&self.message, &self.bob, &self.trust, &OpenOptions::at(NOW)).unwrap());
    }
}

/// A KMS with one user: ECCSI and SAKKE keys for a 32-octet UID (TS 33.180 F.2.1), and a
/// message the size of an I_MESSAGE's signed part.
struct Setup {
    kpak: Kpak,
    signer: SigningKey,
    z: KmsPublicKey,
    rsk: Rsk,
    b: Identifier,
    receiver: Receiver,
    /// The same receiver with its identity's table (`Receiver::precompute`).
    precomputed: Receiver,
    message: Vec<u8>,
    data: Vec<u8>,
    signature: Vec<u8>,
}

fn setup() -> Setup {
    let mut r = rng();
    let uid = [0x5au8; 32];
    let ksak = Ksak::generate(&mut r).unwrap();
    let kpak = ksak.kpak();
    let (ssk, pvt) = ksak.issue(&uid, &mut r).unwrap();
    let signer = SigningKey::new(&kpak, &uid, &ssk, &pvt).unwrap();
    let kms = MasterSecret::generate(&mut r).unwrap();
    let z = kms.public_key();
    z.precompute();
    let b = Identifier::new(&uid).unwrap();
    let rsk = kms.issue_rsk(&b).unwrap();
    let receiver = Receiver::new(&z, b.clone(), &rsk).unwrap();
    let precomputed = Receiver::new(&z, b.clone(), &rsk).unwrap();
    precomputed.precompute();
    let message = vec![0xa5u8; 560];
    let data = z.encapsulate(&b, &[7; 16]).unwrap().as_bytes().to_vec();
    let signature = signer.sign(&message, &mut r).unwrap().to_vec();
    Setup {
        kpak,
        signer,
        z,
        rsk,
        b,
        receiver,
        precomputed,
        message,
        data,
        signature,
    }
}

impl Setup {
    fn sign(&self, r: &mut impl FnMut(&mut [u8])) {
        black_box(self.signer.sign(&self.message, r).unwrap());
    }
    fn verify(&self) {
        self.kpak
            .verify(self.signer.id(), &self.message, &self.signature)
            .unwrap();
    }
    fn encapsulate(&self, r: &mut impl FnMut(&mut [u8])) {
        black_box(self.z.encapsulate_random(&self.b, r).unwrap());
    }
    fn decapsulate(&self) {
        black_box(self.receiver.decapsulate(&self.data).unwrap());
    }
    fn decapsulate_precomputed(&self) {
        black_box(self.precomputed.decapsulate(&self.data).unwrap());
    }
    fn validate_rsk(&self) {
        mikey::crypto::sakke::validate_rsk(&self.z, &self.b, &self.rsk).unwrap();
    }
    fn make(&self, r: &mut impl FnMut(&mut [u8])) {
        self.sign(r);
        self.encapsulate(r);
    }
    fn open(&self) {
        self.verify();
        self.decapsulate();
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("sakke");
    g.sample_size(20);
    let mut r = rng();
    g.bench_function("eccsi_sign", |b| b.iter(|| s.sign(&mut r)));
    g.bench_function("eccsi_verify", |b| b.iter(|| s.verify()));
    g.bench_function("encapsulate", |b| b.iter(|| s.encapsulate(&mut r)));
    g.bench_function("decapsulate", |b| b.iter(|| s.decapsulate()));
    g.bench_function("decapsulate_precomputed", |b| {
        b.iter(|| s.decapsulate_precomputed())
    });
    g.bench_function("validate_rsk", |b| b.iter(|| s.validate_rsk()));
    g.bench_function("make_imessage", |b| b.iter(|| s.make(&mut r)));
    g.bench_function("open_imessage", |b| b.iter(|| s.open()));
    let m = mcx_setup();
    g.bench_function("mcx_make", |b| b.iter(|| black_box(m.make(&mut r))));
    g.bench_function("mcx_open", |b| b.iter(|| m.open()));
    g.finish();
    #[cfg(feature = "sakke-count")]
    counted(&s, &m);
}

/// Each SAKKE operation's CPU time next to its count of F_p multiplications times the cost
/// of one, interleaved (operation, then a chain of as many multiplications) so that load
/// on the shared machine hits both alike.
#[cfg(feature = "sakke-count")]
fn counted(s: &Setup, m: &Mcx) {
    use mikey::crypto::sakke::{field_chain, operation_counts};
    let mut r = rng();
    let mut r4 = rng();
    let ops: [(&str, &mut dyn FnMut()); 9] = [
        ("mcx_make (I_MESSAGE)", &mut || {
            black_box(m.make(&mut r4));
        }),
        ("mcx_open (I_MESSAGE)", &mut || m.open()),
        ("encapsulate", &mut || s.encapsulate(&mut r)),
        ("decapsulate", &mut || s.decapsulate()),
        ("decapsulate_precomputed", &mut || {
            s.decapsulate_precomputed()
        }),
        ("validate_rsk", &mut || s.validate_rsk()),
        ("receiver_new", &mut || {
            black_box(Receiver::new(&s.z, s.b.clone(), &s.rsk).unwrap());
        }),
        ("receiver_precompute", &mut || {
            let rx = Receiver::new(&s.z, s.b.clone(), &s.rsk).unwrap();
            rx.precompute();
            black_box(rx);
        }),
        ("kms_public_key", &mut || {
            black_box(KmsPublicKey::from_bytes(&s.z.to_bytes()).unwrap());
        }),
    ];
    // One inversion, in multiplications.
    let (t_inv, t_mul) = {
        let (mut ti, mut tm) = (0.0, 0.0);
        for _ in 0..20 {
            let t = common::cpu_s();
            black_box(field_chain(100, true));
            ti += common::cpu_s() - t;
            let t = common::cpu_s();
            black_box(field_chain(10_000, false));
            tm += common::cpu_s() - t;
        }
        (ti / 2000.0, tm / 200_000.0)
    };
    println!(
        "F_p (1024-bit) multiplication {:.3} us, inversion {:.1} us = {:.0} multiplications (CPU time)",
        t_mul * 1e6,
        t_inv * 1e6,
        t_inv / t_mul
    );
    // The I_MESSAGE halves in CPU time (the criterion figures above are wall time).
    let mut r2 = rng();
    let mut r3 = rng();
    let halves: [(&str, &mut dyn FnMut()); 4] = [
        ("eccsi_sign", &mut || s.sign(&mut r2)),
        ("eccsi_verify", &mut || s.verify()),
        ("make_imessage (sign + encapsulate)", &mut || {
            s.make(&mut r3)
        }),
        ("open_imessage (verify + decapsulate)", &mut || s.open()),
    ];
    for (name, op) in halves {
        let t = common::cpu_s();
        for _ in 0..20 {
            op();
        }
        println!(
            "{name}: {:.3} ms (CPU time)",
            (common::cpu_s() - t) * 1e3 / 20.0
        );
    }
    for (name, op) in ops {
        let (m0, i0) = operation_counts();
        op();
        let (m1, i1) = operation_counts();
        let (muls, invs) = (m1 - m0, i1 - i0);
        let rounds = if name.starts_with("receiver_") || name == "kms_public_key" {
            4
        } else {
            20
        };
        let (mut top, mut tmul) = (0.0, 0.0);
        for _ in 0..rounds {
            let t = common::cpu_s();
            op();
            top += common::cpu_s() - t;
            let t = common::cpu_s();
            black_box(field_chain(muls as u32, false));
            tmul += common::cpu_s() - t;
        }
        let n = f64::from(rounds);
        println!(
            "{name}: {:.3} ms; {muls} multiplications + {invs} inversions; \
             time / (multiplications x one) = {:.3}",
            top * 1e3 / n,
            top / tmul
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
