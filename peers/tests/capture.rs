//! `mikey::capture` on captures made in the test from GStreamer's media: a test tone
//! through `rtppcmapay` and `srtpenc` (keyed by GStreamer's own reading of our MIKEY-NULL
//! message), across a sequence-number wrap, carried over UDP or RTSP interleaved, with the
//! key in an RTSP `KeyMgmt` header or in SIP/SDP. The decrypted capture is read by
//! Wireshark's `tshark` (RTP heuristic on): every packet is RTP with GStreamer's sequence
//! numbers and clear payloads.

use etherparse::PacketBuilder;
use gstreamer_app::gst;
use mikey::capture::{decrypt, Keying};
use mikey::sdp::{encode_base64, KeyMgmtHeader};
use mikey::session::TransportKey;
use mikey::wire::SrtpPolicy;
use mikey_peers::gst_srtp::{caps_of_mikey, tone};
use mikey_peers::mikey_null;
use mikey_peers::pcap;
use mikey_peers::tshark;

const SSRC: u32 = 0x7063_6170;
const CAM: [u8; 4] = [192, 0, 2, 10];
const CLIENT: [u8; 4] = [192, 0, 2, 20];
const PACKETS: u32 = 30;

/// A MIKEY-NULL I_MESSAGE with one TEK (key || salt) for SSRC, and GStreamer's caps of it.
fn keyed() -> (Vec<u8>, gst::Caps) {
    let key: Vec<u8> = (0..30u8).map(|i| i ^ 0x6b).collect();
    let policy = SrtpPolicy::aes_cm_128_hmac_sha1_80();
    let (msg, _) = mikey_null(policy, TransportKey::tek(&key), SSRC);
    let caps = caps_of_mikey(&msg, SSRC);
    (msg, caps)
}

fn tcp_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
        .ipv4(CLIENT, CAM, 64)
        .tcp(41_000, 554, seq, 4096)
        .ack(1)
        .write(&mut f, payload)
        .unwrap();
    f
}

/// The decrypted capture must hold `plain` as RTP, as Wireshark reads it.
fn check_with_tshark(out: &[u8], plain: &[Vec<u8>], tag: &str) {
    let frames = tshark::dissect_with(out, tag, plain.len(), &["-o", "rtp.heuristic_rtp:TRUE"]);
    for (f, p) in frames.iter().zip(plain) {
        let rtp = &f["rtp"];
        let seq = u16::from_be_bytes([p[2], p[3]]);
        assert_eq!(rtp["rtp.seq"], seq.to_string(), "{tag}");
        assert_eq!(rtp["rtp.ssrc"], format!("0x{SSRC:08x}"), "{tag}");
        let hex: Vec<String> = p[12..].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(rtp["rtp.payload"], hex.join(":"), "{tag} seq {seq}");
    }
}

#[test]
fn rtsp_keymgmt_and_srtp_over_udp() {
    let (msg, caps) = keyed();
    let (plain, srtp) = tone(&caps, SSRC, 65_520, PACKETS);
    assert_eq!(
        (plain.len(), srtp.len()),
        (PACKETS as usize, PACKETS as usize)
    );
    let setup = format!(
        "SETUP rtsp://cam/stream1 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/SAVP;unicast;client_port=4000-4001\r\nKeyMgmt: {}\r\n\r\n",
        KeyMgmtHeader::for_mikey(None, msg).format()
    );
    let mut frames = vec![tcp_frame(7, setup.as_bytes())];
    for (i, p) in srtp.iter().enumerate() {
        frames.push(pcap::udp_frame(p, i as u16, 4000, CAM, CLIENT));
    }
    let out = decrypt(&pcap::write(&frames), &Keying::default()).unwrap();
    assert_eq!(out.mikey_accepted, 1);
    let r = &out.streams[0];
    assert_eq!(
        (
            r.ssrc,
            r.rtp_packets,
            r.decrypted,
            r.auth_failed,
            r.roc_changes
        ),
        (SSRC, u64::from(PACKETS), u64::from(PACKETS), 0, 1)
    );
    check_with_tshark(&out.pcap, &plain, "capture-udp");
}

#[test]
fn sip_sdp_key_and_rtsp_interleaved_srtp() {
    let (msg, caps) = keyed();
    let (plain, srtp) = tone(&caps, SSRC, 65_530, PACKETS);
    let sdp_body = format!(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/SAVP 8\r\na=key-mgmt:mikey {}\r\n",
        encode_base64(&msg)
    );
    let invite = format!(
        "INVITE sip:client@192.0.2.20 SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp_body}",
        sdp_body.len()
    );
    let mut frames = vec![pcap::udp_frame(invite.as_bytes(), 1, 5060, CAM, CLIENT)];
    let mut seq = 1000u32;
    for p in &srtp {
        let mut framed = vec![b'$', 0];
        framed.extend_from_slice(&u16::try_from(p.len()).unwrap().to_be_bytes());
        framed.extend_from_slice(p);
        frames.push(tcp_frame(seq, &framed));
        seq += u32::try_from(framed.len()).unwrap();
    }
    // One SRTP packet tampered with: reported, not written.
    let last = frames.len() - 1;
    let end = frames[last].len() - 1;
    frames[last][end] ^= 0x40;
    let out = decrypt(&pcap::write(&frames), &Keying::default()).unwrap();
    let r = &out.streams[0];
    assert_eq!(
        (r.rtp_packets, r.decrypted, r.auth_failed, r.roc_changes),
        (u64::from(PACKETS), u64::from(PACKETS) - 1, 1, 1)
    );
    check_with_tshark(&out.pcap, &plain[..plain.len() - 1], "capture-interleaved");
}
