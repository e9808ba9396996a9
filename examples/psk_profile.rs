//! Runs PSK exchanges in a loop, or the crypto floor of `benches/exchange.rs` in a loop
//! (`psk_profile N floor`), for profiling with `valgrind --tool=callgrind` or `perf`.
use core::time::Duration;
use mikey::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf, SecretBytes};
use mikey::session::*;
use mikey::wire::{SrtpCs, SrtpPolicy};

fn floor(psk: &[u8]) {
    let msg = [0xa5u8; 120];
    let resp = [0x5au8; 66];
    let kd = [0x33u8; 20];
    for _ in 0..2 {
        let k = MessageKeys::derive(
            Prf::MikeyOne,
            psk,
            0x01020304,
            &[7; 16],
            KemacCipher::AesCm128,
            MacKind::HmacSha1_160,
        );
        let ct = crypto::kemac::encrypt(
            KemacCipher::AesCm128,
            k.encr.as_bytes(),
            k.salt.as_bytes(),
            1,
            2,
            &kd,
        )
        .unwrap();
        std::hint::black_box(crypto::kemac::mac(
            MacKind::HmacSha1_160,
            k.auth.as_bytes(),
            &msg,
        ));
        std::hint::black_box(crypto::kemac::mac(
            MacKind::HmacSha1_160,
            k.auth.as_bytes(),
            &resp,
        ));
        std::hint::black_box(ct);
        for (c, len) in [(crypto::TGK_CONST_TEK, 16), (crypto::TGK_CONST_SALT, 14)] {
            std::hint::black_box(crypto::derive_from_tgk(
                Prf::MikeyOne,
                &[9; 16],
                c,
                1,
                0x01020304,
                &[7; 16],
                len,
            ));
        }
    }
}

fn main() {
    let psk = [0x42u8; 16];
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    if args.next().as_deref() == Some("floor") {
        for _ in 0..n {
            floor(&psk);
        }
        return;
    }
    let cfg = || PskConfig {
        v: true,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..PskConfig::default()
    };
    let mut x = 0u8;
    let mut rng = move |b: &mut [u8]| {
        for v in b {
            x = x.wrapping_add(97);
            *v = x;
        }
    };
    for i in 0..n {
        let now = Duration::from_secs(1_790_000_000 + i);
        // As benches/exchange.rs does: a fresh initiator and responder per exchange.
        let mut ini = PskInitiator::new(&psk, cfg());
        let mut resp = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
        let m = ini
            .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut rng)
            .unwrap();
        let a = resp.handle(&m, now).unwrap();
        ini.handle_response(a.response.as_deref().unwrap(), now)
            .unwrap();
        std::hint::black_box((ini.srtp().unwrap(), resp.srtp(a.csb_id).unwrap()));
        resp.remove_bundle(a.csb_id);
    }
}
