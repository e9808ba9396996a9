//! `mikey decode` and `mikey reencode`.

use crate::input::{self, Found};
use crate::render::{self, Decoded};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use mikey::crypto::{default_provider, RsaPrivate};
use mikey::session::{open_pk_message, open_psk_message, SessionError};
use mikey::srtp::export::export;
use mikey::wire::{DataType, Message, MessageView, ParseOptions};
use std::fmt::Write as _;

/// Options of `decode` and `reencode`. New options (e.g. `--psk HEX`, `--private-key PEM`,
/// `--no-verify`) go here and into [`parse_args`].
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// `--json`: JSON output.
    pub json: bool,
    /// `--lenient`: accept known device quirks.
    pub lenient: bool,
    /// `--psk HEX`: open PSK messages with this key.
    pub psk: Option<Vec<u8>>,
    /// `--private-key PEM`: open public-key messages addressed to this RSA key.
    pub private_key: Option<String>,
    /// `--no-verify`: show keys even when the MAC does not verify.
    pub no_verify: bool,
    /// INPUT.
    pub input: String,
}

impl DecodeOptions {
    /// The parse options.
    pub fn parse_options(&self) -> ParseOptions {
        if self.lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        }
    }
}

/// Parses `[--json] [--lenient] [--] INPUT`; `allow_json` is false for `reencode`.
pub fn parse_args(args: &[String], allow_json: bool) -> Result<DecodeOptions, Failure> {
    let mut o = DecodeOptions::default();
    let mut input = None;
    let mut options_done = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--psk" if !options_done && allow_json => {
                let h = it
                    .next()
                    .ok_or_else(|| Failure::Usage("--psk needs a hex value".into()))?;
                o.psk = Some(
                    input::decode_hex(h)
                        .ok_or_else(|| Failure::Usage("--psk is not hex".into()))?,
                );
            }
            "--private-key" if !options_done && allow_json => {
                o.private_key = Some(
                    it.next()
                        .ok_or_else(|| Failure::Usage("--private-key needs a PEM file".into()))?
                        .clone(),
                );
            }
            "--no-verify" if !options_done && allow_json => o.no_verify = true,
            "--json" if !options_done && allow_json => o.json = true,
            "--lenient" if !options_done => o.lenient = true,
            "--" if !options_done => options_done = true,
            s if !options_done && s.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {s:?}")))
            }
            s => {
                if input.replace(s.to_owned()).is_some() {
                    return Err(Failure::Usage("more than one INPUT given".into()));
                }
            }
        }
    }
    o.input = input.ok_or_else(|| Failure::Usage("INPUT missing".into()))?;
    if o.no_verify && o.psk.is_none() && o.private_key.is_none() {
        return Err(Failure::Usage(
            "--no-verify needs --psk or --private-key".into(),
        ));
    }
    Ok(o)
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

/// `mikey decode [--json] [--lenient] INPUT`.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let o = parse_args(args, true)?;
    let found = input::load(&o.input).map_err(Failure::Input)?;
    let decoded = parse_all(&found, o.parse_options())?;
    let mut opened = match &o.psk {
        Some(psk) => open_all(&decoded, psk, !o.no_verify)?,
        None => Vec::new(),
    };
    if let Some(path) = &o.private_key {
        let pem =
            std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("{path}: {e}")))?;
        let key = default_provider()
            .rsa_private_from_pem(&pem)
            .map_err(|e| Failure::Input(format!("{path}: {e}")))?;
        let pk = open_all_pk(&decoded, key.as_ref(), !o.no_verify)?;
        opened.resize_with(pk.len(), || None);
        for (slot, p) in opened.iter_mut().zip(pk) {
            if p.is_some() {
                *slot = p;
            }
        }
    }
    if o.json {
        let mut doc = render::json(&decoded);
        if let Some(list) = doc.get_mut("messages").and_then(|m| m.as_array_mut()) {
            for (m, op) in list.iter_mut().zip(&opened) {
                if let (Some(obj), Some(op)) = (m.as_object_mut(), op) {
                    if let Some(sig) = op.signature_verified {
                        obj.insert("signature_verified".into(), sig.into());
                        obj.insert(
                            "signature".into(),
                            match sig {
                                Some(true) => "verified",
                                Some(false) => "does not verify",
                                None => "unverifiable (no CERT in the message)",
                            }
                            .into(),
                        );
                    }
                    obj.insert("mac_verified".into(), op.mac_verified.into());
                    obj.insert("srtp".into(), srtp_list(&op.srtp));
                }
            }
        }
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Input(format!("JSON output: {e}")))?;
        print(&(text + "\n"));
    } else {
        let mut out = String::new();
        for (i, d) in decoded.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            render::text(&mut out, i + 1, decoded.len(), d);
            if let Some(Some(op)) = opened.get(i) {
                if let Some(sig) = op.signature_verified {
                    let _ = writeln!(
                        out,
                        "  Signature (key of the message's CERT): {}",
                        match sig {
                            Some(true) => "verified",
                            Some(false) => "DOES NOT VERIFY",
                            None => "unverifiable (no CERT in the message)",
                        }
                    );
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
                    let _ = writeln!(
                        out,
                        "    {}: key {}{}{}",
                        k.key_type,
                        hex(k.key.as_bytes()),
                        k.salt
                            .as_ref()
                            .map(|s| format!(", salt {}", hex(s.as_bytes())))
                            .unwrap_or_default(),
                        k.mki()
                            .map(|m| format!(", SPI/MKI {}", hex(m)))
                            .unwrap_or_default()
                    );
                }
                let _ = writeln!(out, "  SRTP parameters:");
                srtp_text(&mut out, "    ", &op.srtp);
            }
        }
        print(&out);
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
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

/// `mikey reencode [--lenient] INPUT`: parse, encode, print lowercase hex per message.
pub fn run_reencode(args: &[String]) -> Result<(), Failure> {
    let o = parse_args(args, false)?;
    let found = input::load(&o.input).map_err(Failure::Input)?;
    let decoded = parse_all(&found, o.parse_options())?;
    let mut out = String::new();
    for d in &decoded {
        let msg: Message<'_> = d.view.to_message();
        for b in msg.encode() {
            out.push_str(&format!("{b:02x}"));
        }
        out.push('\n');
    }
    print(&out);
    Ok(())
}
