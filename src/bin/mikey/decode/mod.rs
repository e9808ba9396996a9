//! `mikey decode`: a dissector. Every MIKEY message found in INPUT is decoded as far as
//! the wire allows and shown as a tree (or JSON) with its departures from the RFCs listed
//! as warnings ([`mikey::dissect`]); `--strict` makes them fatal. MIKEY-NULL messages
//! (KEMAC with neither encryption nor MAC, RFC 3830 §4.2.3 restricted use, as ONVIF and
//! GStreamer send them) show their keys and SRTP parameters with no key argument;
//! `--psk` and `--private-key` open PSK and public-key I_MESSAGEs.

mod open;
pub use open::open_all;
mod show;

use crate::args::Psk;
use crate::render::Decoded;
use crate::{input, Failure};
use mikey::dissect::{dissect, Dissection};
use mikey::wire::{MessageView, ParseOptions};
use std::path::PathBuf;

const AFTER_LONG_HELP: &str = "\
INPUT is a hex string, a base64 string, a file path, or - for stdin. A path that does not
exist is an error. File and stdin contents may be raw binary MIKEY (first byte 0x01), or
text with any number of messages, one per line, in any mix of hex, base64, SDP
a=key-mgmt:mikey attributes, RTSP KeyMgmt: headers and ONVIF \"mikey: <base64>\" body
lines (a whole RTSP message or SDP body may be given as it is). Each line is decoded on its
own. The JSON schema is in docs/decode-json.md.

Departures from the RFCs are listed as deviations and do not stop the decoding (exit 0);
with --strict the first one is an error (exit 1). MIKEY-NULL messages show their keys.
--psk opens pre-shared-key I_MESSAGEs (RFC 3830 §3.1) and --private-key public-key
I_MESSAGEs (§3.2); a MAC that does not verify with the key given is an error (exit 1),
after the structure is shown.

Examples:
    mikey decode 'KeyMgmt: prot=mikey; data=\"AQAFAP...\"'
    mikey decode --json capture.b64
    mikey decode --strict camera-setup.txt
    mikey decode --psk 00112233445566778899aabbccddeeff message.hex";

/// Options of `mikey decode`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_LONG_HELP)]
pub struct Args {
    /// Print one JSON document (docs/decode-json.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Make every departure from the RFCs an error (exit 1), as a conforming receiver would.
    #[arg(long, conflicts_with = "lenient")]
    pub strict: bool,
    /// The default (departures are listed as warnings); kept for older scripts.
    #[arg(long)]
    pub lenient: bool,
    /// Open PSK I_MESSAGEs with this pre-shared key: verify the MAC, decrypt the KEMAC,
    /// show the key data and the SRTP parameters.
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk, group = "key")]
    pub psk: Option<Psk>,
    /// Open public-key I_MESSAGEs (RFC 3830 §3.2) addressed to this RSA key: check SIGN with
    /// the message's CERT, decrypt the envelope key, verify the MAC, show the keys.
    #[arg(long, value_name = "PEM", group = "key")]
    pub private_key: Option<PathBuf>,
    /// Open MIKEY-SAKKE I_MESSAGEs (RFC 6509, TS 33.180) as the user of this key set (a
    /// KmsResponse with KmsKeyProv): signature, SSV, key, key id, SRTP parameters.
    #[cfg(feature = "sakke")]
    #[arg(long, value_name = "FILE", group = "key", requires = "trust")]
    pub sakke_keys: Option<PathBuf>,
    /// With --sakke-keys: a trusted KMS certificate (KmsResponse with KmsInit); repeatable.
    #[cfg(feature = "sakke")]
    #[arg(long, value_name = "FILE", requires = "sakke_keys")]
    pub trust: Vec<PathBuf>,
    /// With --psk or --private-key: show the keys even when the MAC does not verify.
    #[arg(long, requires = "key")]
    pub no_verify: bool,
    /// The message(s): hex, base64, a file, or - for stdin.
    pub input: String,
}

/// The parse options `--lenient` selects (for `reencode`, which stays strict by default).
pub fn parse_options(lenient: bool) -> ParseOptions {
    if lenient {
        ParseOptions::LENIENT
    } else {
        ParseOptions::STRICT
    }
}

/// Finds and parses every message with `opts`; the first failure is the error.
pub fn parse_all<'a>(
    found: &'a [input::Found],
    opts: ParseOptions,
) -> Result<Vec<Decoded<'a>>, Failure> {
    let many = found.len() > 1;
    found
        .iter()
        .enumerate()
        .map(|(i, f)| {
            MessageView::parse_with(&f.bytes, opts)
                .map(|view| Decoded {
                    source: &f.source,
                    view,
                    len: f.bytes.len(),
                })
                .map_err(|e| {
                    Failure::Input(if many {
                        format!("message {} ({}): {e}", i + 1, f.source)
                    } else {
                        e.to_string()
                    })
                })
        })
        .collect()
}

/// One entry of the input: a decoded message or why a line or message could not be.
pub enum Entry<'a> {
    /// A decoded message.
    Message {
        /// Where it was found.
        source: &'a str,
        /// What the dissector found.
        d: Dissection<'a>,
    },
    /// A line that should hold a message and does not, or bytes no parser reads.
    Failed {
        /// Where it was found.
        source: &'a str,
        /// Why.
        error: String,
    },
}

/// Prefix of an error about message `i` (0-based) of `n`.
fn which(i: usize, n: usize, source: &str) -> String {
    if n > 1 {
        format!("message {} ({source}): ", i + 1)
    } else {
        String::new()
    }
}

/// `--strict`: the first entry that failed or departs from the RFCs is the error.
fn strict_check(entries: &[Entry<'_>]) -> Result<(), Failure> {
    let n = entries.len();
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Failed { source, error } => {
                return Err(Failure::Input(format!("{}{error}", which(i, n, source))))
            }
            Entry::Message { source, d } => {
                let why = match (&d.strict_error, d.deviations.first()) {
                    (Some(e), _) => e.to_string(),
                    (None, Some(dv)) => {
                        let at = dv
                            .offset
                            .map(|o| format!(" at offset {o}"))
                            .unwrap_or_default();
                        format!("{}{at}: {} ({})", dv.id, dv.text, dv.rule)
                    }
                    (None, None) => continue,
                };
                return Err(Failure::Input(format!("{}{why}", which(i, n, source))));
            }
        }
    }
    Ok(())
}

/// `mikey decode [--json] [--strict] [--psk HEX | --private-key PEM] [--no-verify] INPUT`.
/// What other openers add to each entry: MIKEY-SAKKE I_MESSAGEs opened with
/// `--sakke-keys` (feature `sakke`).
#[cfg(feature = "sakke")]
fn extra(a: &Args, entries: &[Entry<'_>]) -> Result<show::Extra, Failure> {
    let mut x = show::Extra::default();
    for o in crate::decode_sakke::open_all(a, entries)? {
        let (mut text, mut json) = (String::new(), serde_json::Map::new());
        if let Some(o) = &o {
            crate::decode_sakke::text(&mut text, o);
            crate::decode_sakke::json(&mut json, o);
        }
        x.text.push(o.as_ref().map(|_| text));
        x.json.push(o.as_ref().map(|_| json));
    }
    Ok(x)
}

#[cfg(not(feature = "sakke"))]
fn extra(_: &Args, _: &[Entry<'_>]) -> Result<show::Extra, Failure> {
    Ok(show::Extra::default())
}

pub fn run(a: Args) -> Result<(), Failure> {
    let chunks = input::chunks(&a.input).map_err(Failure::Input)?;
    let entries: Vec<Entry<'_>> = chunks
        .iter()
        .map(|c| match &c.data {
            Ok(bytes) => match dissect(bytes) {
                Ok(d) => Entry::Message {
                    source: &c.source,
                    d,
                },
                Err(e) => Entry::Failed {
                    source: &c.source,
                    error: e.to_string(),
                },
            },
            Err(e) => Entry::Failed {
                source: &c.source,
                error: e.clone(),
            },
        })
        .collect();
    if a.strict {
        strict_check(&entries)?;
    }
    let n = entries.len();
    let failed: Vec<String> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Failed { source, error } => Some(format!("{}{error}", which(i, n, source))),
            Entry::Message { .. } => None,
        })
        .collect();
    if failed.len() == n {
        return Err(Failure::Input(failed[0].clone()));
    }
    let opened = open::open(&a, &entries)?;
    let extra = extra(&a, &entries)?;
    show::print(&a, &entries, &opened, &extra)?;
    if let Some(refused) = opened.iter().flatten().find_map(open::Opening::refusal) {
        return Err(Failure::Input(refused));
    }
    if !failed.is_empty() {
        return Err(Failure::Input(format!(
            "{} of {n} entries could not be decoded; the first: {}",
            failed.len(),
            failed[0]
        )));
    }
    Ok(())
}
