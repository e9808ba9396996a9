//! `mikey decode` and `mikey reencode`.

use crate::input::{self, Found};
use crate::render::{self, Decoded};
use crate::{print, Failure};
use mikey::wire::{Message, MessageView, ParseOptions};

/// Options of `decode` and `reencode`. New options (e.g. `--psk HEX`, `--private-key PEM`,
/// `--no-verify`) go here and into [`parse_args`].
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    /// `--json`: JSON output.
    pub json: bool,
    /// `--lenient`: accept known device quirks.
    pub lenient: bool,
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
    for a in args {
        match a.as_str() {
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
    if o.json {
        let doc = render::json(&decoded);
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
        }
        print(&out);
    }
    Ok(())
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
