//! `mikey reencode`: parse and re-encode every MIKEY message found in INPUT; the output is
//! the lowercase hex of each encoding, one message per line (byte-identical to the input
//! for every message the strict parser accepts).

use crate::decode::{parse_all, parse_options};
use crate::out::hex;
use crate::{input, print, Failure};

/// Options of `mikey reencode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accept known device quirks and re-encode what the message means (e.g. without the
    /// trailing 0x00).
    #[arg(long)]
    pub lenient: bool,
    /// The message(s): hex, base64, a file, or - for stdin (see `mikey decode --help`).
    pub input: String,
}

/// `mikey reencode [--lenient] INPUT`.
pub fn run(a: Args) -> Result<(), Failure> {
    let found = input::load(&a.input).map_err(Failure::Input)?;
    let decoded = parse_all(&found, parse_options(a.lenient))?;
    let mut out = String::new();
    for d in &decoded {
        out.push_str(&hex(&d.view.to_message().encode()?));
        out.push('\n');
    }
    print(&out);
    Ok(())
}
