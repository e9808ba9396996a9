//! `mikey srtp`: the SRTP parameters of the MIKEY-NULL or PSK I_MESSAGEs in INPUT, handed
//! to an SRTP stack through `mikey::srtp::handoff` (GStreamer caps, a libsrtp2 policy, an
//! `rtp_decoder` command line, an SDES `a=crypto` line (RFC 4568), webrtc-rs `Context::new`
//! arguments, or JSON), one per stream. A parameter a stack cannot take is an error for
//! that stream, never dropped.

use crate::args::Psk;
use crate::decode::open_all;
use crate::out::{hex, print_json};
use crate::{input, print, Failure};
use mikey::srtp::export::SrtpParams;
use mikey::srtp::handoff::gstreamer::GstSrtpCaps;
use mikey::srtp::handoff::json::SrtpParamsJson;
use mikey::srtp::handoff::libsrtp::LibsrtpPolicy;
use mikey::srtp::handoff::sdes::crypto_attribute;
use mikey::srtp::handoff::webrtc::WebrtcSrtpArgs;
use mikey::srtp::handoff::HandoffError;
use mikey::wire::{MessageView, ParseOptions};
use std::fmt::Write as _;

const AFTER_LONG_HELP: &str = "\
Formats (one entry per crypto session and key):
  gstreamer    the application/x-srtp caps srtpdec's request-key signal returns
               (srtp-key, ciphers, auths, roc, mki), one line each
  libsrtp      a C function filling a libsrtp2 srtp_policy_t (setters, SSRC, key || salt,
               MKI), and the srtp_set_stream_roc call a non-zero ROC needs
  rtp-decoder  the command line of libsrtp's rtp_decoder test tool (reads a pcap on stdin)
  sdes         an RFC 4568 a=crypto line (tags 1, 2, ...)
  webrtc       the webrtc-rs srtp crate's Context::new(master_key, master_salt, profile,
               None, None) call
  json         a JSON array of the parameters

Lines starting with # (/* in C) say which message, crypto session and SSRC follow. A
parameter the format cannot express (RFC 4771 RCC, a key interval, a KDR, an MKI or ROC
where the stack has none, a suite it lacks) is an error for that stream (exit 1, after the
other streams are printed).

Examples:
    mikey srtp --format gstreamer onvif-setup.b64
    mikey srtp --format sdes --psk 00112233445566778899aabbccddeeff message.hex";

/// An SRTP stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// GStreamer srtpenc/srtpdec caps.
    Gstreamer,
    /// A libsrtp2 srtp_policy_t, as C.
    Libsrtp,
    /// libsrtp's rtp_decoder command line.
    RtpDecoder,
    /// An SDES a=crypto line (RFC 4568).
    Sdes,
    /// webrtc-rs srtp Context::new arguments.
    Webrtc,
    /// JSON.
    Json,
}

/// Options of `mikey srtp`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_LONG_HELP)]
pub struct Args {
    /// The SRTP stack to hand the keys to.
    #[arg(long, value_enum)]
    pub format: Format,
    /// The pre-shared key of PSK I_MESSAGEs (not needed for MIKEY-NULL messages).
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk)]
    pub psk: Option<Psk>,
    /// rtp-decoder: the pcap filter (`-f`), e.g. "udp port 5004".
    #[arg(long, value_name = "FILTER", default_value = "")]
    pub filter: String,
    /// The message(s): hex, base64, a file, or - for stdin (see `mikey decode --help`).
    pub input: String,
}

/// Quotes an argument for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `{0x01, 0x02}`.
fn c_bytes(b: &[u8]) -> String {
    let items: Vec<String> = b.iter().map(|x| format!("0x{x:02x}")).collect();
    format!("{{{}}}", items.join(", "))
}

/// A C function `mikey_policy_N(srtp_policy_t *policy)` filling the libsrtp2 (2.x)
/// policy of one stream (needs `<string.h>` and `<srtp2/srtp.h>`).
pub fn libsrtp_c(n: usize, p: &LibsrtpPolicy) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "static void mikey_policy_{n}(srtp_policy_t *policy)\n{{");
    let _ = writeln!(
        c,
        "    static unsigned char key[] = {};",
        c_bytes(p.key.as_bytes())
    );
    let _ = writeln!(c, "    memset(policy, 0, sizeof *policy);");
    let _ = writeln!(
        c,
        "    srtp_crypto_policy_set_{}(&policy->rtp);",
        p.rtp_setter
    );
    let _ = writeln!(
        c,
        "    srtp_crypto_policy_set_{}(&policy->rtcp);",
        p.rtcp_setter
    );
    let _ = writeln!(c, "    policy->rtp.auth_tag_len = {};", p.rtp_auth_tag_len);
    let _ = writeln!(c, "    policy->ssrc.type = ssrc_specific;");
    let _ = writeln!(c, "    policy->ssrc.value = 0x{:08x};", p.ssrc);
    match &p.mki {
        None => {
            let _ = writeln!(c, "    policy->key = key;");
        }
        Some(m) => {
            let _ = writeln!(c, "    static unsigned char mki[] = {};", c_bytes(m));
            let _ = writeln!(
                c,
                "    static srtp_master_key_t master = {{key, mki, {}}};",
                m.len()
            );
            let _ = writeln!(c, "    static srtp_master_key_t *keys[] = {{&master}};");
            let _ = writeln!(c, "    policy->keys = keys;");
            let _ = writeln!(c, "    policy->num_master_keys = 1;");
        }
    }
    let _ = writeln!(c, "}}");
    if p.mki.is_some() {
        let _ = writeln!(
            c,
            "/* with the MKI: srtp_protect_mki / srtp_unprotect_mki with use_mki = 1, mki_index = 0 */"
        );
    }
    if p.roc != 0 {
        let _ = writeln!(
            c,
            "/* after srtp_create: srtp_set_stream_roc(session, 0x{:08x}, {}); */",
            p.ssrc, p.roc
        );
    }
    c
}

/// The webrtc-rs call.
fn webrtc_call(a: &WebrtcSrtpArgs) -> String {
    format!(
        "srtp::context::Context::new(&{}, &{}, srtp::protection_profile::ProtectionProfile::{}, None, None)",
        c_bytes(a.master_key.as_bytes()).replace('{', "[").replace('}', "]"),
        c_bytes(a.master_salt.as_bytes()).replace('{', "[").replace('}', "]"),
        a.profile
    )
}

/// One stream in `format` (`n`: its 1-based number in the output).
fn one(format: Format, n: usize, p: &SrtpParams, filter: &str) -> Result<String, HandoffError> {
    Ok(match format {
        Format::Gstreamer => GstSrtpCaps::new(p)?.to_caps_string() + "\n",
        Format::Libsrtp => libsrtp_c(n, &LibsrtpPolicy::new(p)?),
        Format::RtpDecoder => {
            let args = LibsrtpPolicy::new(p)?.rtp_decoder_args(filter)?;
            let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
            format!("rtp_decoder {}\n", quoted.join(" "))
        }
        Format::Sdes => crypto_attribute(p, n as u32)? + "\n",
        Format::Webrtc => webrtc_call(&WebrtcSrtpArgs::new(p)?) + "\n",
        Format::Json => String::new(),
    })
}

/// `mikey srtp --format F [--psk HEX] [--filter F] INPUT`.
pub fn run(a: Args) -> Result<(), Failure> {
    let found = input::load(&a.input).map_err(Failure::Input)?;
    let views: Vec<(&str, MessageView<'_>)> = found
        .iter()
        .map(|f| {
            MessageView::parse_with(&f.bytes, ParseOptions::LENIENT)
                .map(|v| (f.source.as_str(), v))
                .map_err(|e| Failure::Input(format!("{}: {e}", f.source)))
        })
        .collect::<Result<_, _>>()?;
    let opened = open_all(&views, a.psk.as_ref().map(Psk::as_bytes), true)?;
    let streams: Vec<(usize, &SrtpParams)> = opened
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.as_ref().map(|o| (i, o)))
        .flat_map(|(i, o)| o.srtp.iter().map(move |p| (i + 1, p)))
        .collect();
    if streams.is_empty() {
        return Err(Failure::Input(
            "no SRTP keys in the input: srtp reads MIKEY-NULL messages, and PSK I_MESSAGEs \
             with --psk"
                .into(),
        ));
    }
    if a.format == Format::Json {
        let list: Vec<SrtpParamsJson> = streams.iter().map(|(_, p)| (*p).into()).collect();
        let doc =
            serde_json::to_value(&list).map_err(|e| Failure::Input(format!("JSON output: {e}")))?;
        return print_json(&doc);
    }
    let (mut out, mut refused) = (String::new(), Vec::new());
    for (n, (msg, p)) in streams.iter().enumerate() {
        let head = format!(
            "message {msg}, CS {}: SSRC 0x{:08x}, ROC {}, {}{}",
            p.cs_id,
            p.ssrc,
            p.roc,
            p.suite,
            p.mki
                .as_deref()
                .map(|m| format!(", MKI {}", hex(m)))
                .unwrap_or_default()
        );
        match one(a.format, n + 1, p, &a.filter) {
            Ok(text) if a.format == Format::Libsrtp => {
                let _ = write!(out, "/* {head} */\n{text}");
            }
            Ok(text) => {
                let _ = write!(out, "# {head}\n{text}");
            }
            Err(e) => refused.push(format!("{head}: {e}")),
        }
    }
    print(&out);
    match refused.first() {
        None => Ok(()),
        Some(first) => Err(Failure::Input(format!(
            "{} of {} stream(s) cannot be handed off; the first: {first}",
            refused.len(),
            streams.len()
        ))),
    }
}
