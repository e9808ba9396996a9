//! Helpers shared by the interoperability tests in `tests/` (see README.md): writing
//! Ethernet/IPv4/UDP frames into a classic pcap file ([`pcap`]), dissecting such a file
//! with Wireshark's `tshark` ([`tshark`]), and running GStreamer's SRTP elements ([`gst_srtp`]).

/// Writing classic pcap files of Ethernet/IPv4/UDP frames.
pub mod pcap {
    /// Length of the Ethernet (14), IPv4 (20) and UDP (8) headers of a [`udp_frame`]: where
    /// its payload starts.
    pub const HEADERS_LEN: usize = 42;

    /// The IPv4 header checksum of `h` (RFC 791): the one's complement of the one's
    /// complement sum of its 16-bit words. Over a header that holds its checksum, it is 0.
    pub fn ipv4_checksum(h: &[u8]) -> u16 {
        let mut s: u32 = h
            .chunks(2)
            .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
            .sum();
        while s >> 16 != 0 {
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }

    /// An Ethernet frame holding an IPv4 packet (identification `id`, from `src` to `dst`)
    /// holding a UDP datagram from `port` to `port`, without UDP checksum, carrying
    /// `payload`.
    pub fn udp_frame(payload: &[u8], id: u16, port: u16, src: [u8; 4], dst: [u8; 4]) -> Vec<u8> {
        let udp_len = 8 + payload.len();
        let mut f = Vec::with_capacity(HEADERS_LEN + payload.len());
        f.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&((20 + udp_len) as u16).to_be_bytes());
        ip.extend_from_slice(&id.to_be_bytes());
        ip.extend_from_slice(&[0, 0, 64, 17, 0, 0]);
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        let c = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&port.to_be_bytes());
        f.extend_from_slice(&port.to_be_bytes());
        f.extend_from_slice(&(udp_len as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]); // no UDP checksum
        f.extend_from_slice(payload);
        f
    }

    /// A classic (libpcap 2.4, little-endian, `LINKTYPE_ETHERNET`) pcap file holding
    /// `frames`, one second apart.
    pub fn write(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&65535u32.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        for (i, f) in frames.iter().enumerate() {
            out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(f);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn udp_frame_is_well_formed() {
            for (port, src, dst) in [
                (2269, [127, 0, 0, 1], [127, 0, 0, 1]),
                (5060, [192, 0, 2, 1], [192, 0, 2, 2]),
            ] {
                let f = udp_frame(&[1, 2, 3], 7, port, src, dst);
                assert_eq!(f.len(), HEADERS_LEN + 3);
                assert_eq!(f.len(), 45);
                assert_eq!(ipv4_checksum(&f[14..34]), 0, "IPv4 header checksum");
                assert_eq!(&f[26..30], &src);
                assert_eq!(&f[30..34], &dst);
                assert_eq!(&f[34..36], &port.to_be_bytes());
                assert_eq!(&f[36..38], &port.to_be_bytes());
                assert_eq!(&f[HEADERS_LEN..], &[1, 2, 3]);
            }
        }

        #[test]
        fn pcap_file_holds_the_frames() {
            let frames = [vec![1u8; 50], vec![2u8; 60]];
            let p = write(&frames);
            assert_eq!(p.len(), 24 + 16 + 50 + 16 + 60);
            assert_eq!(&p[..4], &0xa1b2_c3d4u32.to_le_bytes());
            assert_eq!(&p[24 + 8..24 + 16], &[50, 0, 0, 0, 50, 0, 0, 0]);
            assert_eq!(&p[24 + 16..24 + 16 + 50], &frames[0][..]);
            assert_eq!(&p[24 + 16 + 50 + 16..], &frames[1][..]);
        }
    }
}

/// Running Wireshark's `tshark` on a pcap file and reading its JSON output.
pub mod tshark {
    use serde_json::Value;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// How long [`dissect`] lets tshark run.
    pub const TIMEOUT: Duration = Duration::from_secs(120);

    /// The `tshark` program to run: the first of `tshark` (on `PATH`), `/usr/bin/tshark` and
    /// `/usr/local/bin/tshark` whose `--version` succeeds.
    ///
    /// # Panics
    ///
    /// If there is none: the tests need tshark.
    pub fn find() -> PathBuf {
        for c in ["tshark", "/usr/bin/tshark", "/usr/local/bin/tshark"] {
            if Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                return PathBuf::from(c);
            }
        }
        panic!(
            "tshark not found: this test needs Wireshark's tshark (Debian: `apt-get install -y tshark`, \
             see peers/README.md)"
        );
    }

    /// Runs `tshark -n -r FILE -T json -x --no-duplicate-keys` on the pcap file `pcap` and
    /// returns the `_source.layers` object of each frame: every field with its shown value,
    /// and (`-x`) every `NAME_raw` field with its bytes in hex, position and length.
    ///
    /// The file is written in a temporary directory named after the process and `tag`,
    /// removed afterwards unless the environment variable `MIKEY_PEERS_KEEP` is set (then
    /// tshark's JSON is kept next to it).
    ///
    /// # Panics
    ///
    /// If tshark is not found, does not finish within [`TIMEOUT`], fails, writes something
    /// that is not JSON, or does not return exactly `expected_frames` frames.
    pub fn dissect(pcap: &[u8], tag: &str, expected_frames: usize) -> Vec<Value> {
        dissect_with(pcap, tag, expected_frames, &[])
    }

    /// [`dissect`] with further tshark options, e.g. `["-o", "rtp.heuristic_rtp:TRUE"]`.
    pub fn dissect_with(
        pcap: &[u8],
        tag: &str,
        expected_frames: usize,
        options: &[&str],
    ) -> Vec<Value> {
        let dir = std::env::temp_dir().join(format!("mikey-peers-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{tag}.pcap"));
        std::fs::write(&file, pcap).unwrap();
        let mut child = Command::new(find())
            .args(["-n", "-r"])
            .arg(&file)
            .args(["-T", "json", "-x", "--no-duplicate-keys"])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start tshark");
        // Timeout: read stdout and stderr on threads, kill tshark if it takes too long.
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut stdout, &mut v).unwrap();
            v
        });
        let err = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut stderr, &mut v).unwrap();
            v
        });
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                panic!("tshark did not finish within {} s", TIMEOUT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = out.join().unwrap();
        let err = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
        assert!(status.success(), "tshark failed: {status}: {err}");
        if std::env::var_os("MIKEY_PEERS_KEEP").is_some() {
            std::fs::write(dir.join("tshark.json"), &out).unwrap();
            eprintln!("kept {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let v: Value = serde_json::from_slice(&out).expect("tshark JSON");
        let frames: Vec<Value> = v
            .as_array()
            .expect("tshark JSON is an array of frames")
            .iter()
            .map(|p| p["_source"]["layers"].clone())
            .collect();
        assert_eq!(frames.len(), expected_frames, "tshark frame count");
        frames
    }
}

/// A MIKEY-NULL I_MESSAGE (NULL encryption, NULL MAC: what gst-rtsp-server and rtspsrc
/// exchange) with one crypto session for `ssrc` under `policy` and `key`, and its exported
/// SRTP parameters (deterministic RAND and CSB ID).
pub fn mikey_null(
    policy: mikey::wire::SrtpPolicy,
    key: mikey::session::TransportKey,
    ssrc: u32,
) -> (Vec<u8>, mikey::srtp::SrtpParams) {
    use mikey::session::{PskConfig, PskInitiator};
    use mikey::wire::{EncrAlg, MacAlg, SrtpCs};
    let cfg = PskConfig {
        encr: EncrAlg::Null,
        mac: MacAlg::Null,
        v: false,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc,
            roc: 0,
        }],
        policies: vec![policy.to_payload(0).unwrap()],
        ..PskConfig::default()
    };
    let mut i = PskInitiator::new(&[], cfg);
    let mut n = 0u8;
    let mut rng = move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(37);
            *x = n;
        }
    };
    let now = std::time::Duration::from_secs(1_790_000_000);
    let msg = i.initiate(vec![key], now, &mut rng).unwrap();
    let params = i.srtp().unwrap().remove(0);
    (msg, params)
}

/// GStreamer pipelines around `srtpenc` / `srtpdec` (gstreamer1.0-plugins-bad) fed by an
/// `appsrc` and drained by an `appsink`.
pub mod gst_srtp {
    use gstreamer_app::gst;
    use gstreamer_app::gst::prelude::*;
    use gstreamer_app::{AppSink, AppSrc};
    use std::str::FromStr;

    /// Runs `elements` between an appsrc with `caps` and an appsink, pushes `packets`, and
    /// returns what comes out (GStreamer drops packets it cannot verify).
    pub fn run(
        elements: &str,
        caps: &gst::Caps,
        setup: impl FnOnce(&gst::Bin),
        packets: &[Vec<u8>],
    ) -> Vec<Vec<u8>> {
        gst::init().expect("gst::init");
        let desc =
            format!("appsrc name=src format=bytes ! {elements} ! appsink name=sink sync=false");
        let pipeline = gst::parse::launch(&desc)
            .expect("pipeline")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        setup(pipeline.upcast_ref());
        let src = pipeline
            .by_name("src")
            .unwrap()
            .downcast::<AppSrc>()
            .unwrap();
        let sink = pipeline
            .by_name("sink")
            .unwrap()
            .downcast::<AppSink>()
            .unwrap();
        src.set_caps(Some(caps));
        pipeline.set_state(gst::State::Playing).expect("playing");
        for p in packets {
            src.push_buffer(gst::Buffer::from_slice(p.clone()))
                .expect("push");
        }
        src.end_of_stream().expect("eos");
        let mut out = Vec::new();
        while let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_seconds(5)) {
            let buf = sample.buffer().expect("buffer");
            out.push(buf.map_readable().expect("map").as_slice().to_vec());
        }
        pipeline.set_state(gst::State::Null).expect("null");
        out
    }

    /// srtpenc with the properties of `caps` (key, ciphers, auths, MKI).
    pub fn encrypt(caps: &gst::Caps, packets: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let rtp_caps = gst::Caps::from_str("application/x-rtp").unwrap();
        run(
            "srtpenc name=enc",
            &rtp_caps,
            |bin| set_srtpenc(&bin.by_name("enc").unwrap(), caps),
            packets,
        )
    }

    /// Sets srtpenc's key, ciphers, authentications and MKI from `caps` fields.
    fn set_srtpenc(enc: &gst::Element, caps: &gst::Caps) {
        let s = caps.structure(0).expect("structure");
        enc.set_property("key", s.get::<gst::Buffer>("srtp-key").unwrap());
        for (prop, field) in [
            ("rtp-cipher", "srtp-cipher"),
            ("rtp-auth", "srtp-auth"),
            ("rtcp-cipher", "srtcp-cipher"),
            ("rtcp-auth", "srtcp-auth"),
        ] {
            enc.set_property_from_str(prop, s.get::<&str>(field).unwrap());
        }
        if let Ok(mki) = s.get::<gst::Buffer>("mki") {
            enc.set_property("mki", mki);
        }
    }

    /// srtpdec reading its key from the caps of its sink pad.
    pub fn decrypt(caps: &gst::Caps, packets: &[Vec<u8>]) -> Vec<Vec<u8>> {
        run("srtpdec", caps, |_| {}, packets)
    }

    /// A test tone through GStreamer's RTP payloader and `srtpenc` keyed with `caps`
    /// (as [`encrypt`] does): `buffers` PCMA packets of `ssrc` from sequence number
    /// `first_seq`, returned as (clear RTP before srtpenc, SRTP after it).
    pub fn tone(
        caps: &gst::Caps,
        ssrc: u32,
        first_seq: u16,
        buffers: u32,
    ) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        gst::init().expect("gst::init");
        let desc = format!(
            "audiotestsrc num-buffers={buffers} samplesperbuffer=160 ! alawenc ! \
             rtppcmapay ssrc={ssrc} seqnum-offset={first_seq} timestamp-offset=0 ! tee name=t \
             t. ! queue ! appsink name=plain sync=false \
             t. ! queue ! srtpenc name=enc ! appsink name=sink sync=false"
        );
        let pipeline = gst::parse::launch(&desc)
            .expect("pipeline")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        let enc = pipeline.by_name("enc").unwrap();
        set_srtpenc(&enc, caps);
        let sinks =
            ["plain", "sink"].map(|n| pipeline.by_name(n).unwrap().downcast::<AppSink>().unwrap());
        pipeline.set_state(gst::State::Playing).expect("playing");
        let [plain, srtp] = sinks.map(|s| {
            let mut out = Vec::new();
            while let Some(sample) = s.try_pull_sample(gst::ClockTime::from_seconds(5)) {
                let buf = sample.buffer().expect("buffer");
                out.push(buf.map_readable().expect("map").as_slice().to_vec());
            }
            out
        });
        pipeline.set_state(gst::State::Null).expect("null");
        (plain, srtp)
    }

    /// The caps GStreamer's MIKEY code reads from `msg` (`gst_mikey_message_new_from_data`,
    /// `gst_mikey_message_to_caps`), with `ssrc` added as rtspsrc does.
    pub fn caps_of_mikey(msg: &[u8], ssrc: u32) -> gst::Caps {
        use gstreamer_sdp::ffi as sdp;
        gst::init().expect("gst::init");
        let mut caps = gst::Caps::new_empty_simple("application/x-srtp");
        // SAFETY: the message bytes outlive the call; the message is freed once; the caps
        // are writable (a fresh, unshared caps).
        unsafe {
            let m = sdp::gst_mikey_message_new_from_data(
                msg.as_ptr().cast(),
                msg.len(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            assert!(!m.is_null(), "GStreamer rejects our MIKEY message");
            let ok = sdp::gst_mikey_message_to_caps(m, caps.get_mut().unwrap().as_mut_ptr());
            assert_ne!(ok, 0, "gst_mikey_message_to_caps");
            gst::ffi::gst_mini_object_unref(m.cast());
        }
        caps.get_mut().unwrap().set("ssrc", ssrc);
        caps
    }
}
