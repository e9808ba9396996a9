//! Captures built here: RTSP over TCP (KeyMgmt header, interleaved SRTP split across
//! segments, a retransmission) and SIP/SDP over UDP with SRTP over UDP, MIKEY-NULL and
//! PSK; tampered packets, a sequence-number wrap, hostile input.

use super::*;
use crate::sdp::encode_base64;
use crate::sdp::onvif::{OnvifClient, OnvifTolerances};
use crate::session::{PskConfig, PskInitiator, TransportKey};
use crate::srtp::{SrtpParams, SrtpSuite};
use crate::wire::SrtpCs;
use core::time::Duration;
use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapPacket, PcapWriter};

const NOW: Duration = Duration::from_secs(1_790_000_000);
const SSRC: u32 = 0x1357_9bdf;
const CAM: [u8; 4] = [192, 0, 2, 10];
const CLIENT: [u8; 4] = [192, 0, 2, 20];

fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(71);
            *x = n;
        }
    }
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0]);
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(format!("frame {seq}").as_bytes());
    p
}

fn rtcp() -> Vec<u8> {
    let mut p = vec![0x80, 200, 0, 6];
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(&[0x11; 20]);
    p
}

/// A pcap of Ethernet frames.
struct Cap(PcapWriter<Vec<u8>>, u64);

impl Cap {
    fn new() -> Self {
        Self(PcapWriter::new(Vec::new()).unwrap(), 0)
    }
    fn push(&mut self, frame: Vec<u8>) {
        self.1 += 1;
        let ts = NOW + Duration::from_millis(self.1 * 20);
        let p = PcapPacket::new(ts, frame.len() as u32, &frame);
        self.0.write_packet(&p).unwrap();
    }
    fn udp(&mut self, from: [u8; 4], to: [u8; 4], ports: (u16, u16), payload: &[u8]) {
        let b = PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4(from, to, 64)
            .udp(ports.0, ports.1);
        let mut f = Vec::new();
        b.write(&mut f, payload).unwrap();
        self.push(f);
    }
    fn tcp(&mut self, from: [u8; 4], to: [u8; 4], seq: u32, payload: &[u8]) {
        let b = PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4(from, to, 64)
            .tcp(40_000, 554, seq, 1000)
            .ack(1);
        let mut f = Vec::new();
        b.write(&mut f, payload).unwrap();
        self.push(f);
    }
    fn finish(self) -> Vec<u8> {
        self.0.into_writer()
    }
}

fn interleaved(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![b'$', channel];
    v.extend_from_slice(&(data.len() as u16).to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// An ONVIF SETUP with its KeyMgmt header, then interleaved SRTP across a wrap and one
/// SRTCP, the byte stream cut at odd places, one segment sent twice.
fn rtsp_capture() -> (Vec<u8>, [u16; 4]) {
    let mut client = OnvifClient::new(
        SrtpSuite::AesCm128HmacSha1_80,
        SSRC,
        OnvifTolerances::default(),
    );
    let header = client.setup_header(None, NOW, &mut rng()).unwrap();
    let keys = client.srtp().unwrap();
    let mut tx = keys[0].context().unwrap();
    tx.set_roc(SSRC, 0);
    let setup = format!(
        "SETUP rtsp://cam/stream1 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/SAVP/TCP;interleaved=0-1\r\nKeyMgmt: {}\r\n\r\n",
        header.format()
    );
    let mut stream = setup.into_bytes();
    let seqs = [65_534u16, 65_535, 0, 1];
    for s in seqs {
        stream.extend(interleaved(0, &tx.protect_rtp(&rtp(s)).unwrap()));
    }
    stream.extend(interleaved(1, &tx.protect_rtcp(&rtcp()).unwrap()));
    let mut cap = Cap::new();
    let (mut seq, mut at) = (1000u32, 0usize);
    for cut in [7usize, 150, 33, 61, 500, 10_000] {
        let end = (at + cut).min(stream.len());
        cap.tcp(CLIENT, CAM, seq, &stream[at..end]);
        if cut == 33 {
            cap.tcp(CLIENT, CAM, seq, &stream[at..end]); // retransmission
        }
        seq = seq.wrapping_add((end - at) as u32);
        at = end;
    }
    (cap.finish(), seqs)
}

#[test]
fn rtsp_interleaved_over_tcp() {
    let (input, seqs) = rtsp_capture();
    let out = decrypt(&input, &Keying::default()).unwrap();
    assert_eq!(out.mikey_accepted, 1);
    let r = &out.streams[0];
    assert_eq!((r.ssrc, r.rtp_packets, r.rtcp_packets), (SSRC, 4, 1));
    assert_eq!((r.decrypted, r.auth_failed, r.roc_changes), (5, 0, 1));
    // The clear packets, in UDP on port 50000/50001.
    let (clear, _) = read::frames(&out.pcap).unwrap();
    let payloads: Vec<Vec<u8>> = clear
        .iter()
        .filter_map(|f| net::packet(f).map(|p| (p.dst.port(), p.payload.to_vec())))
        .map(|(port, p)| {
            assert_eq!(port, if p[1] == 200 { 50_001 } else { 50_000 });
            p
        })
        .collect();
    let mut want: Vec<Vec<u8>> = seqs.iter().map(|s| rtp(*s)).collect();
    want.push(rtcp());
    assert_eq!(payloads, want);
}

/// The same capture as pcapng gives the same report and output packets.
#[test]
fn pcapng_reads_like_pcap() {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    use pcap_file::pcapng::PcapNgWriter;
    let (pcap, _) = rtsp_capture();
    let (frames, _) = read::frames(&pcap).unwrap();
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    w.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: pcap_file::DataLink::ETHERNET,
        snaplen: 0,
        options: vec![],
    })
    .unwrap();
    for f in &frames {
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: f.ts,
            original_len: f.data.len() as u32,
            data: std::borrow::Cow::Borrowed(f.data),
            options: vec![],
        })
        .unwrap();
    }
    let from_ng = decrypt(&w.into_inner(), &Keying::default()).unwrap();
    let from_pcap = decrypt(&pcap, &Keying::default()).unwrap();
    assert_eq!(from_ng.streams, from_pcap.streams);
    assert_eq!(from_ng.pcap, from_pcap.pcap);
    assert_eq!(from_ng.streams[0].decrypted, 5);
}

fn sip_invite(mikey: &[u8]) -> Vec<u8> {
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\na=key-mgmt:mikey {}\r\nm=audio 4000 RTP/SAVP 0\r\n",
        encode_base64(mikey)
    );
    format!(
        "INVITE sip:cam@192.0.2.10 SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

/// A PSK message in SDP over UDP (SIP), SRTP over UDP; one tampered packet; without the
/// PSK nothing is decrypted.
#[test]
fn sip_sdp_over_udp_with_a_psk() {
    let psk = b"capture psk 0123".to_vec();
    let cfg = PskConfig {
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: SSRC,
            roc: 0,
        }],
        ..PskConfig::default()
    };
    let mut ini = PskInitiator::new(&psk, cfg);
    let msg = ini
        .initiate(vec![TransportKey::tgk(&[5; 16])], NOW, &mut rng())
        .unwrap();
    let params: Vec<SrtpParams> = ini.srtp().unwrap();
    let mut tx = params[0].context().unwrap();
    let mut cap = Cap::new();
    cap.udp(CLIENT, CAM, (5060, 5060), &sip_invite(&msg));
    for s in 10..14u16 {
        let mut p = tx.protect_rtp(&rtp(s)).unwrap();
        if s == 12 {
            let last = p.len() - 1;
            p[last] ^= 1;
        }
        cap.udp(CAM, CLIENT, (6000, 4000), &p);
    }
    let input = cap.finish();
    let out = decrypt(&input, &Keying { psk: Some(psk) }).unwrap();
    let r = &out.streams[0];
    assert_eq!((r.rtp_packets, r.decrypted, r.auth_failed), (4, 3, 1));
    let wrong = decrypt(&input, &Keying::default()).unwrap();
    assert_eq!(wrong.mikey_accepted, 0);
    assert_eq!(wrong.mikey_rejected.len(), 1);
    assert_eq!(wrong.streams[0].no_key, 4);
}

#[test]
fn hostile_input_never_panics() {
    let mut client = OnvifClient::new(SrtpSuite::AeadAes128Gcm, 0, OnvifTolerances::default());
    let h = client.setup_header(None, NOW, &mut rng()).unwrap();
    let mut cap = Cap::new();
    cap.tcp(
        CLIENT,
        CAM,
        1,
        format!("SETUP x RTSP/1.0\r\nKeyMgmt: {}\r\n\r\n", h.format()).as_bytes(),
    );
    cap.tcp(CLIENT, CAM, 9_999, &interleaved(0, &[0x80; 40]));
    cap.udp(CAM, CLIENT, (1, 2), &[0x80; 12]);
    cap.udp(CAM, CLIENT, (1, 2), b"INVITE a=key-mgmt:mikey !!!");
    let good = cap.finish();
    assert!(decrypt(&good, &Keying::default()).is_ok());
    for n in 0..good.len() {
        let _ = decrypt(&good[..n], &Keying::default());
    }
    for i in (0..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[i] ^= 0xff;
        let _ = decrypt(&bad, &Keying::default());
    }
    assert!(matches!(
        decrypt(b"no", &Keying::default()),
        Err(CaptureError::NotACapture(_))
    ));
}
