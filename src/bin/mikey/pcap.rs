//! `mikey pcap`: decrypt the SRTP/SRTCP of a pcap or pcapng capture with the MIKEY keys it
//! carries (`mikey::capture`: RTSP `KeyMgmt` headers, SDP `a=key-mgmt`, ONVIF `mikey:`
//! bodies; MIKEY-NULL, or PSK messages with `--psk`), write the clear RTP/RTCP to a new
//! pcap, and report per stream the packets decrypted, failed authentication and ROC changes.

use crate::args::Psk;
use crate::out::print_json;
use crate::{print, Failure};
use mikey::capture::{decrypt, Decrypted, Keying};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

const AFTER_LONG_HELP: &str = "\
The output is a pcap of Ethernet/IPv4-or-IPv6/UDP frames with the clear RTP and RTCP, at the
capture's timestamps and addresses (RTSP-interleaved media is written as UDP, see
mikey::capture::interleaved_port). Exit status 0 when the output was written, whatever the
report says; 1 when the input is not a capture or the output cannot be written.

Examples:
    mikey pcap camera.pcapng -o camera-clear.pcap
    mikey pcap --psk 00112233445566778899aabbccddeeff --json sip-call.pcap -o clear.pcap";

/// Options of `mikey pcap`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_LONG_HELP)]
pub struct Args {
    /// The capture to read (pcap or pcapng).
    pub input: PathBuf,
    /// Where to write the clear capture (pcap).
    #[arg(short, long, value_name = "OUT.pcap")]
    pub output: PathBuf,
    /// The pre-shared key of PSK messages in the capture (MIKEY-NULL needs none).
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk)]
    pub psk: Option<Psk>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The report as text: one line per stream, then the MIKEY messages.
fn report_text(d: &Decrypted, out_path: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "MIKEY messages: {} keyed, {} refused; frames of other link types skipped: {}",
        d.mikey_accepted,
        d.mikey_rejected.len(),
        d.frames_skipped
    );
    for why in &d.mikey_rejected {
        let _ = writeln!(s, "  refused: {why}");
    }
    for r in &d.streams {
        let _ = writeln!(
            s,
            "SSRC 0x{:08x}: {} SRTP + {} SRTCP packets, {} decrypted, {} failed authentication, \
             {} ROC changes, {} replayed, {} without a key, {} other errors",
            r.ssrc,
            r.rtp_packets,
            r.rtcp_packets,
            r.decrypted,
            r.auth_failed,
            r.roc_changes,
            r.replayed,
            r.no_key,
            r.other_errors
        );
    }
    if d.streams.is_empty() {
        let _ = writeln!(s, "no SRTP or SRTCP packets found");
    }
    let _ = writeln!(s, "clear capture written to {out_path}");
    s
}

fn report_json(d: &Decrypted, out_path: &str) -> serde_json::Value {
    let streams: Vec<serde_json::Value> = d
        .streams
        .iter()
        .map(|r| {
            json!({
                "ssrc": r.ssrc,
                "rtp_packets": r.rtp_packets,
                "rtcp_packets": r.rtcp_packets,
                "decrypted": r.decrypted,
                "auth_failed": r.auth_failed,
                "roc_changes": r.roc_changes,
                "replayed": r.replayed,
                "no_key": r.no_key,
                "other_errors": r.other_errors,
            })
        })
        .collect();
    json!({
        "output": out_path,
        "mikey_accepted": d.mikey_accepted,
        "mikey_rejected": d.mikey_rejected,
        "frames_skipped": d.frames_skipped,
        "streams": streams,
    })
}

/// `mikey pcap IN -o OUT [--psk HEX] [--json]`.
pub fn run(a: Args) -> Result<(), Failure> {
    let in_name = a.input.display().to_string();
    let input = std::fs::read(&a.input).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::Input(format!("{in_name}: no such file")),
        _ => Failure::Input(format!("cannot read {in_name}: {e}")),
    })?;
    let keying = Keying {
        psk: a.psk.as_ref().map(|p| p.as_bytes().to_vec()),
    };
    let d = decrypt(&input, &keying).map_err(|e| Failure::Input(format!("{in_name}: {e}")))?;
    let out_name = a.output.display().to_string();
    std::fs::write(&a.output, &d.pcap)
        .map_err(|e| Failure::Input(format!("cannot write {out_name}: {e}")))?;
    if a.json {
        return print_json(&report_json(&d, &out_name));
    }
    print(&report_text(&d, &out_name));
    Ok(())
}
