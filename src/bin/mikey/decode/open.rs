//! Opening the messages of `mikey decode`: MIKEY-NULL messages with no key, PSK
//! I_MESSAGEs with `--psk`, public-key I_MESSAGEs with `--private-key` (MAC and signature
//! checked, keys decrypted, SRTP parameters exported).

use super::{which, Args, Entry};
use crate::Failure;
use mikey::crypto::{default_provider, RsaPrivate};
use mikey::session::{
    open_pk_message, open_psk_message, verify_psk_response, CryptoSessionBundle, SessionError,
};
use mikey::srtp::export::{export, SrtpParams};
use mikey::wire::{DataType, EncrAlg, MacAlg, MessageView};
use std::collections::HashMap;

/// How a message was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// MIKEY-NULL: KEMAC with NULL encryption and NULL MAC, read with no key.
    Null,
    /// With `--psk`.
    Psk,
    /// With `--private-key`.
    Pk,
}

/// What opening one message found.
pub struct OpenedMessage {
    /// How it was opened.
    pub how: How,
    /// Whether the MAC verified.
    pub mac_verified: bool,
    /// Public-key messages: whether SIGN verified with the message's CERT (`None` inside:
    /// no CERT to check it with); `None` for PSK messages.
    pub signature_verified: Option<Option<bool>>,
    /// The decrypted keys.
    pub keys: Vec<mikey::session::TransportKey>,
    /// The exported SRTP parameters.
    pub srtp: Vec<SrtpParams>,
}

/// The outcome for one message.
pub enum Opening {
    /// Opened.
    Opened(OpenedMessage),
    /// A PSK verification message whose V verified with `--psk` against the I_MESSAGE
    /// of this entry (1-based) of the input.
    Verified {
        /// The entry it answers.
        answers: usize,
    },
    /// Not opened: why, and whether a key given on the command line failed (an error,
    /// exit 1) or a MIKEY-NULL message could not be read (a note).
    NotOpened {
        /// Why (one line).
        why: String,
        /// A key given on the command line did not open it.
        key_given: bool,
    },
}

impl Opening {
    /// The error to exit with, when a key given on the command line did not open it.
    pub fn refusal(&self) -> Option<String> {
        match self {
            Opening::NotOpened {
                why,
                key_given: true,
            } => Some(why.clone()),
            _ => None,
        }
    }
}

/// Whether a message is MIKEY-NULL: a PSK I_MESSAGE whose KEMAC has NULL encryption and
/// a NULL MAC (its keys are in the clear).
pub fn is_mikey_null(view: &MessageView<'_>) -> bool {
    view.header().data_type == DataType::PskInit
        && view
            .kemac()
            .is_some_and(|(_, k)| k.encr_alg == EncrAlg::Null && k.mac_alg == MacAlg::Null)
}

/// Opening one message: its bundle, whether the MAC verified, and whether the signature
/// verified (`None` for PSK messages; `Some(None)` when no CERT could check it).
type Opened = (CryptoSessionBundle, bool, Option<Option<bool>>);

/// The key given on the command line, loaded.
enum Key {
    None,
    Psk(Vec<u8>),
    Pk(Box<dyn RsaPrivate>),
}

fn load_key(a: &Args) -> Result<Key, Failure> {
    if let Some(psk) = &a.psk {
        return Ok(Key::Psk(psk.as_bytes().to_vec()));
    }
    let Some(path) = &a.private_key else {
        return Ok(Key::None);
    };
    let what = path.display();
    let pem = std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("{what}: {e}")))?;
    default_provider()
        .rsa_private_from_pem(&pem)
        .map(Key::Pk)
        .map_err(|e| Failure::Input(format!("{what}: {e}")))
}

/// Opens what can be opened: one outcome per entry (`None`: not applicable). A key given
/// for an input without a message it opens is a usage error.
pub fn open(a: &Args, entries: &[Entry<'_>]) -> Result<Vec<Option<Opening>>, Failure> {
    let key = load_key(a)?;
    let want = match key {
        Key::Pk(_) => Some((DataType::PkInit, "--private-key")),
        Key::Psk(_) => Some((DataType::PskInit, "--psk")),
        Key::None => None,
    };
    let n = entries.len();
    let mut rands: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut out = Vec::with_capacity(n);
    let mut applied = false;
    let mut inits: HashMap<u32, (usize, &MessageView<'_>)> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Entry::Message { source, d } = e else {
            out.push(None);
            continue;
        };
        let (view, h) = (&d.view, d.view.header());
        let prefix = which(i, n, source);
        let rand = rands.get(&h.csb_id).map(Vec::as_slice);
        if h.data_type == DataType::PskInit {
            inits.insert(h.csb_id, (i, view));
        }
        if let (Key::Psk(psk), DataType::PskResp) = (&key, h.data_type) {
            let init = inits.get(&h.csb_id).copied();
            out.push(init.map(|(k, init)| check_v(&prefix, (k, init), view, psk, rand)));
            continue;
        }
        let key_applies = want.is_some_and(|(t, _)| t == h.data_type);
        applied |= key_applies;
        let how = match &key {
            Key::Psk(_) if key_applies => How::Psk,
            Key::Pk(_) if key_applies => How::Pk,
            _ if is_mikey_null(view) => How::Null,
            _ => {
                out.push(None);
                continue;
            }
        };
        let opened = open_one(&key, how, view, rand, !a.no_verify)
            .map_err(|e| why_not(&prefix, &e, how))
            .and_then(|(bundle, mac, sig)| {
                rands.entry(h.csb_id).or_insert_with(|| bundle.rand.clone());
                let srtp = export(&bundle).map_err(|e| format!("{prefix}SRTP export: {e}"))?;
                Ok(OpenedMessage {
                    how,
                    mac_verified: mac,
                    signature_verified: sig,
                    keys: bundle.keys.clone(),
                    srtp,
                })
            });
        out.push(Some(match opened {
            Ok(m) => Opening::Opened(m),
            Err(why) => Opening::NotOpened {
                why,
                key_given: how != How::Null,
            },
        }));
    }
    match want {
        Some((t, option)) if !applied => Err(Failure::Usage(format!(
            "{option} opens {t} messages only; the input holds {}",
            data_types(entries)
        ))),
        _ => Ok(out),
    }
}

/// Opens one message `how` says, with `key`.
fn open_one(
    key: &Key,
    how: How,
    view: &MessageView<'_>,
    rand: Option<&[u8]>,
    verify: bool,
) -> Result<Opened, SessionError> {
    match (key, how) {
        (Key::Pk(k), How::Pk) => {
            open_pk_message(view, k.as_ref(), default_provider(), rand, verify)
                .map(|op| (op.bundle, op.mac_verified, Some(op.signature_verified)))
        }
        (Key::Psk(p), How::Psk) => {
            open_psk_message(view, p, rand, verify).map(|op| (op.bundle, op.mac_verified, None))
        }
        _ => open_psk_message(view, &[], rand, true).map(|op| (op.bundle, op.mac_verified, None)),
    }
}

/// Checks the V of a verification message against the I_MESSAGE of entry `k` (0-based).
fn check_v(
    prefix: &str,
    (k, init): (usize, &MessageView<'_>),
    view: &MessageView<'_>,
    psk: &[u8],
    rand: Option<&[u8]>,
) -> Opening {
    match verify_psk_response(init, view, psk, rand) {
        Ok(()) => Opening::Verified { answers: k + 1 },
        Err(e) => Opening::NotOpened {
            why: format!(
                "{prefix}{e} (V does not verify with this key against message {})",
                k + 1
            ),
            key_given: true,
        },
    }
}

/// The data types of the decoded entries, for a usage error.
fn data_types(entries: &[Entry<'_>]) -> String {
    let types: Vec<String> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Message { d, .. } => Some(d.view.header().data_type.to_string()),
            Entry::Failed { .. } => None,
        })
        .collect();
    types.join(", ")
}

/// Why opening failed, one line; an authentication failure says so in plain words.
fn why_not(prefix: &str, e: &SessionError, how: How) -> String {
    let hint = match (e, how) {
        (SessionError::AuthFailure, How::Psk) => {
            " (MAC does not verify with this key; --no-verify shows the keys anyway)"
        }
        (SessionError::AuthFailure, How::Pk) => {
            " (signature or MAC does not verify with this key: not addressed to it? \
             --no-verify shows the keys anyway)"
        }
        _ => "",
    };
    format!("{prefix}{e}{hint}")
}
/// Opens every PSK I_MESSAGE of `decoded` with `psk` (`None` for other messages), for the
/// commands that take decoded messages (`mikey srtp`). A MAC that does not verify is an
/// error unless `verify` is false.
pub fn open_all(
    decoded: &[(&str, MessageView<'_>)],
    psk: Option<&[u8]>,
    verify: bool,
) -> Result<Vec<Option<OpenedMessage>>, Failure> {
    let n = decoded.len();
    let mut rands: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut out = Vec::with_capacity(n);
    for (i, (source, view)) in decoded.iter().enumerate() {
        let h = view.header();
        let how = match psk {
            _ if h.data_type != DataType::PskInit => None,
            Some(_) => Some(How::Psk),
            None if is_mikey_null(view) => Some(How::Null),
            None => None,
        };
        let Some(how) = how else {
            out.push(None);
            continue;
        };
        let rand = rands.get(&h.csb_id).map(Vec::as_slice);
        let op = open_psk_message(view, psk.unwrap_or(&[]), rand, verify)
            .map_err(|e| Failure::Input(why_not(&which(i, n, source), &e, how)))?;
        rands
            .entry(h.csb_id)
            .or_insert_with(|| op.bundle.rand.clone());
        let srtp = export(&op.bundle)
            .map_err(|e| Failure::Input(format!("{}SRTP export: {e}", which(i, n, source))))?;
        out.push(Some(OpenedMessage {
            how,
            mac_verified: op.mac_verified,
            signature_verified: None,
            keys: op.bundle.keys.clone(),
            srtp,
        }));
    }
    Ok(out)
}
