//! The 3GPP MIKEY-SAKKE layer (crate::mcx, feature `sakke`) next to what it contains:
//! reading the Streamwide GMK I_MESSAGE with the wire parser alone and with the TS 33.180
//! view; opening its type-7 key parameters (DPCK derivation + AES-128-GCM) next to the DPCK
//! derivation alone; a MIKEY-SAKKE UID; a KMS key-provisioning document.

use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::mcx::imessage::IMessageView;
use mikey::mcx::kms::KmsResponse;
use mikey::mcx::{derive, KeyParamsExt, KeyPeriod, Uid};
use mikey::wire::{Message, ParseOptions};
use std::hint::black_box;

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/testvectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap()
}

const GMK: [u8; 16] = [
    0x07, 0xd1, 0xa1, 0x67, 0x7a, 0xc3, 0x6d, 0x8e, 0x81, 0x62, 0x04, 0x84, 0x68, 0x9b, 0x3c, 0x2d,
];

fn kms_doc() -> String {
    let pt = |n: usize| "04".to_string() + &"ab".repeat(n - 1);
    format!(
        r#"<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<UserUri>sip:alice@example.org</UserUri><KmsUri>kms.example.org</KmsUri><Time>2025-06-20T10:00:00</Time>
<ClientReqUrl>https://kms.example.org/keyprov</ClientReqUrl><KmsMessage><KmsKeyProv><KmsKeySet>
<KmsUri>kms.example.org</KmsUri><UserUri>sip:alice@example.org</UserUri><UserID>{uid}</UserID>
<KeyPeriodNo>236</KeyPeriodNo><UserDecryptKey xsi:type="KeyContentType">{rsk}</UserDecryptKey>
<UserSigningKeySSK xsi:type="KeyContentType">{ssk}</UserSigningKeySSK>
<UserPubTokenPVT xsi:type="KeyContentType">{pvt}</UserPubTokenPVT></KmsKeySet></KmsKeyProv></KmsMessage></KmsResponse>"#,
        uid = "cd".repeat(32),
        rsk = pt(257),
        ssk = "ef".repeat(32),
        pvt = pt(65),
    )
}

fn bench(c: &mut Criterion) {
    let gmk_msg = vector("sw-stw-ref-gmk-imessage.b64");
    let mut g = c.benchmark_group("mcx");
    g.bench_function("wire parse (GMK I_MESSAGE)", |b| {
        b.iter(|| {
            black_box(Message::parse_with(
                black_box(&gmk_msg),
                ParseOptions::LENIENT,
            ))
        })
    });
    g.bench_function("wire parse + TS 33.180 view", |b| {
        b.iter(|| {
            let (m, q) = Message::parse_with(black_box(&gmk_msg), ParseOptions::LENIENT).unwrap();
            black_box(IMessageView::new(&m, q).unwrap().key_id)
        })
    });
    let (m, q) = Message::parse_with(&gmk_msg, ParseOptions::LENIENT).unwrap();
    let view = IMessageView::new(&m, q).unwrap();
    let ext = view.key_params().unwrap().unwrap();
    let KeyParamsExt::Protected(p) = &ext else {
        panic!()
    };
    g.bench_function("DPCK (F.1.5)", |b| {
        b.iter(|| black_box(derive::dpck(black_box(&GMK), p.key_id).unwrap()))
    });
    g.bench_function("type-7 open + parse (DPCK, AES-128-GCM)", |b| {
        b.iter(|| black_box(ext.key_parameters(black_box(&GMK)).unwrap()))
    });
    let period = KeyPeriod {
        length: 16_777_215,
        offset: 0,
    };
    g.bench_function("UID (F.2.1)", |b| {
        b.iter(|| {
            black_box(Uid::derive(
                black_box(b"sip:alice@streamwide.com"),
                b"kms.mydev.streamwide.com",
                period,
                236,
            ))
        })
    });
    let doc = kms_doc();
    g.bench_function("KMS key provisioning document read", |b| {
        b.iter(|| black_box(KmsResponse::from_xml(black_box(&doc)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
