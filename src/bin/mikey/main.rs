//! `mikey`: a command-line MIKEY (RFC 3830) diagnostic tool.
//!
//! Each subcommand lives in its own module and is dispatched by the small `match` in
//! [`run`]. To add one (e.g. `demo`, `sdp`), add a module with a `run(&[String]) ->
//! Result<(), Failure>` function, one `match` arm, and a paragraph in [`USAGE`].
#![forbid(unsafe_code)]

mod decode;
mod demo;
mod demo_dh;
mod demo_pk;
mod group_demo;
mod input;
mod render;
mod sdp_cmd;
mod srtp_json;

use std::io::Write as _;
use std::process::ExitCode;

/// The usage text printed by `mikey --help` and `mikey help`.
pub const USAGE: &str = "\
mikey - MIKEY (RFC 3830) diagnostic tool

USAGE:
    mikey demo [--mode psk|dh|dhhmac] [--psk HEX] [--group 0|1|2]
               [--initiator-key PEM --responder-key PEM] [--json]
    mikey demo --mode group [--members N] [--json]
    mikey demo --mode pk|rsa-r [--provider NAME] [--keys DIR] [--json]
    mikey decode [--json] [--lenient] [--psk HEX | --private-key PEM] [--no-verify] INPUT
    mikey reencode [--lenient] INPUT
    mikey sdp offer [--psk HEX]
    mikey sdp answer --psk HEX FILE|-
    mikey help | --help | -h

SUBCOMMANDS:
    demo       Run an initiator and a responder in one process: print both
               messages, both sides' SRTP parameters, and one RTP packet
               protected by the initiator and unprotected by the responder.
               Modes: psk (RFC 3830 §3.1), dh (DH with RSA signatures, §3.3;
               2048-bit keys generated unless given as PEM files), dhhmac
               (RFC 4650); --group: 0 OAKLEY 5 (default), 1 OAKLEY 1, 2 OAKLEY 2.
               --mode group: a source keys N receivers (default 5), one
               joins and one leaves; each rekey, its MKI and who holds it.
    decode     Decode every MIKEY message found in INPUT and print it as a tree
               (header, crypto sessions, each payload and field, NULL-encrypted
               KEMAC keys in hex), or as JSON with --json (docs/decode-json.md).
    reencode   Parse and re-encode every MIKEY message found in INPUT; print
               the lowercase hex of the encoding, one message per line.
    sdp        SDP offer/answer with MIKEY-PSK (RFC 4567). `sdp offer` prints an
               offer with one audio and one video media (RTP/SAVP), an a=ssrc
               line each and a session-level a=key-mgmt:mikey with a fresh PSK
               I_MESSAGE (a random PSK is shown on stderr without --psk).
               `sdp answer` reads an offer from FILE or - (stdin), runs the PSK
               responder and prints the answer SDP with new SSRCs and the
               verification message at the offer's level; a rejected offer is
               an error (\"488 Not Acceptable Here: ...\").

OPTIONS:
    --json     JSON output (decode only)
    --psk HEX  decode: verify the MAC of PSK messages, decrypt the KEMAC, and
               show the key data and SRTP parameters (JSON: mac_verified, srtp);
               demo and sdp: the pre-shared key (required for sdp answer)
    --private-key PEM
               decode: open public-key messages (RFC 3830 §3.2) addressed to this
               RSA key: check SIGN with the message's CERT (or report it
               unverifiable), decrypt the envelope key, verify the MAC, show the
               key data and SRTP parameters (JSON: signature_verified,
               mac_verified, srtp)
    --no-verify  decode --psk/--private-key: show the keys even when the MAC
               does not verify
    --mode M   demo: psk (default), pk (public-key envelope, RFC 3830 §3.2),
               rsa-r (RFC 4738), dh (RFC 3830 §3.3), dhhmac (RFC 4650), group
    --provider NAME
               demo pk/rsa-r: crypto provider, rustcrypto (default) or aws-lc
               (when built with the aws-lc feature)
    --keys DIR demo pk/rsa-r: RSA keys rsa2048-a.pem (initiator) and
               rsa2048-b.pem (responder) from DIR (as in testvectors/keys);
               generated when not given; an empty DIR gets the generated keys
    --lenient  Accept known device quirks (GStreamer auth key length 10,
               trailing 0x00, NUL-terminated IDs) and report them

INPUT:
    A hex string, a base64 string, a file path, or - for stdin. File and stdin
    contents may be: raw binary MIKEY (first byte 0x01), hex, base64, an SDP
    body, an a=key-mgmt:mikey line, an RTSP KeyMgmt: header line or value, or
    an ONVIF body line \"mikey: <base64>\".

EXIT STATUS:
    0 success, 1 bad input (one line \"error: ...\" on stderr), 2 usage error.

NOTE: this tool prints key material on purpose (diagnostics).
";

/// Why a subcommand failed.
#[derive(Debug)]
pub enum Failure {
    /// Wrong command line: exit status 2.
    Usage(String),
    /// The input is not what it should be: exit status 1.
    Input(String),
}

/// Writes `text` to stdout, ignoring a closed pipe (e.g. `mikey decode x | head`).
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn run(args: &[String]) -> Result<(), Failure> {
    let rest = args.get(1..).unwrap_or(&[]);
    match args.first().map(String::as_str) {
        None => Err(Failure::Usage("no subcommand given".into())),
        Some("help" | "--help" | "-h") => {
            print(USAGE);
            Ok(())
        }
        Some("decode") => decode::run(rest),
        Some("reencode") => decode::run_reencode(rest),
        Some("demo") => demo::run(rest),
        Some("sdp") => sdp_cmd::run(rest),
        Some(other) => Err(Failure::Usage(format!("unknown subcommand {other:?}"))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("error: {m} (see `mikey --help`)");
            ExitCode::from(2)
        }
        Err(Failure::Input(m)) => {
            // Exactly one line.
            eprintln!("error: {}", m.replace(['\r', '\n'], " "));
            ExitCode::from(1)
        }
    }
}
