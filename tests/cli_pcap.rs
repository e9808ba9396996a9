//! `mikey pcap IN -o OUT`: captures built here (SIP/SDP over UDP carrying a MIKEY-NULL
//! message from testvectors/, or a PSK message this crate makes; SRTP over UDP encrypted
//! by this crate's SRTP context across a sequence-number wrap, one packet tampered with),
//! decrypted by the binary; the report and the clear capture are checked.

mod cli_common;
mod common;
use cli_common::mikey;
use mikey::sdp::encode_base64;
use mikey::session::{PskConfig, PskInitiator, TransportKey};
use mikey::srtp::SrtpParams;
use mikey::wire::{MessageView, ParseOptions, SrtpCs};
use std::path::PathBuf;

const CAM: [u8; 4] = [192, 0, 2, 10];
const CLIENT: [u8; 4] = [192, 0, 2, 20];

/// A classic pcap (little-endian, microseconds, Ethernet) of IPv4/UDP frames.
struct Pcap(Vec<u8>, u32);

impl Pcap {
    fn new() -> Self {
        let mut h = Vec::new();
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&65_535u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        Self(h, 0)
    }

    fn udp(&mut self, from: [u8; 4], to: [u8; 4], ports: (u16, u16), payload: &[u8]) {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        let total = (20 + 8 + payload.len()) as u16;
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0]);
        ip.extend_from_slice(&from);
        ip.extend_from_slice(&to);
        let sum = ip
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum::<u32>();
        let sum = !(((sum & 0xffff) + (sum >> 16)) as u16);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&ports.0.to_be_bytes());
        f.extend_from_slice(&ports.1.to_be_bytes());
        f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        self.1 += 1;
        self.0
            .extend_from_slice(&(1_790_000_000u32 + self.1).to_le_bytes());
        self.0.extend_from_slice(&0u32.to_le_bytes());
        self.0.extend_from_slice(&(f.len() as u32).to_le_bytes());
        self.0.extend_from_slice(&(f.len() as u32).to_le_bytes());
        self.0.extend_from_slice(&f);
    }
}

/// The UDP payloads of a pcap (either byte order) of Ethernet/IPv4 frames.
fn udp_payloads(pcap: &[u8]) -> Vec<Vec<u8>> {
    let big = match pcap[0..4] {
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => true,
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => false,
        _ => panic!("not a pcap: {:02x?}", &pcap[0..4]),
    };
    let u32_at = |at: usize| {
        let b: [u8; 4] = pcap[at..at + 4].try_into().unwrap();
        if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    assert_eq!(u32_at(20), 1, "Ethernet");
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let len = u32_at(at + 8) as usize;
        let f = &pcap[at + 16..at + 16 + len];
        at += 16 + len;
        assert_eq!(&f[12..14], &[0x08, 0x00], "IPv4");
        let ihl = usize::from(f[14] & 0x0f) * 4;
        assert_eq!(f[14 + 9], 17, "UDP");
        let udp = &f[14 + ihl..];
        let ulen = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        out.push(udp[8..ulen].to_vec());
    }
    out
}

fn sip_invite(mikey: &[u8]) -> Vec<u8> {
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n\
         a=key-mgmt:mikey {}\r\nm=video 4000 RTP/SAVP 96\r\n",
        encode_base64(mikey)
    );
    format!(
        "INVITE sip:cam@192.0.2.10 SIP/2.0\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&u32::from(seq).wrapping_mul(3000).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(format!("frame {seq}").as_bytes());
    p
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 200, 0, 6];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0x11; 20]);
    p
}

/// A capture: the SIP INVITE with `msg`, then SRTP for sequence numbers 65533..=1 (one
/// wrap) with the packet of sequence number 0 tampered with, then one SRTCP packet.
/// Returns the capture and the clear packets that must come out, in order.
fn capture(msg: &[u8], p: &SrtpParams) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut tx = p.context().unwrap();
    let mut cap = Pcap::new();
    cap.udp(CLIENT, CAM, (5060, 5060), &sip_invite(msg));
    let mut clear = Vec::new();
    for seq in [65_533u16, 65_534, 65_535, 0, 1] {
        let c = rtp(seq, p.ssrc);
        let mut s = tx.protect_rtp(&c).unwrap();
        if seq == 0 {
            let last = s.len() - 1;
            s[last] ^= 1;
        } else {
            clear.push(c);
        }
        cap.udp(CAM, CLIENT, (6000, 4000), &s);
    }
    let c = rtcp(p.ssrc);
    cap.udp(CAM, CLIENT, (6001, 4001), &tx.protect_rtcp(&c).unwrap());
    clear.push(c);
    (cap.0, clear)
}

/// A scratch folder of one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mikey-cli-pcap-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `mikey pcap IN -o OUT --json [EXTRA]`: the report and the clear packets.
fn run(
    dir: &Scratch,
    input: &[u8],
    tag: &str,
    extra: &[&str],
) -> (serde_json::Value, Vec<Vec<u8>>) {
    let (inp, out) = (
        dir.path(&format!("{tag}.pcap")),
        dir.path(&format!("{tag}-clear.pcap")),
    );
    std::fs::write(&inp, input).unwrap();
    let mut args = vec![
        "pcap",
        inp.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, err) = mikey(&args);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let clear = udp_payloads(&std::fs::read(&out).unwrap());
    (report, clear)
}

#[test]
fn mikey_null_capture_decrypts_with_a_report() {
    // ONVIF's multicast key (MIKEY-NULL, MKI 0000000d), its SRTP parameters as the library
    // exports them.
    let msg = common::load("onvif-streaming-get-parameter-multicast-device.b64");
    let view = MessageView::parse_with(&msg, ParseOptions::LENIENT).unwrap();
    let opened = mikey::session::open_psk_message(&view, &[], None, true).unwrap();
    let p = mikey::srtp::export::export(&opened.bundle)
        .unwrap()
        .remove(0);
    assert_eq!(p.mki.as_deref(), Some(&[0, 0, 0, 0x0d][..]));
    let (input, clear) = capture(&msg, &p);
    let dir = Scratch::new("null");
    let (report, got) = run(&dir, &input, "null", &[]);
    assert_eq!(report["mikey_accepted"], 1);
    let s = &report["streams"][0];
    assert_eq!(s["ssrc"], p.ssrc);
    assert_eq!(s["rtp_packets"], 5);
    assert_eq!(s["rtcp_packets"], 1);
    assert_eq!(s["decrypted"], 5);
    assert_eq!(s["auth_failed"], 1);
    assert_eq!(s["roc_changes"], 1);
    assert_eq!(got, clear);
    // Text report, same figures.
    let out_path = dir.path("null-text.pcap");
    let in_path = dir.path("null.pcap");
    let (code, text, err) = mikey(&[
        "pcap",
        in_path.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let line = format!(
        "SSRC 0x{:08x}: 5 SRTP + 1 SRTCP packets, 5 decrypted, 1 failed authentication, 1 ROC changes",
        p.ssrc
    );
    assert!(text.contains(&line), "{text}");
    assert!(
        text.contains("MIKEY messages: 1 keyed, 0 refused"),
        "{text}"
    );
}

#[test]
fn psk_capture_needs_the_psk() {
    let psk = b"capture psk 0123";
    let cfg = PskConfig {
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x2468_ace0,
            roc: 0,
        }],
        ..PskConfig::default()
    };
    let mut ini = PskInitiator::new(psk, cfg);
    let mut n = 0u8;
    let mut rng = |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(71);
            *x = n;
        }
    };
    let msg = ini
        .initiate(
            vec![TransportKey::tgk(&[5; 16])],
            std::time::Duration::from_secs(1_790_000_000),
            &mut rng,
        )
        .unwrap();
    let p = ini.srtp().unwrap().remove(0);
    let (input, clear) = capture(&msg, &p);
    let hex: String = psk.iter().map(|b| format!("{b:02x}")).collect();
    let dir = Scratch::new("psk");
    let (report, got) = run(&dir, &input, "psk", &["--psk", &hex]);
    assert_eq!(report["streams"][0]["decrypted"], 5);
    assert_eq!(report["streams"][0]["auth_failed"], 1);
    assert_eq!(got, clear);
    // Without the PSK: the message is refused, nothing decrypts, the output is empty.
    let (report, got) = run(&dir, &input, "nopsk", &[]);
    assert_eq!(report["mikey_accepted"], 0);
    assert_eq!(report["mikey_rejected"].as_array().unwrap().len(), 1);
    assert_eq!(report["streams"][0]["no_key"], 6);
    assert!(got.is_empty());
}

#[test]
fn bad_paths_and_inputs_are_errors() {
    let dir = Scratch::new("bad");
    let out = dir.path("never.pcap");
    let (code, _, err) = mikey(&["pcap", "no-such.pcap", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: no-such.pcap: no such file\n");
    let not = dir.path("not-a-capture.pcap");
    std::fs::write(&not, b"hello").unwrap();
    let (code, _, err) = mikey(&["pcap", not.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a capture"), "{err}");
    assert!(!out.exists());
    // -o is required.
    assert_eq!(mikey(&["pcap", not.to_str().unwrap()]).0, 2);
}

#[test]
fn help_lists_the_media_commands() {
    let (code, out, _) = mikey(&["--help"]);
    assert_eq!(code, 0);
    for c in ["decode", "srtp", "pcap"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(c)),
            "{c}: {out}"
        );
    }
    let (code, out, _) = mikey(&["srtp", "--help"]);
    assert_eq!(code, 0);
    for f in [
        "gstreamer",
        "libsrtp",
        "rtp-decoder",
        "sdes",
        "webrtc",
        "json",
    ] {
        assert!(out.contains(f), "{f}: {out}");
    }
}
