//! Both sides of an ONVIF RTSPS setup with MIKEY (ONVIF Streaming Specification, "Key
//! management through RTSP"; RFC 4567 §4.2), in one process and without sockets:
//!
//! 1. DESCRIBE: the device's SDP carries `a=ssrc` (RFC 5576) and an `a=key-mgmt:mikey`
//!    with its MIKEY-NULL message (stream SSRC, ROC, multicast key).
//! 2. SETUP: the client supplies the SRTP key in the `KeyMgmt` header; the device checks
//!    it against the ONVIF profile and gets the SRTP parameters.
//! 3. RTP: the device protects packets across a sequence number wrap (ROC 0 → 1), the
//!    client unprotects them.
//! 4. SET_PARAMETER `mikey: <base64>`: re-keying; the MKI changes, the ROC is kept.
//! 5. RTP with the new key.
//! 6. GET_PARAMETER `mikey`: multicast key and ROC retrieval.
//! 7. A SETUP whose key has no MKI: `463 Key Management Failure`.
//!
//! Run with `cargo run --example rtsp_onvif`. The logic is [`run`], also exercised by
//! `tests/rtsp_onvif_example.rs`.
//!
//! Against a real server: `cargo run --example rtsp_onvif -- rtsp://127.0.0.1:8554/test`
//! plays [`play_from_server`] over TCP (DESCRIBE with the server's `a=key-mgmt:mikey`,
//! SETUP `RTP/SAVP/TCP` with our `KeyMgmt`, PLAY, interleaved SRTP decrypted with the
//! server's key, TEARDOWN). `peers/tests/rtsp_server.rs` runs it against gst-rtsp-server.

use core::fmt::Write as _;
use core::time::Duration;
use mikey::sdp::offer_answer::{add_ssrc, ssrcs_of_media};
use mikey::sdp::onvif::{
    OnvifClient, OnvifDevice, OnvifTolerances, GET_PARAMETER_MIKEY_BODY, MKI_LEN,
};
use mikey::sdp::{mikey_for_media, set_key_mgmt, KeyMgmtHeader, KeyMgmtLevel};
use mikey::session::{Entropy, PskConfig, PskInitiator, TransportKey};
use mikey::srtp::export::SrtpParams;
use mikey::srtp::SrtpSuite;
use mikey::wire::{EncrAlg, MacAlg, SrtpCs};
use std::error::Error;
use std::io::{Read, Write};

/// The stream URL of the camera.
pub const URL: &str = "rtsps://camera.example.com/onvif/stream1";
/// The SSRC of the camera's video stream.
pub const SSRC: u32 = 0x4f4e_5646;

/// What the run produced, for tests.
#[derive(Debug)]
pub struct Summary {
    /// The device's SRTP parameters just before SET_PARAMETER (SETUP key, current ROC).
    pub before: SrtpParams,
    /// The device's SRTP parameters after SET_PARAMETER.
    pub after: SrtpParams,
    /// Packets the client unprotected.
    pub packets: usize,
    /// The multicast parameters the client retrieved.
    pub multicast: SrtpParams,
    /// The status line of the rejected SETUP.
    pub failure: String,
}

fn show(p: &SrtpParams) -> String {
    let mki: String = p
        .mki
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{} SSRC {:#010x} ROC {} MKI {mki}", p.suite, p.ssrc, p.roc)
}

fn abbreviate(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

fn rtp(seq: u16) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend_from_slice(b"H.264 NAL unit");
    p
}

/// Plays both sides, writing each step to `out`.
pub fn run(
    out: &mut String,
    now: Duration,
    rng: &mut impl Entropy,
) -> Result<Summary, Box<dyn Error>> {
    let suite = SrtpSuite::AesCm128HmacSha1_80;
    let mut device = OnvifDevice::new(OnvifTolerances::STRICT);

    // 1. DESCRIBE.
    let mcast = OnvifDevice::generate_key(suite, [0, 0, 0, 0x10], SSRC, 0, now, rng)?;
    let mut sdp = sdp_types::Session::parse(
        format!(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=ONVIF stream\r\nt=0 0\r\n\
             a=control:{URL}\r\nm=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n\
             a=control:{URL}/track1\r\n"
        )
        .as_bytes(),
    )?;
    add_ssrc(&mut sdp, 0, SSRC, "camera")?;
    set_key_mgmt(
        &mut sdp,
        KeyMgmtLevel::Media(0),
        &OnvifDevice::device_key_message(&mcast, now, rng)?,
    )?;
    let mut text = Vec::new();
    sdp.write(&mut text)?;
    let text = String::from_utf8(text)?;
    writeln!(
        out,
        "1. C->S DESCRIBE {URL}\n   S->C 200 OK, application/sdp:"
    )?;
    for line in text.lines() {
        writeln!(out, "      {}", abbreviate(line))?;
    }
    let described = sdp_types::Session::parse(text.as_bytes())?;
    let ssrc = ssrcs_of_media(&described, 0).first().copied().unwrap_or(0);
    let mut client = OnvifClient::new(suite, ssrc, OnvifTolerances::STRICT);
    let data = mikey_for_media(&described, 0).ok_or("no a=key-mgmt:mikey for the video")?;
    let announced = client.handle_device_message(&data, now)?;
    writeln!(
        out,
        "   client: a=ssrc {ssrc:#010x}; key-mgmt: {}",
        show(&announced.srtp[0])
    )?;

    // 2. SETUP with KeyMgmt.
    let track = format!("{URL}/track1");
    let header = client.setup_header(Some(&track), now, rng)?;
    writeln!(
        out,
        "2. C->S SETUP {track}\n      KeyMgmt: {}",
        abbreviate(&header.to_string())
    )?;
    let keys = device
        .setup(Some(&header.to_string()), Some(SSRC), now)
        .map_err(|f| f.to_string())?;
    let before = keys.srtp[0].clone();
    writeln!(out, "   S->C 200 OK; device SRTP: {}", show(&before))?;

    // 3. RTP across a sequence number wrap.
    let mut tx = before.context()?;
    let mut rx = client.current_srtp()?[0].context()?;
    let mut packets = 0;
    for seq in [65535u16, 0] {
        let srtp = tx.protect_rtp(&rtp(seq))?;
        let back = rx.unprotect_rtp(&srtp)?;
        if back != rtp(seq) {
            return Err("the client got another packet back".into());
        }
        packets += 1;
        writeln!(
            out,
            "3. RTP seq {seq:5}: {} -> {} bytes SRTP, client unprotects: ok (ROC {})",
            back.len(),
            srtp.len(),
            rx.roc(SSRC).unwrap_or(0)
        )?;
    }

    // 4. SET_PARAMETER re-key.
    let later = now + Duration::from_secs(600);
    let body = client.rekey_body(later, rng)?;
    writeln!(
        out,
        "4. C->S SET_PARAMETER {URL} (text/parameters)\n      {}",
        abbreviate(body.trim_end())
    )?;
    let rekeyed = device
        .rekey(keys.csb_id, &body, tx.roc(SSRC), later)
        .map_err(|f| f.to_string())?;
    let after = rekeyed.srtp[0].clone();
    // The sender's state just before the re-key: the SETUP key, ROC advanced by the wrap.
    let mut current = before.clone();
    current.roc = tx.roc(SSRC).unwrap_or(before.roc);
    writeln!(
        out,
        "   S->C 200 OK\n   before: {}\n   after:  {}",
        show(&current),
        show(&after)
    )?;

    // 5. RTP with the new key; the receiver carries its ROC over.
    let mut tx2 = after.context()?;
    let client_new = client.current_srtp()?;
    let mut rx2 = client_new[0].context()?;
    rx2.set_roc(SSRC, rx.roc(SSRC).unwrap_or(0));
    let srtp = tx2.protect_rtp(&rtp(1))?;
    let tag = suite.auth_tag_len();
    let mki_in_packet = &srtp[srtp.len() - tag - MKI_LEN..srtp.len() - tag];
    let ok = rx2.unprotect_rtp(&srtp)? == rtp(1);
    let old_key_fails = rx.unprotect_rtp(&srtp).is_err();
    packets += usize::from(ok);
    writeln!(
        out,
        "5. RTP seq     1 with the new key: MKI in packet {:02x?}, client unprotects: {}, \
         old key refuses it: {old_key_fails}",
        mki_in_packet,
        if ok { "ok" } else { "FAILED" }
    )?;

    // 6. GET_PARAMETER mikey: multicast key and current ROC.
    let mut mcast_now = mcast.clone();
    mcast_now.roc = tx2.roc(SSRC).unwrap_or(0);
    let answer = OnvifDevice::multicast_key_body(&mcast_now, later, rng)?;
    writeln!(
        out,
        "6. C->S GET_PARAMETER {URL}: {:?}\n   S->C 200 OK: {}",
        GET_PARAMETER_MIKEY_BODY,
        abbreviate(answer.trim_end())
    )?;
    let multicast = client.handle_multicast_key(&answer, later)?.srtp[0].clone();
    writeln!(out, "   client: multicast {}", show(&multicast))?;

    // 7. A key without MKI breaks the ONVIF profile.
    let mut bad = PskInitiator::new(
        &[],
        PskConfig {
            encr: EncrAlg::Null,
            mac: MacAlg::Null,
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: SSRC,
                roc: 0,
            }],
            ..PskConfig::default()
        },
    );
    let mut key = vec![0u8; 30];
    rng.fill(&mut key);
    let msg = bad.initiate(vec![TransportKey::tek(&key)], later, rng)?;
    let failure = device
        .setup(
            Some(&KeyMgmtHeader::for_mikey(Some(track.clone()), msg).to_string()),
            Some(SSRC),
            later,
        )
        .err()
        .ok_or("a key without MKI was accepted")?;
    writeln!(
        out,
        "7. C->S SETUP {track} (key without MKI)\n   S->C {} ({})",
        failure.rtsp_status_line(),
        failure.error
    )?;
    Ok(Summary {
        before: current,
        after,
        packets,
        multicast,
        failure: failure.rtsp_status_line(),
    })
}

/// An RTSP connection: requests out, responses and interleaved frames in (RFC 2326 §10.12).
struct Conn<'s, S> {
    stream: &'s mut S,
    buf: Vec<u8>,
    cseq: u32,
    session: Option<String>,
}

/// Longest response or frame read (a bound on what the server can make us buffer).
const MAX_READ: usize = 1 << 20;

impl<S: Read + Write> Conn<'_, S> {
    fn fill(&mut self) -> Result<(), Box<dyn Error>> {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 || self.buf.len() + n > MAX_READ {
            return Err("connection closed or reply too long".into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Sends a request and returns the response (status line, headers, body), skipping
    /// interleaved frames that arrive before it.
    fn request(
        &mut self,
        method: &str,
        url: &str,
        extra: &str,
    ) -> Result<(String, String), Box<dyn Error>> {
        self.cseq += 1;
        let session = self
            .session
            .as_ref()
            .map(|s| format!("Session: {s}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {url} RTSP/1.0\r\nCSeq: {}\r\n{session}{extra}\r\n",
            self.cseq
        );
        self.stream.write_all(req.as_bytes())?;
        loop {
            if self.buf.first() == Some(&b'$') {
                self.frame()?;
                continue;
            }
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                let len = header(&head, "content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0usize);
                while self.buf.len() < end + 4 + len {
                    self.fill()?;
                }
                let body = String::from_utf8_lossy(&self.buf[end + 4..end + 4 + len]).into_owned();
                self.buf.drain(..end + 4 + len);
                if !head.starts_with("RTSP/1.0 200") {
                    return Err(format!("{method}: {}", head.lines().next().unwrap_or("")).into());
                }
                if let Some(s) = header(&head, "session") {
                    self.session = Some(s.split(';').next().unwrap_or(s).trim().to_owned());
                }
                return Ok((head, body));
            }
            self.fill()?;
        }
    }

    /// The next interleaved frame: (channel, data).
    fn frame(&mut self) -> Result<(u8, Vec<u8>), Box<dyn Error>> {
        while self.buf.len() < 4 {
            self.fill()?;
        }
        if self.buf[0] != b'$' {
            return Err("expected an interleaved frame".into());
        }
        let (ch, len) = (
            self.buf[1],
            usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]])),
        );
        while self.buf.len() < 4 + len {
            self.fill()?;
        }
        let data = self.buf[4..4 + len].to_vec();
        self.buf.drain(..4 + len);
        Ok((ch, data))
    }
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// What [`play_from_server`] got.
#[derive(Debug)]
pub struct ServerSummary {
    /// The SRTP parameters of the server's `a=key-mgmt:mikey` (its sending key).
    pub server_key: SrtpParams,
    /// The RTP packets decrypted, in order.
    pub rtp: Vec<Vec<u8>>,
}

/// Plays `url` on an RTSP server over `stream` (the caller opens the TCP connection):
/// DESCRIBE, SETUP `RTP/SAVP/TCP;interleaved=0-1` with our `KeyMgmt` (RFC 4567 §3.2),
/// PLAY, `packets` SRTP packets of channel 0 decrypted with the key of the server's
/// `a=key-mgmt:mikey` (read as MIKEY-NULL, RFC 4567 §4.2), TEARDOWN.
pub fn play_from_server<S: Read + Write>(
    stream: &mut S,
    url: &str,
    packets: usize,
    now: Duration,
    rng: &mut impl Entropy,
) -> Result<ServerSummary, Box<dyn Error>> {
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        cseq: 0,
        session: None,
    };
    let (_, sdp) = conn.request("DESCRIBE", url, "Accept: application/sdp\r\n")?;
    let session = sdp_types::Session::parse(sdp.as_bytes())?;
    let data = mikey_for_media(&session, 0).ok_or("no a=key-mgmt:mikey for the first media")?;
    let mut responder = mikey::session::PskResponder::new(
        mikey::crypto::SecretBytes::from_slice(&[]),
        mikey::session::ResponderConfig::mikey_null(),
    );
    let accepted = responder
        .handle(&data, now)
        .map_err(|r| r.error.to_string())?;
    let server_key = responder.srtp(accepted.csb_id)?.remove(0);
    let control = session.medias[0]
        .attributes
        .iter()
        .find(|a| a.attribute == "control")
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let track = if control.contains("://") {
        control
    } else {
        format!("{url}/{control}")
    };
    let mut client = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::STRICT);
    let key_mgmt = client.setup_header(Some(&track), now, rng)?;
    let transport = "Transport: RTP/SAVP/TCP;unicast;interleaved=0-1\r\n";
    conn.request(
        "SETUP",
        &track,
        &format!("{transport}KeyMgmt: {key_mgmt}\r\n"),
    )?;
    conn.request("PLAY", url, "")?;
    let mut ctx = server_key.context()?;
    let mut rtp = Vec::new();
    while rtp.len() < packets {
        let (ch, data) = conn.frame()?;
        if ch == 0 {
            rtp.push(ctx.unprotect_rtp(&data)?);
        }
    }
    conn.request("TEARDOWN", url, "")?;
    Ok(ServerSummary { server_key, rtp })
}

fn main() -> Result<(), Box<dyn Error>> {
    if let Some(url) = std::env::args().nth(1) {
        let host = url
            .strip_prefix("rtsp://")
            .and_then(|r| r.split('/').next())
            .ok_or("rtsp://host:port/path")?;
        let mut tcp = std::net::TcpStream::connect(host)?;
        let got = play_from_server(
            &mut tcp,
            &url,
            10,
            mikey::session::system_time(),
            &mut mikey::session::OsEntropy,
        )?;
        println!("server key: {}", show(&got.server_key));
        for p in &got.rtp {
            println!(
                "RTP seq {}: {} bytes in the clear",
                u16::from_be_bytes([p[2], p[3]]),
                p.len()
            );
        }
        return Ok(());
    }
    let mut out = String::new();
    let result = run(
        &mut out,
        mikey::session::system_time(),
        &mut mikey::session::OsEntropy,
    );
    print!("{out}");
    result.map(|_| ())
}
