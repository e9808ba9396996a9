//! `mikey decode`: every MIKEY message found in INPUT as a tree or as JSON; with `--psk`
//! or `--private-key` also opened (MAC and signature checked, keys decrypted, SRTP
//! parameters exported).

use crate::args::Psk;
use crate::input::{self, Found};
use crate::out::{hex, print_json};
use crate::render::{self, Decoded};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use mikey::crypto::{default_provider, RsaPrivate};
use mikey::session::{open_pk_message, open_psk_message, SessionError};
use mikey::srtp::export::export;
use mikey::wire::{DataType, MessageView, ParseOptions};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

const AFTER_LONG_HELP: &str = "\
INPUT is a hex string, a base64 string, a file path, or - for stdin. File and stdin contents
may be raw binary MIKEY (first byte 0x01), hex, base64, an SDP body, an a=key-mgmt:mikey
line, an RTSP KeyMgmt: header line or value, or an ONVIF body line \"mikey: <base64>\". The
JSON schema is in docs/decode-json.md.

--psk opens pre-shared-key I_MESSAGEs (RFC 3830 §3.1) and --private-key public-key
I_MESSAGEs (§3.2); either one given for an INPUT without such a message is an error. With
the `sakke` feature, --sakke-keys KEYSET.xml --trust CERT.xml opens MIKEY-SAKKE I_MESSAGEs
(RFC 6509, TS 33.180) as that user.

Examples:
    mikey decode 'KeyMgmt: prot=mikey; data=\"AQAFAP...\"'
    mikey decode --json --lenient capture.b64
    mikey decode --psk 00112233445566778899aabbccddeeff message.hex";

/// Options of `mikey decode`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_LONG_HELP)]
pub struct Args {
    /// Print one JSON document (docs/decode-json.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Accept known device quirks (GStreamer auth key length 10, a trailing 0x00,
    /// NUL-terminated IDs) and report them.
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

/// The parse options `--lenient` selects.
pub fn parse_options(lenient: bool) -> ParseOptions {
    if lenient {
        ParseOptions::LENIENT
    } else {
        ParseOptions::STRICT
    }
}

/// Finds and strictly/leniently parses every message; the first failure is the error.
pub fn parse_all<'a>(found: &'a [Found], opts: ParseOptions) -> Result<Vec<Decoded<'a>>, Failure> {
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

/// Opens the messages `--psk` or `--private-key` applies to (`None` for the others).
fn open(a: &Args, decoded: &[Decoded<'_>]) -> Result<Vec<Option<OpenedMessage>>, Failure> {
    let (opened, option, want) = if let Some(psk) = &a.psk {
        let opened = open_all(decoded, psk.as_bytes(), !a.no_verify)?;
        (opened, "--psk", DataType::PskInit)
    } else if let Some(path) = &a.private_key {
        let what = path.display();
        let pem =
            std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("{what}: {e}")))?;
        let key = default_provider()
            .rsa_private_from_pem(&pem)
            .map_err(|e| Failure::Input(format!("{what}: {e}")))?;
        let opened = open_all_pk(decoded, key.as_ref(), !a.no_verify)?;
        (opened, "--private-key", DataType::PkInit)
    } else {
        return Ok(Vec::new());
    };
    // (--sakke-keys is handled by decode_sakke.)
    if opened.iter().all(Option::is_none) {
        let types: Vec<String> = decoded
            .iter()
            .map(|d| d.view.header().data_type.to_string())
            .collect();
        return Err(Failure::Usage(format!(
            "{option} opens {want} messages only; the input holds {}",
            types.join(", ")
        )));
    }
    Ok(opened)
}

/// `mikey decode [--json] [--lenient] [--psk HEX | --private-key PEM] [--no-verify] INPUT`.
pub fn run(a: Args) -> Result<(), Failure> {
    let found = input::load(&a.input).map_err(Failure::Input)?;
    let decoded = parse_all(&found, parse_options(a.lenient))?;
    let opened = open(&a, &decoded)?;
    #[cfg(feature = "sakke")]
    let sakke = crate::decode_sakke::open_all(&a, &decoded)?;
    if a.json {
        let mut doc = render::json(&decoded);
        #[cfg(feature = "sakke")]
        if let Some(list) = doc.get_mut("messages").and_then(|m| m.as_array_mut()) {
            for (m, o) in list.iter_mut().zip(&sakke) {
                if let (Some(obj), Some(o)) = (m.as_object_mut(), o) {
                    crate::decode_sakke::json(obj, o);
                }
            }
        }
        if let Some(list) = doc.get_mut("messages").and_then(|m| m.as_array_mut()) {
            for (m, op) in list.iter_mut().zip(&opened) {
                if let (Some(obj), Some(op)) = (m.as_object_mut(), op) {
                    opened_json(obj, op);
                }
            }
        }
        return print_json(&doc);
    }
    let mut out = String::new();
    for (i, d) in decoded.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render::text(&mut out, i + 1, decoded.len(), d);
        if let Some(Some(op)) = opened.get(i) {
            opened_text(&mut out, op);
        }
        #[cfg(feature = "sakke")]
        if let Some(Some(o)) = sakke.get(i) {
            crate::decode_sakke::text(&mut out, o);
        }
    }
    print(&out);
    Ok(())
}

fn signature_text(sig: Option<bool>) -> &'static str {
    match sig {
        Some(true) => "verified",
        Some(false) => "does not verify",
        None => "unverifiable (no CERT in the message)",
    }
}

/// Adds what opening found to a message's JSON object.
fn opened_json(obj: &mut serde_json::Map<String, Value>, op: &OpenedMessage) {
    if let Some(sig) = op.signature_verified {
        obj.insert("signature_verified".into(), sig.into());
        obj.insert("signature".into(), signature_text(sig).into());
    }
    obj.insert("mac_verified".into(), op.mac_verified.into());
    obj.insert("srtp".into(), srtp_list(&op.srtp));
}

/// What opening found, below the message's tree.
fn opened_text(out: &mut String, op: &OpenedMessage) {
    if let Some(sig) = op.signature_verified {
        let text = signature_text(sig);
        let text = if sig == Some(false) {
            text.to_uppercase()
        } else {
            text.to_owned()
        };
        let _ = writeln!(out, "  Signature (key of the message's CERT): {text}");
    }
    let _ = writeln!(
        out,
        "  MAC verified with the {}: {}",
        if op.signature_verified.is_some() {
            "envelope key"
        } else {
            "PSK"
        },
        if op.mac_verified { "yes" } else { "no" }
    );
    let _ = writeln!(out, "  Key data (decrypted KEMAC):");
    for k in &op.keys {
        let salt = k
            .salt
            .as_ref()
            .map(|s| format!(", salt {}", hex(s.as_bytes())));
        let mki = k.mki().map(|m| format!(", SPI/MKI {}", hex(m)));
        let _ = writeln!(
            out,
            "    {}: key {}{}{}",
            k.key_type,
            hex(k.key.as_bytes()),
            salt.unwrap_or_default(),
            mki.unwrap_or_default()
        );
    }
    let _ = writeln!(out, "  SRTP parameters:");
    srtp_text(out, "    ", &op.srtp);
}

/// What `--psk` found in one PSK message.
pub struct OpenedMessage {
    /// Whether the MAC verified.
    pub mac_verified: bool,
    /// Public-key messages: whether SIGN verified with the message's CERT (`None` inside:
    /// no CERT to check it with); `None` for PSK messages.
    pub signature_verified: Option<Option<bool>>,
    /// The decrypted keys.
    pub keys: Vec<mikey::session::TransportKey>,
    /// The exported SRTP parameters.
    pub srtp: Vec<mikey::srtp::export::SrtpParams>,
}

/// What opening one message gives: its bundle, whether the MAC verified, and whether the
/// signature verified (`None` for PSK messages; `Some(None)` when no CERT could check it).
type Opening = (
    mikey::session::CryptoSessionBundle,
    bool,
    Option<Option<bool>>,
);

/// Opens every message of data type `want` with `open` (`None` for other messages). Update
/// messages without RAND use the RAND of an earlier message of the same CSB in the input.
/// `hint` is appended to an authentication failure.
fn open_each(
    decoded: &[Decoded<'_>],
    want: DataType,
    hint: &str,
    mut open: impl FnMut(&Decoded<'_>, Option<&[u8]>) -> Result<Opening, SessionError>,
) -> Result<Vec<Option<OpenedMessage>>, Failure> {
    let mut rands: std::collections::HashMap<u32, Vec<u8>> = std::collections::HashMap::new();
    let many = decoded.len() > 1;
    let mut out = Vec::new();
    for (i, d) in decoded.iter().enumerate() {
        let h = d.view.header();
        if h.data_type != want {
            out.push(None);
            continue;
        }
        let where_ = if many {
            format!("message {}: ", i + 1)
        } else {
            String::new()
        };
        let (bundle, mac_verified, signature_verified) =
            open(d, rands.get(&h.csb_id).map(|r| r.as_slice())).map_err(|e| {
                let hint = if matches!(e, SessionError::AuthFailure) {
                    hint
                } else {
                    ""
                };
                Failure::Input(format!("{where_}{e}{hint}"))
            })?;
        rands.entry(h.csb_id).or_insert_with(|| bundle.rand.clone());
        let srtp =
            export(&bundle).map_err(|e| Failure::Input(format!("{where_}SRTP export: {e}")))?;
        out.push(Some(OpenedMessage {
            mac_verified,
            signature_verified,
            keys: bundle.keys.clone(),
            srtp,
        }));
    }
    Ok(out)
}

/// Opens every PSK I_MESSAGE (`None` for other messages). A MAC that does not verify is an
/// error unless `verify` is false.
pub fn open_all(
    decoded: &[Decoded<'_>],
    psk: &[u8],
    verify: bool,
) -> Result<Vec<Option<OpenedMessage>>, Failure> {
    open_each(
        decoded,
        DataType::PskInit,
        " (MAC does not verify with this PSK; --no-verify shows the keys anyway)",
        |d, rand| {
            open_psk_message(&d.view, psk, rand, verify)
                .map(|op| (op.bundle, op.mac_verified, None))
        },
    )
}

/// Opens every public-key I_MESSAGE (RFC 3830 §3.2) with `key` (`None` for other
/// messages): signature checked with the message's CERT when it has one, envelope key
/// decrypted, MAC verified (an error unless `verify` is false), keys decrypted.
pub fn open_all_pk(
    decoded: &[Decoded<'_>],
    key: &dyn RsaPrivate,
    verify: bool,
) -> Result<Vec<Option<OpenedMessage>>, Failure> {
    open_each(
        decoded,
        DataType::PkInit,
        " (signature or MAC does not verify: not addressed to this key? --no-verify shows the keys anyway)",
        |d, rand| {
            open_pk_message(&d.view, key, default_provider(), rand, verify)
                .map(|op| (op.bundle, op.mac_verified, Some(op.signature_verified)))
        },
    )
}
