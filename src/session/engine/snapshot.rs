//! One snapshot type for persisting any responder ([`ResponderSnapshot`]): its bundles
//! with their owners, its replay cache and its COUNTER table, so that a restarted process
//! neither forgets its keys nor accepts a message it already took (RFC 3830 §5.4).

use super::table::Entry;
use super::{Mode, Responder};
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::SecretBytes;
use crate::session::group::snapshot::{hex, unhex};
use crate::session::SessionError;
use crate::wire::{
    DataType, EncrAlg, Header, Kemac, KeyDataList, MacAlg, Message, ParseOptions, Payload, Rand,
    SecurityPolicy,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

/// The snapshot format of [`ResponderSnapshot`].
pub const RESPONDER_SNAPSHOT_FORMAT: u32 = 1;

/// What binds a bundle to its peer, as bytes, for [`ResponderSnapshot`].
pub trait BindingBytes: Sized {
    /// The binding's bytes.
    fn binding_bytes(&self) -> Vec<u8>;
    /// The binding from its bytes (`None`: not a binding of this mode).
    fn from_binding_bytes(b: &[u8]) -> Option<Self>;
}

impl BindingBytes for SecretBytes {
    fn binding_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
    fn from_binding_bytes(b: &[u8]) -> Option<Self> {
        Some(SecretBytes::from_slice(b))
    }
}

impl BindingBytes for Vec<u8> {
    fn binding_bytes(&self) -> Vec<u8> {
        self.clone()
    }
    fn from_binding_bytes(b: &[u8]) -> Option<Self> {
        Some(b.to_vec())
    }
}

/// A responder's state as plain data (serde), from [`Responder::snapshot`], for
/// [`Responder::restore`]. Byte strings are hex.
///
/// **Contains secrets** (the bundles' keys, pre-shared keys binding bundles to peers, cached
/// envelope keys): `Debug` shows counts only; serialized forms show them in full.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponderSnapshot {
    /// [`RESPONDER_SNAPSHOT_FORMAT`].
    pub format: u32,
    /// The mode ([`Mode::NAME`]); a snapshot restores only into a responder of its mode.
    pub mode: String,
    /// The crypto session bundles.
    pub bundles: Vec<BundleSnapshot>,
    /// The replay cache's live entries.
    pub replay: Vec<ReplaySnapshot>,
    /// The latest expiry the replay cache ever forgot (nanoseconds since the Unix epoch).
    pub replay_floor: u64,
    /// The last COUNTER (or non-clock) timestamp of each identity: (peer name, value).
    pub counters: Vec<(String, u64)>,
}

impl core::fmt::Debug for ResponderSnapshot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponderSnapshot")
            .field("format", &self.format)
            .field("mode", &self.mode)
            .field("bundles", &self.bundles.len())
            .field("replay", &self.replay.len())
            .field("counters", &self.counters.len())
            .finish()
    }
}

/// One bundle of a [`ResponderSnapshot`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleSnapshot {
    /// The bundle, as a MIKEY message of its own (hex): HDR (CSB ID, PRF, CS ID map), RAND,
    /// SP payloads, and a KEMAC with NULL encryption and MAC carrying its keys.
    pub bundle: String,
    /// The key lengths of the GStreamer quirk (`CryptoSessionBundle::gstreamer_auth_key_len`).
    pub gstreamer_auth_key_len: bool,
    /// The peer that created it (its table name, hex).
    pub peer: String,
    /// What binds it to that peer (hex; absent for a group's shared bundle).
    pub binding: Option<String>,
    /// The key its PSK updates are checked with (hex).
    pub update_key: Option<String>,
    /// When a message last used it (nanoseconds since the Unix epoch).
    pub last_used: u64,
}

/// One replay cache entry of a [`ResponderSnapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaySnapshot {
    /// The message's digest (hex).
    pub digest: String,
    /// Its peer's table name (hex).
    pub peer: String,
    /// Remembered up to this clock value (nanoseconds since the Unix epoch).
    pub until: u64,
}

fn bad(what: &str) -> SessionError {
    SessionError::Unspecified(format!("responder snapshot: {what}"))
}

/// A bundle as a MIKEY message (see [`BundleSnapshot::bundle`]).
fn bundle_bytes(b: &CryptoSessionBundle) -> Result<Vec<u8>, SessionError> {
    let mut h = Header::new(DataType::PskInit, b.csb_id);
    h.prf = b.prf;
    h.cs_map = b.cs_map.clone();
    let mut m = Message::new(h);
    m.payloads.push(Payload::Rand(Rand {
        rand: Cow::Borrowed(&b.rand),
    }));
    m.payloads
        .extend(b.policies.iter().map(|p| Payload::Sp(p.clone())));
    let mut plain = Vec::new();
    KeyDataList {
        id: None,
        keys: b.keys.iter().map(TransportKey::to_key_data).collect(),
    }
    .encode(&mut plain)
    .map_err(SessionError::Encode)?;
    m.payloads.push(Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: Cow::Owned(plain),
        mac_alg: MacAlg::Null,
        mac: Cow::Borrowed(&[]),
    }));
    m.encode().map_err(SessionError::Encode)
}

fn bundle_from(bytes: &[u8], gstreamer: bool) -> Result<CryptoSessionBundle, SessionError> {
    let (m, _) = Message::parse_with(bytes, ParseOptions::STRICT).map_err(SessionError::Parse)?;
    let mut b = CryptoSessionBundle {
        csb_id: m.header.csb_id,
        prf: m.header.prf,
        rand: Vec::new(),
        cs_map: m.header.cs_map.clone().into_owned(),
        policies: Vec::new(),
        keys: Vec::new(),
        gstreamer_auth_key_len: gstreamer,
    };
    for p in &m.payloads {
        match p {
            Payload::Rand(r) => b.rand = r.rand.to_vec(),
            Payload::Sp(sp) => b.policies.push(SecurityPolicy::clone(sp).into_owned()),
            Payload::Kemac(k) => {
                let list = k
                    .plaintext_keys(false)
                    .ok_or_else(|| bad("encrypted keys"))?;
                let list = list.map_err(SessionError::Parse)?;
                b.keys = list.keys.iter().map(TransportKey::from_key_data).collect();
            }
            _ => return Err(bad("unexpected payload in a bundle")),
        }
    }
    Ok(b)
}

fn hex_field(s: &str, what: &str) -> Result<Vec<u8>, SessionError> {
    unhex(s).ok_or_else(|| bad(what))
}

impl<M: Mode> Responder<M> {
    /// The responder's state (bundles, replay cache, COUNTER table) as plain data, for
    /// persisting it ([`restore`](Self::restore)); `Encode` if a bundle no longer fits a
    /// MIKEY message. Settings, keys and trust are not in it:
    /// the restoring process constructs the responder with them again.
    ///
    /// ```
    /// use mikey::crypto::SecretBytes;
    /// use mikey::session::{OsEntropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
    /// use mikey::wire::SrtpCs;
    /// use core::time::Duration;
    ///
    /// let now = Duration::from_secs(1_800_000_000);
    /// let psk = [7u8; 16];
    /// let cfg = PskConfig { crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 1, roc: 0 }], ..PskConfig::default() };
    /// let m = PskInitiator::new(&psk, cfg).initiate(vec![TransportKey::tgk(&[9; 16])], now, &mut OsEntropy).unwrap();
    /// let mut bob = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
    /// let csb = bob.handle(&m, now).unwrap().csb_id;
    ///
    /// // Restart: the same keys, the same replay protection.
    /// let json = serde_json::to_string(&bob.snapshot().unwrap()).unwrap();
    /// let mut again = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default())
    ///     .restore(serde_json::from_str(&json).unwrap())
    ///     .unwrap();
    /// assert_eq!(again.srtp(csb).unwrap(), bob.srtp(csb).unwrap());
    /// assert!(again.handle(&m, now).is_err(), "a replay stays a replay");
    /// ```
    pub fn snapshot(&self) -> Result<ResponderSnapshot, SessionError>
    where
        M::Binding: BindingBytes,
    {
        let bundles = self
            .bundles
            .iter()
            .map(|(_, e)| {
                Ok(BundleSnapshot {
                    bundle: hex(&bundle_bytes(&e.bundle)?),
                    gstreamer_auth_key_len: e.bundle.gstreamer_auth_key_len,
                    peer: hex(&e.peer),
                    binding: e.binding.as_ref().map(|b| hex(&b.binding_bytes())),
                    update_key: e.update_key.as_ref().map(|k| hex(k.as_bytes())),
                    last_used: e.last_used,
                })
            })
            .collect::<Result<_, SessionError>>()?;
        let (entries, replay_floor) = self.replay.entries();
        let replay = entries
            .map(|(d, peer, until)| ReplaySnapshot {
                digest: hex(d),
                peer: hex(peer),
                until,
            })
            .collect();
        Ok(ResponderSnapshot {
            format: RESPONDER_SNAPSHOT_FORMAT,
            mode: M::NAME.to_owned(),
            bundles,
            replay,
            replay_floor,
            counters: self.counters.iter().map(|(p, v)| (hex(p), v)).collect(),
        })
    }

    /// This (freshly constructed) responder with the state of `snap`, from
    /// [`snapshot`](Self::snapshot) of a responder of the same mode. Entries beyond this
    /// responder's limits are refused (`LimitReached`-free: the snapshot is checked, not
    /// trimmed), as is any malformed field.
    pub fn restore(mut self, snap: ResponderSnapshot) -> Result<Self, SessionError>
    where
        M::Binding: BindingBytes,
    {
        if snap.format != RESPONDER_SNAPSHOT_FORMAT || snap.mode != M::NAME {
            return Err(bad("another format or mode"));
        }
        let l = self.cfg.limits;
        if snap.bundles.len() > l.max_bundles
            || snap.replay.len() > l.replay_capacity
            || snap.counters.len() > l.counter_identities
        {
            return Err(bad("more entries than this responder's limits"));
        }
        for b in &snap.bundles {
            let bundle = bundle_from(&hex_field(&b.bundle, "bundle")?, b.gstreamer_auth_key_len)?;
            let binding = match &b.binding {
                Some(s) => Some(
                    M::Binding::from_binding_bytes(&hex_field(s, "binding")?)
                        .ok_or_else(|| bad("binding"))?,
                ),
                None => None,
            };
            let update_key = match &b.update_key {
                Some(s) => Some(SecretBytes::from(hex_field(s, "update key")?)),
                None => None,
            };
            let peer: Arc<[u8]> = Arc::from(hex_field(&b.peer, "peer")?);
            let entry = Entry {
                peer: self.bundles.peer_key(&peer),
                binding,
                update_key,
                last_used: b.last_used,
                // Decoded again by each export.
                policies: Default::default(),
                bundle,
            };
            let csb_id = entry.bundle.csb_id;
            self.bundles.install(csb_id, entry, &l, &mut self.events);
        }
        for r in &snap.replay {
            let d: [u8; 20] = hex_field(&r.digest, "digest")?
                .try_into()
                .map_err(|_| bad("digest length"))?;
            self.replay
                .restore_entry(d, &hex_field(&r.peer, "peer")?, r.until);
        }
        self.replay.raise_floor(snap.replay_floor);
        for (p, v) in &snap.counters {
            self.counters.record(&hex_field(p, "counter peer")?, *v);
        }
        Ok(self)
    }
}
