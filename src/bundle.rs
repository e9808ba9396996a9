//! The crypto session bundle (CSB) both ends hold after an exchange: its ID, RAND, crypto
//! session map, security policies and transported keys (RFC 3830 §4.5 for updates).

use crate::crypto::SecretBytes;
use crate::wire::{CsIdMap, KeyData, KeyDataType, KeyValidity, PrfFunc, SecurityPolicy, SrtpIdMap};
use std::borrow::Cow;

/// A key carried in a KEMAC (TGK or TEK, with optional salt and key validity). The key and
/// salt are zeroized on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TransportKey {
    /// TGK, TGK+SALT, TEK or TEK+SALT.
    pub key_type: KeyDataType,
    /// The key.
    pub key: SecretBytes,
    /// The salt (for the `+SALT` types).
    pub salt: Option<SecretBytes>,
    /// Key validity (SPI/MKI or interval).
    pub kv: KeyValidity<'static>,
}

impl core::fmt::Debug for TransportKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TransportKey")
            .field("key_type", &self.key_type)
            .field("key", &self.key)
            .field("salt", &self.salt)
            .field("kv", &self.kv)
            .finish()
    }
}

impl TransportKey {
    /// A TGK of the given bytes with no key validity.
    pub fn tgk(key: &[u8]) -> Self {
        Self {
            key_type: KeyDataType::Tgk,
            key: SecretBytes::from_slice(key),
            salt: None,
            kv: KeyValidity::Null,
        }
    }

    /// A TEK (for SRTP: master key || master salt, as RFC 4567 practice and ONVIF send it).
    pub fn tek(key: &[u8]) -> Self {
        Self {
            key_type: KeyDataType::Tek,
            ..Self::tgk(key)
        }
    }

    /// Adds a salt (turning TGK into TGK+SALT, TEK into TEK+SALT).
    pub fn with_salt(mut self, salt: &[u8]) -> Self {
        self.key_type = match self.key_type {
            KeyDataType::Tgk => KeyDataType::TgkSalt,
            KeyDataType::Tek => KeyDataType::TekSalt,
            KeyDataType::Gtgk => KeyDataType::GtgkSalt,
            other => other,
        };
        self.salt = Some(SecretBytes::from_slice(salt));
        self
    }

    /// Sets an SPI/MKI key validity. The SPI Length field has 8 bits (RFC 3830 §6.14): a
    /// message carrying an MKI over 255 bytes is refused when it is built
    /// ([`EncodeError`](crate::wire::EncodeError)), never cut short.
    pub fn with_mki(mut self, mki: &[u8]) -> Self {
        self.kv = KeyValidity::Spi(Cow::Owned(mki.to_vec()));
        self
    }

    /// The SPI/MKI, if the key has one.
    pub fn mki(&self) -> Option<&[u8]> {
        self.kv.spi()
    }

    /// The key data sub-payload carrying this key.
    pub fn to_key_data(&self) -> KeyData<'_> {
        KeyData {
            key_type: self.key_type,
            key: Cow::Borrowed(self.key.as_bytes()),
            salt: self.salt.as_ref().map(|s| Cow::Borrowed(s.as_bytes())),
            kv: self.kv.borrowed(),
        }
    }

    /// The key of a parsed key data sub-payload.
    pub fn from_key_data(kd: &KeyData<'_>) -> Self {
        Self {
            key_type: kd.key_type,
            key: SecretBytes::from_slice(&kd.key),
            salt: kd.salt.as_ref().map(|s| SecretBytes::from_slice(s)),
            kv: kd.kv.clone().into_owned(),
        }
    }

    /// Whether this is a TGK (plain or group) rather than a TEK.
    pub fn is_tgk(&self) -> bool {
        matches!(
            self.key_type,
            KeyDataType::Tgk | KeyDataType::TgkSalt | KeyDataType::Gtgk | KeyDataType::GtgkSalt
        )
    }
}

/// Encodes keys as a KEMAC plaintext (key data chain), each key borrowed in place.
pub(crate) fn encode_keys(
    keys: &[TransportKey],
    id: Option<crate::wire::Id<'_>>,
) -> Result<SecretBytes, crate::wire::EncodeError> {
    let mut out = Vec::new();
    crate::wire::key_data::encode_chain(
        id.as_ref(),
        keys.iter().map(TransportKey::to_key_data),
        &mut out,
    )?;
    Ok(SecretBytes::from(out))
}

/// A set of policy numbers (0-255), without allocation.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicySet([u64; 4]);

impl PolicySet {
    /// Adds a policy number.
    pub fn insert(&mut self, policy_no: u8) {
        self.0[usize::from(policy_no >> 6)] |= 1 << (policy_no & 63);
    }

    /// Whether the set holds `policy_no`.
    pub fn contains(&self, policy_no: u8) -> bool {
        self.0[usize::from(policy_no >> 6)] >> (policy_no & 63) & 1 == 1
    }

    /// The policy numbers, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=u8::MAX).filter(|n| self.contains(*n))
    }

    /// How many policy numbers the set holds.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
}

impl FromIterator<u8> for PolicySet {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        let mut s = PolicySet::default();
        for n in iter {
            s.insert(n);
        }
        s
    }
}

impl core::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// What an update changed (RFC 3830 §4.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BundleChange {
    /// True for the first exchange of this CSB, false for an update.
    pub created: bool,
    /// Keys added (by index in [`CryptoSessionBundle::keys`]).
    pub keys_added: usize,
    /// Keys that replaced an earlier key with the same SPI/MKI (or the earlier keys without
    /// SPI).
    pub keys_replaced: usize,
    /// Policies added or replaced (by policy number).
    pub policies_changed: PolicySet,
    /// Crypto sessions now in the map.
    pub crypto_sessions: usize,
}

/// A crypto session bundle: everything needed to derive the security protocol keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptoSessionBundle {
    /// CSB ID.
    pub csb_id: u32,
    /// PRF for deriving TEKs from TGKs.
    pub prf: PrfFunc,
    /// RAND of the initial exchange (used for every later derivation, RFC 3830 §4.5).
    pub rand: Vec<u8>,
    /// Crypto session map.
    pub cs_map: CsIdMap<'static>,
    /// Security policies, by policy number (the last received wins).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Transported keys in order of arrival; keys with an SPI/MKI stay usable until a key
    /// with the same SPI replaces them.
    pub keys: Vec<TransportKey>,
    /// Read SRTP "session auth key length" 10 as 20 (GStreamer), set when the message was
    /// parsed leniently with that quirk.
    pub gstreamer_auth_key_len: bool,
}

impl CryptoSessionBundle {
    /// A bundle with no crypto session, policy or key yet, for [`update`](Self::update) to
    /// fill from the first message. Every side that builds a bundle builds it this way, so
    /// the initiator and the responder read the same message alike: a policy number given
    /// twice means its last policy on both (RFC 3830 §4.5).
    pub fn new(csb_id: u32, prf: PrfFunc, rand: Vec<u8>) -> Self {
        Self {
            csb_id,
            prf,
            rand,
            cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
            policies: Vec::new(),
            keys: Vec::new(),
            gstreamer_auth_key_len: false,
        }
    }

    /// The policy with number `policy_no`.
    pub fn policy(&self, policy_no: u8) -> Option<&SecurityPolicy<'static>> {
        self.policies.iter().find(|p| p.policy_no == policy_no)
    }

    /// Retires the key with this SPI/MKI (RFC 3830 has no message for it: a receiver prunes
    /// keys it no longer needs, e.g. the group key before last). Returns whether one was
    /// removed.
    pub fn remove_key(&mut self, mki: &[u8]) -> bool {
        let before = self.keys.len();
        self.keys.retain(|k| k.mki() != Some(mki));
        self.keys.len() != before
    }

    /// Applies an update (RFC 3830 §4.5): the map is replaced when the message carries crypto
    /// sessions, policies are replaced by number, keys with an SPI replace the key with the
    /// same SPI, keys without SPI replace all earlier keys without SPI.
    pub fn update(
        &mut self,
        cs_map: Option<CsIdMap<'static>>,
        policies: Vec<SecurityPolicy<'static>>,
        keys: Vec<TransportKey>,
    ) -> BundleChange {
        let mut change = BundleChange::default();
        if let Some(m) = cs_map {
            if m.count() > 0 || self.cs_map.count() == 0 {
                self.cs_map = m;
            }
        }
        change.policies_changed = policies.iter().map(|p| p.policy_no).collect();
        // A new bundle takes the lists as they are (unless a number or an SPI repeats).
        if self.policies.is_empty() && distinct(&policies, |a, b| a.policy_no == b.policy_no) {
            self.policies = policies;
        } else {
            self.merge_policies(policies);
        }
        let same_mki = |a: &TransportKey, b: &TransportKey| a.mki().is_some() && a.mki() == b.mki();
        if self.keys.is_empty() && distinct(&keys, same_mki) {
            change.keys_added = keys.len();
            self.keys = keys;
        } else {
            self.merge_keys(keys, &mut change);
        }
        change.crypto_sessions = self.cs_map.count() as usize;
        change
    }

    fn merge_policies(&mut self, policies: Vec<SecurityPolicy<'static>>) {
        self.policies.reserve(policies.len());
        for p in policies {
            match self
                .policies
                .iter_mut()
                .find(|q| q.policy_no == p.policy_no)
            {
                Some(q) => *q = p,
                None => self.policies.push(p),
            }
        }
    }

    fn merge_keys(&mut self, keys: Vec<TransportKey>, change: &mut BundleChange) {
        self.keys.reserve(keys.len());
        let new_plain = keys.iter().any(|k| k.mki().is_none());
        if new_plain {
            let before = self.keys.len();
            self.keys.retain(|k| k.mki().is_some());
            change.keys_replaced += before - self.keys.len();
        }
        for k in keys {
            if let Some(mki) = k.mki() {
                if let Some(old) = self.keys.iter_mut().find(|o| o.mki() == Some(mki)) {
                    *old = k;
                    change.keys_replaced += 1;
                    continue;
                }
            }
            self.keys.push(k);
            change.keys_added += 1;
        }
    }
}

/// Whether no two entries of `v` are `same` (lists here hold a handful of entries).
fn distinct<T>(v: &[T], same: impl Fn(&T, &T) -> bool) -> bool {
    v.iter()
        .enumerate()
        .all(|(i, a)| v[i + 1..].iter().all(|b| !same(a, b)))
}

#[cfg(test)]
mod tests {
    use super::PolicySet;

    #[test]
    fn policy_set_holds_numbers_0_to_255() {
        let s: PolicySet = [0u8, 63, 64, 200, 255, 64].into_iter().collect();
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 63, 64, 200, 255]);
        assert_eq!(s.len(), 5);
        assert!(s.contains(200) && !s.contains(1));
        assert!(PolicySet::default().is_empty());
        assert_eq!(format!("{s:?}"), "{0, 63, 64, 200, 255}");
    }
}
