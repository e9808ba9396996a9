//! `mikey demo`: runs both ends of a key exchange in one process and shows what each side
//! ends up with. One module per mode; [`report`] prints the two-party exchanges.

mod dh;
mod group;
mod pk;
mod psk;
mod report;
#[cfg(feature = "sakke")]
mod sakke;

use crate::args::Psk;
use crate::Failure;
use clap::ValueEnum;
use mikey::wire::DhGroup;
use std::path::PathBuf;

const AFTER_LONG_HELP: &str = "\
Options that do not apply to the chosen --mode are an error.

Examples:
    mikey demo
    mikey demo --mode dhhmac --psk 00112233 --group 2 --json
    mikey demo --mode pk --keys testvectors/keys
    mikey demo --mode group --members 8
    mikey demo --mode sakke --members 4 --json";

/// Options of `mikey demo`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_LONG_HELP)]
pub struct Args {
    /// The key exchange to run.
    #[arg(long, value_enum, default_value_t = Mode::Psk)]
    pub mode: Mode,
    /// psk, dhhmac: the pre-shared key (random when not given).
    #[arg(long, value_name = "HEX", value_parser = crate::args::psk)]
    pub psk: Option<Psk>,
    /// dh, dhhmac: the Diffie-Hellman group (RFC 3830 §6.4) [default: 0].
    #[arg(long, value_enum, value_name = "N")]
    pub group: Option<GroupArg>,
    /// dh: the initiator's RSA private key (PEM; generated when not given).
    #[arg(long, value_name = "PEM")]
    pub initiator_key: Option<PathBuf>,
    /// dh: the responder's RSA private key (PEM; generated when not given).
    #[arg(long, value_name = "PEM")]
    pub responder_key: Option<PathBuf>,
    /// group, sakke: the number of receivers, 2 to 1000 [default: 5; sakke: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2..=1000))]
    pub members: Option<u16>,
    /// pk, rsa-r: the crypto provider [default: rustcrypto].
    #[arg(long, value_enum, value_name = "NAME")]
    pub provider: Option<Provider>,
    /// pk, rsa-r: RSA keys rsa2048-a.pem (initiator) and rsa2048-b.pem (responder) from DIR,
    /// as in testvectors/keys; generated when not given; an empty DIR gets the generated keys.
    #[arg(long, value_name = "DIR")]
    pub keys: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The key exchange `--mode` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Pre-shared key (RFC 3830 §3.1).
    Psk,
    /// Public-key envelope (RFC 3830 §3.2).
    Pk,
    /// MIKEY-RSA-R: the responder supplies the key (RFC 4738).
    RsaR,
    /// Diffie-Hellman with RSA signatures (RFC 3830 §3.3).
    Dh,
    /// HMAC-authenticated Diffie-Hellman (RFC 4650).
    Dhhmac,
    /// One source keying many receivers, PSK and public-key (RFC 3830 §8.1).
    Group,
    /// MIKEY-SAKKE (RFC 6509, TS 33.180): a group management server keys members of two
    /// KMSs with a GMK, one joins, one leaves (needs the `sakke` feature).
    Sakke,
}

impl Mode {
    /// The name `--mode` takes.
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// `--group N`: the OAKLEY groups of RFC 3830 §6.4.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GroupArg {
    /// OAKLEY 5 (1536-bit MODP).
    #[value(name = "0", alias = "oakley5")]
    Oakley5,
    /// OAKLEY 1 (768-bit MODP).
    #[value(name = "1", alias = "oakley1")]
    Oakley1,
    /// OAKLEY 2 (1024-bit MODP).
    #[value(name = "2", alias = "oakley2")]
    Oakley2,
}

impl From<GroupArg> for DhGroup {
    fn from(g: GroupArg) -> DhGroup {
        match g {
            GroupArg::Oakley5 => DhGroup::Oakley5,
            GroupArg::Oakley1 => DhGroup::Oakley1,
            GroupArg::Oakley2 => DhGroup::Oakley2,
        }
    }
}

/// `--provider NAME`: the `CryptoProvider` of the public-key modes.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Provider {
    /// RustCrypto (`rsa`, `crypto-bigint`), always built in.
    Rustcrypto,
    /// AWS-LC (needs the `aws-lc` feature).
    AwsLc,
}

impl Args {
    /// Every option given must apply to the mode.
    fn check(&self) -> Result<(), Failure> {
        use Mode::*;
        let options: [(&str, bool, &[Mode]); 7] = [
            ("--psk", self.psk.is_some(), &[Psk, Dhhmac]),
            ("--group", self.group.is_some(), &[Dh, Dhhmac]),
            ("--initiator-key", self.initiator_key.is_some(), &[Dh]),
            ("--responder-key", self.responder_key.is_some(), &[Dh]),
            ("--members", self.members.is_some(), &[Group, Sakke]),
            ("--provider", self.provider.is_some(), &[Pk, RsaR]),
            ("--keys", self.keys.is_some(), &[Pk, RsaR]),
        ];
        for (name, given, modes) in options {
            if given && !modes.contains(&self.mode) {
                let modes: Vec<String> = modes.iter().map(|m| m.name()).collect();
                return Err(Failure::Usage(format!(
                    "{name} does not apply to --mode {} (only to --mode {})",
                    self.mode.name(),
                    modes.join(" and --mode ")
                )));
            }
        }
        Ok(())
    }
}

/// `mikey demo`.
pub fn run(args: Args) -> Result<(), Failure> {
    args.check()?;
    match args.mode {
        Mode::Psk => psk::run(args.psk, args.json),
        Mode::Pk | Mode::RsaR => pk::run(args.mode, args.provider, args.keys, args.json),
        Mode::Dh | Mode::Dhhmac => dh::run(&args),
        Mode::Group => group::run(args.members.map_or(5, usize::from), args.json),
        #[cfg(feature = "sakke")]
        Mode::Sakke => sakke::run(args.members.map_or(3, usize::from), args.json),
        #[cfg(not(feature = "sakke"))]
        Mode::Sakke => Err(Failure::Usage(
            "--mode sakke needs a mikey built with the `sakke` feature".into(),
        )),
    }
}
