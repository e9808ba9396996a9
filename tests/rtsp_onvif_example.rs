//! Runs the logic of `examples/rtsp_onvif.rs` with a fixed clock and deterministic
//! randomness, and checks what it reports.

#[path = "../examples/rtsp_onvif.rs"]
#[allow(dead_code)]
mod example;

use core::time::Duration;

#[test]
fn rtsp_onvif_example_runs() {
    let mut n = 0u8;
    let mut rng = move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(53);
            *x = n;
        }
    };
    let mut out = String::new();
    let s = example::run(&mut out, Duration::from_secs(1_790_000_000), &mut rng).unwrap();
    assert_eq!(s.before.mki.as_deref(), Some(&[0, 0, 0, 1][..]));
    assert_eq!(s.after.mki.as_deref(), Some(&[0, 0, 0, 2][..]));
    assert_eq!(
        (s.before.ssrc, s.after.ssrc),
        (example::SSRC, example::SSRC)
    );
    assert_eq!(
        (s.before.roc, s.after.roc),
        (1, 1),
        "ROC kept across the re-key"
    );
    assert_ne!(s.before.master_key, s.after.master_key);
    assert_eq!(s.packets, 3);
    assert_eq!((s.multicast.ssrc, s.multicast.roc), (example::SSRC, 1));
    assert_eq!(s.failure, "RTSP/1.0 463 Key Management Failure");
    for step in 1..=7 {
        assert!(
            out.contains(&format!("\n{step}. ")) || out.starts_with("1. "),
            "{out}"
        );
    }
    assert!(out.contains("a=key-mgmt:mikey "), "{out}");
    assert!(out.contains("KeyMgmt: prot=mikey; uri=\"rtsps://"), "{out}");
    assert!(out.contains("old key refuses it: true"), "{out}");
}
