//! What a responder returns for a message: [`Accepted`] or [`Rejected`].

use super::weak::Leniencies;
use crate::bundle::BundleChange;
use crate::session::SessionError;
use crate::wire::Quirks;

/// An accepted I_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// CSB ID (the one keys derive with; a group's in RSA-R group mode).
    pub csb_id: u32,
    /// What changed in the bundle.
    pub change: BundleChange,
    /// The response to send: a verification message when V was set (PSK, public key), the
    /// R_MESSAGE (DH, DHHMAC, RSA-R).
    pub response: Option<Vec<u8>>,
    /// What lenient parsing tolerated.
    pub quirks: Quirks,
    /// What the responder accepted from a shipping device beyond the parser's tolerance.
    pub leniencies: Leniencies,
}

/// A rejected message: nothing changed but the replay cache and COUNTER table (for
/// authentic messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Why.
    pub error: SessionError,
    /// The Error message to send, when configured and possible (RFC 3830 §5.1.2), and, for
    /// a message that did not authenticate, within
    /// [`ResponderLimits::error_replies_per_sec`](crate::session::ResponderLimits::error_replies_per_sec).
    pub response: Option<Vec<u8>>,
}

impl core::fmt::Display for Rejected {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "message rejected: {}", self.error)?;
        if self.response.is_some() {
            f.write_str(" (an Error message answers it)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejected {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<Rejected> for SessionError {
    fn from(r: Rejected) -> Self {
        r.error
    }
}
