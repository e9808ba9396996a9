//! Runs PSK exchanges in a loop (for profiling with `valgrind --tool=callgrind`).
use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::session::*;
use mikey::wire::{SrtpCs, SrtpPolicy};

fn main() {
    let psk = [0x42u8; 16];
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let cfg = PskConfig {
        v: true,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..PskConfig::default()
    };
    let mut resp = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
    let mut x = 0u8;
    let mut rng = move |b: &mut [u8]| {
        for v in b {
            x = x.wrapping_add(97);
            *v = x;
        }
    };
    for i in 0..n {
        let now = Duration::from_secs(1_790_000_000 + i);
        let mut ini = PskInitiator::new(&psk, cfg.clone());
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
