//! `mikey`: a command-line MIKEY (RFC 3830) diagnostic tool over the `mikey` library.
//!
//! The arguments are parsed by clap (derive). Each command is one module with an `Args`
//! struct (its options, documented for `--help`) and a `run(Args) -> Result<(), Failure>`
//! function; [`Command`] lists them. To add a command: add its module, one [`Command`]
//! variant whose doc comment is the command's one-line help, and one arm in
//! [`Command::run`].
#![forbid(unsafe_code)]

mod args;
mod decode;
#[cfg(feature = "sakke")]
mod decode_sakke;
mod demo;
mod input;
#[cfg(feature = "sakke")]
mod mcx;
mod out;
mod pcap;
mod reencode;
mod render;
mod sdp;
mod srtp;
mod srtp_json;

use clap::{ArgMatches, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use std::process::ExitCode;

/// Printed after the list of commands in `mikey --help`.
const AFTER_HELP: &str = "\
INPUT (decode, reencode, srtp) is a hex string, a base64 string, a file path, or - for stdin.
File and stdin contents may be raw binary MIKEY (first byte 0x01), or text with one message
a line in any mix of hex, base64, SDP a=key-mgmt:mikey attributes, RTSP KeyMgmt: headers and
ONVIF body lines \"mikey: <base64>\".

Exit status: 0 success, 1 bad input (one line \"error: ...\" on stderr), 2 usage error.

This tool prints key material on purpose (diagnostics).";

/// MIKEY (RFC 3830) diagnostic tool: run key exchanges, decode and re-encode messages,
/// SDP offer/answer with MIKEY-PSK.
#[derive(Debug, Parser)]
#[command(
    name = "mikey",
    version,
    arg_required_else_help = true,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands, one module each.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run an initiator and a responder in one process: both messages, both sides' SRTP
    /// parameters, one RTP packet protected and unprotected.
    Demo(demo::Args),
    /// Dissect every MIKEY message found in INPUT: deviations from the RFCs as warnings, a
    /// tree of header and payloads (or JSON), the keys and SRTP parameters of MIKEY-NULL
    /// messages, and with --psk or --private-key of encrypted ones.
    Decode(decode::Args),
    /// Parse and re-encode every MIKEY message found in INPUT; print the lowercase hex of
    /// each encoding, one message per line.
    Reencode(reencode::Args),
    /// Hand the SRTP keys of MIKEY-NULL messages (or, with --psk, PSK I_MESSAGEs) to an
    /// SRTP stack: GStreamer caps, libsrtp2 policy, rtp_decoder, SDES, webrtc-rs, JSON.
    Srtp(srtp::Args),
    /// Decrypt the SRTP/SRTCP of a pcap or pcapng capture with the MIKEY keys it carries
    /// and write the clear RTP/RTCP to a new pcap, with a report per stream.
    Pcap(pcap::Args),
    /// SDP offer/answer with MIKEY-PSK (RFC 4567): one side per invocation.
    #[command(subcommand)]
    Sdp(sdp::Command),
    /// A MIKEY-SAKKE key management server (TS 33.180 Annex D): create one, provision
    /// users.
    #[cfg(feature = "sakke")]
    #[command(subcommand)]
    Kms(mcx::KmsCommand),
    /// MIKEY-SAKKE I_MESSAGEs of the 3GPP mission-critical services (TS 33.180).
    #[cfg(feature = "sakke")]
    #[command(subcommand)]
    Mcx(mcx::McxCommand),
}

impl Command {
    fn run(self) -> Result<(), Failure> {
        match self {
            Command::Demo(a) => demo::run(a),
            Command::Decode(a) => decode::run(a),
            Command::Reencode(a) => reencode::run(a),
            Command::Srtp(a) => srtp::run(a),
            Command::Pcap(a) => pcap::run(a),
            Command::Sdp(c) => sdp::run(c),
            #[cfg(feature = "sakke")]
            Command::Kms(c) => mcx::run_kms(c),
            #[cfg(feature = "sakke")]
            Command::Mcx(c) => mcx::run_mcx(c),
        }
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// A command line that clap accepted but that does not fit (an option that does not
    /// apply to the chosen mode or input): exit status 2, reported like clap's errors.
    Usage(String),
    /// The input is not what it should be: exit status 1, one `error:` line.
    Input(String),
}

impl From<mikey::wire::EncodeError> for Failure {
    fn from(e: mikey::wire::EncodeError) -> Self {
        Failure::Input(e.to_string())
    }
}

/// Writes `text` to stdout, ignoring a closed pipe (e.g. `mikey decode x | head`).
pub fn print(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A usage error found after parsing, formatted by clap against the command that was run
/// (its usage line and the `--help` hint).
fn usage_error(path: &[String], message: String) -> clap::Error {
    let mut cmd = Cli::command();
    cmd.build();
    for name in path {
        match cmd.find_subcommand(name) {
            Some(sub) => cmd = sub.clone(),
            None => break,
        }
    }
    cmd.error(clap::error::ErrorKind::ArgumentConflict, message)
}

/// The names of the subcommands given (`["sdp", "offer"]`).
fn command_path(matches: &ArgMatches) -> Vec<String> {
    let mut path = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name.to_owned());
        m = sub;
    }
    path
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let path = command_path(&matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => usage_error(&path, m).exit(),
        Err(Failure::Input(m)) => {
            // Exactly one line.
            eprintln!("error: {}", m.replace(['\r', '\n'], " "));
            ExitCode::from(1)
        }
    }
}
