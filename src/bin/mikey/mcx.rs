//! MIKEY-SAKKE (RFC 6509, 3GPP TS 33.180) commands (feature `sakke`): `mikey kms init`,
//! `mikey kms provision` (a KMS in a directory: its certificate and secrets), and
//! `mikey mcx make` (I_MESSAGEs carrying a GMK, PCK or CSK from one user to others). The
//! documents are the KMS XML of TS 33.180 Annex D.

use crate::out::{base64, hex, print_json};
use crate::{print, Failure};
use clap::ValueEnum;
use mikey::crypto::OsEntropy;
use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
use mikey::mcx::kms::{KmsCertificate, KmsKeySet, KmsMessage, KmsResponse};
use mikey::mcx::kms_server::Kms;
use mikey::mcx::user_keys::{KmsTrust, UserKeys};
use mikey::mcx::{KeyId, KeyParameters, KeyPeriod, PlaintextForm, PurposeTag};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The certificate file of a KMS directory.
pub const CERT_FILE: &str = "certificate.xml";
/// The secrets file of a KMS directory (KSAK and z, hex).
pub const SECRET_FILE: &str = "secret.txt";

/// `mikey kms ...`.
#[derive(Debug, clap::Subcommand)]
pub enum KmsCommand {
    /// Create a KMS in DIR: ECCSI KSAK/KPAK and SAKKE z/Z; writes DIR/certificate.xml (a
    /// KmsResponse with the KMS certificate, TS 33.180 D.3.2) and DIR/secret.txt.
    Init(InitArgs),
    /// Provision a user of the KMS in DIR for a key period: SSK, PVT and RSK for the UID of
    /// TS 33.180 F.2.1, printed as a KmsResponse with the key set (D.3.3).
    Provision(ProvisionArgs),
}

/// Options of `mikey kms init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The KMS URI.
    #[arg(long)]
    pub uri: String,
    /// The directory to write (created if missing; existing files are not overwritten).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The key period in seconds (UserKeyPeriod).
    #[arg(long, default_value_t = 2_592_000)]
    pub period: u64,
    /// The key period offset in seconds from the NTP epoch (UserKeyOffset).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
}

/// Options of `mikey kms provision`.
#[derive(Debug, clap::Args)]
pub struct ProvisionArgs {
    /// The KMS directory (from `mikey kms init`).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The user's URI.
    #[arg(long)]
    pub user: String,
    /// The time whose key period to provision, seconds since the Unix epoch [default: now].
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// Write the document to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

fn now() -> Duration {
    mikey::session::system_time()
}

fn at(unix: Option<u64>) -> Duration {
    unix.map_or_else(now, Duration::from_secs)
}

/// The KmsResponse of `path`.
fn response(path: &Path) -> Result<KmsResponse, Failure> {
    KmsResponse::from_xml(&read(path)?)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

/// The KMS certificate of a KmsResponse file (KmsInit).
pub fn certificate(path: &Path) -> Result<KmsCertificate, Failure> {
    match response(path)?.message {
        Some(KmsMessage::Init(i)) => Ok(i.certificate),
        _ => Err(Failure::Input(format!(
            "{}: not a KmsResponse with a KmsInit (KMS certificate)",
            path.display()
        ))),
    }
}

/// The first key set of a KmsResponse file (KmsKeyProv).
pub fn key_set(path: &Path) -> Result<KmsKeySet, Failure> {
    match response(path)?.message {
        Some(KmsMessage::KeyProv(mut p)) if !p.key_sets.is_empty() => Ok(p.key_sets.remove(0)),
        _ => Err(Failure::Input(format!(
            "{}: not a KmsResponse with a KmsKeyProv key set",
            path.display()
        ))),
    }
}

/// The trusted set of the certificate files `paths`.
pub fn trust(paths: &[PathBuf]) -> Result<KmsTrust, Failure> {
    let mut t = KmsTrust::new();
    for p in paths {
        t.add(certificate(p)?)
            .map_err(|e| Failure::Input(format!("{}: {e}", p.display())))?;
    }
    Ok(t)
}

/// A user's key material (a key set file) validated under its KMS in `trust`.
pub fn user_keys(path: &Path, trust: &KmsTrust) -> Result<UserKeys, Failure> {
    let set = key_set(path)?;
    let kms = trust.get(&set.kms_uri).map_err(|e| {
        Failure::Input(format!(
            "{}: {e} (add its certificate with --trust)",
            path.display()
        ))
    })?;
    UserKeys::load_trusted(kms.clone(), &set)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

fn load_kms(dir: &Path) -> Result<Kms, Failure> {
    let cert = certificate(&dir.join(CERT_FILE))?;
    let secrets = read(&dir.join(SECRET_FILE))?;
    let field = |name: &str| {
        secrets
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(crate::input::decode_hex)
            .ok_or_else(|| Failure::Input(format!("{SECRET_FILE}: no {name} line")))
    };
    Kms::from_certificate(&cert, &field("ksak")?, &field("z")?)
        .map_err(|e| Failure::Input(format!("{}: {e}", dir.display())))
}

/// `mikey kms init` and `mikey kms provision`.
pub fn run_kms(c: KmsCommand) -> Result<(), Failure> {
    match c {
        KmsCommand::Init(a) => {
            let period = KeyPeriod {
                length: a.period,
                offset: a.offset,
            };
            let kms = Kms::generate(&a.uri, period, &mut OsEntropy)
                .map_err(|e| Failure::Input(e.to_string()))?;
            std::fs::create_dir_all(&a.dir)
                .map_err(|e| Failure::Input(format!("{}: {e}", a.dir.display())))?;
            let xml = kms
                .init_response(&a.uri, now())
                .to_xml()
                .map_err(|e| Failure::Input(e.to_string()))?;
            let secret = format!(
                "ksak {}\nz {}\n",
                hex(kms.ksak_bytes().as_bytes()),
                hex(kms.master_secret_bytes().as_bytes())
            );
            write_new(&a.dir.join(SECRET_FILE), &secret)?;
            write_new(&a.dir.join(CERT_FILE), &xml)?;
            print(&format!(
                "KMS {} in {}: {CERT_FILE} (public), {SECRET_FILE} (secret)\n",
                a.uri,
                a.dir.display()
            ));
            Ok(())
        }
        KmsCommand::Provision(a) => {
            let kms = load_kms(&a.dir)?;
            let t = at(a.at);
            let no = kms
                .key_period()
                .number_at(t)
                .map_err(|e| Failure::Input(e.to_string()))?;
            let set = kms
                .provision(&a.user, no, &mut OsEntropy)
                .map_err(|e| Failure::Input(e.to_string()))?;
            let xml = kms
                .key_prov_response(&a.user, t, vec![set])
                .to_xml()
                .map_err(|e| Failure::Input(e.to_string()))?;
            match a.out {
                Some(p) => write_new(&p, &xml),
                None => {
                    print(&xml);
                    Ok(())
                }
            }
        }
    }
}

/// `mikey mcx ...`.
#[derive(Debug, clap::Subcommand)]
pub enum McxCommand {
    /// Make I_MESSAGEs (TS 33.180 E.2 to E.4) carrying one GMK, PCK or CSK from the user
    /// of --keys to each --to user: SAKKE to the receiver's UID, signed with ECCSI. Prints
    /// one base64 message per line (or JSON).
    Make(MakeArgs),
}

/// The key `--type` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyType {
    /// Group master key (E.2).
    Gmk,
    /// Private call key (E.3).
    Pck,
    /// Client-server key (E.4).
    Csk,
}

/// Options of `mikey mcx make`.
#[derive(Debug, clap::Args)]
pub struct MakeArgs {
    /// The sender's key set (a KmsResponse with KmsKeyProv, from `mikey kms provision`).
    #[arg(long, value_name = "FILE")]
    pub keys: PathBuf,
    /// A trusted KMS certificate (KmsResponse with KmsInit); repeat for several KMSs. The
    /// sender's and every receiver's KMS must be among them.
    #[arg(long, value_name = "FILE", required = true)]
    pub trust: Vec<PathBuf>,
    /// A receiver: its URI, or URI=KMS-URI when its KMS is not the sender's; repeatable.
    #[arg(long, value_name = "URI[=KMS]", required = true)]
    pub to: Vec<String>,
    /// The key type.
    #[arg(long = "type", value_enum, default_value_t = KeyType::Pck)]
    pub key_type: KeyType,
    /// The key, 16 octets of hex [default: random].
    #[arg(long, value_name = "HEX")]
    pub key: Option<String>,
    /// The key id (GMK-ID, PCK-ID, CSK-ID), 8 hex digits with the type's purpose tag
    /// [default: random].
    #[arg(long, value_name = "HEX")]
    pub key_id: Option<String>,
    /// The message time, seconds since the Unix epoch [default: now].
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// Print one JSON document instead of base64 lines.
    #[arg(long)]
    pub json: bool,
}

fn distributed_key(a: &MakeArgs) -> Result<DistributedKey, Failure> {
    let purpose = match a.key_type {
        KeyType::Gmk => PurposeTag::Gmk,
        KeyType::Pck => PurposeTag::Pck,
        KeyType::Csk => PurposeTag::Csk,
    };
    let bad = |m: String| Failure::Usage(m);
    let fresh =
        DistributedKey::generate(purpose, &mut OsEntropy).map_err(|e| bad(e.to_string()))?;
    let key: [u8; 16] = match &a.key {
        Some(h) => crate::input::decode_hex(h)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| bad("--key takes 16 octets of hex".into()))?,
        None => fresh.key().as_bytes().try_into().unwrap_or([0; 16]),
    };
    let id = match &a.key_id {
        Some(h) => KeyId::new(
            u32::from_str_radix(h, 16).map_err(|_| bad("--key-id takes 8 hex digits".into()))?,
        ),
        None => fresh.key_id(),
    };
    DistributedKey::new(purpose, key, id).map_err(|e| bad(format!("--key-id: {e}")))
}

/// `mikey mcx make`.
pub fn run_mcx(c: McxCommand) -> Result<(), Failure> {
    let McxCommand::Make(a) = c;
    let trust = trust(&a.trust)?;
    let me = user_keys(&a.keys, &trust)?;
    let key = distributed_key(&a)?;
    let t = at(a.at);
    let mut out = vec![];
    for to in &a.to {
        let (uri, kms_uri) = to.split_once('=').unwrap_or((to, me.kms().uri()));
        let kms = trust
            .get(kms_uri)
            .map_err(|e| Failure::Input(format!("--to {to}: {e}")))?;
        let period_no = kms
            .key_period()
            .number_at(t)
            .map_err(|e| Failure::Input(e.to_string()))?;
        let r = Recipient {
            uri: uri.to_string(),
            kms,
            period_no,
        };
        let mut rand = [0u8; 16];
        mikey::crypto::Entropy::fill(&mut OsEntropy, &mut rand);
        let mut opts = MakeOptions::new(t, rand);
        opts.key_params = Some((
            KeyParameters::new(key.purpose(), 1, 0, 0),
            PlaintextForm::STANDARD,
        ));
        let bytes = make(&me, &r, &key, &opts, &mut OsEntropy)
            .map_err(|e| Failure::Input(format!("--to {to}: {e}")))?;
        let csb = key.csb_id(uri).map_err(|e| Failure::Input(e.to_string()))?;
        out.push((uri.to_string(), csb, bytes));
    }
    if a.json {
        let msgs: Vec<_> = out
            .iter()
            .map(|(to, csb, b)| {
                json!({"to": to, "csb_id": format!("{:08x}", csb.value()), "base64": base64(b)})
            })
            .collect();
        return print_json(&json!({
            "from": me.user_uri(),
            "key_type": format!("{:?}", key.purpose()),
            "key": hex(key.key().as_bytes()),
            "key_id": format!("{:08x}", key.key_id().value()),
            "messages": msgs,
        }));
    }
    let lines: String = out.iter().map(|(_, _, b)| base64(b) + "\n").collect();
    print(&lines);
    Ok(())
}
