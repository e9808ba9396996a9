//! Value parsers shared by the commands' options.

use mikey::crypto::SecretBytes;

/// A pre-shared key given as hex on the command line (`--psk HEX`), kept in a zeroizing
/// buffer.
#[derive(Clone, Debug)]
pub struct Psk(pub SecretBytes);

impl Psk {
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// clap value parser for `--psk HEX`: an even number of hex digits, at least one byte.
pub fn psk(s: &str) -> Result<Psk, String> {
    crate::input::decode_hex(s)
        .map(|b| Psk(SecretBytes::from(b)))
        .ok_or_else(|| "expected an even number of hex digits (at least one byte)".to_owned())
}

/// The PSK given, or `len` random bytes when none was.
pub fn psk_or_random(given: Option<Psk>, len: usize) -> Psk {
    given.unwrap_or_else(|| {
        let mut p = SecretBytes::zeroed(len);
        rand::fill(p.as_mut_bytes());
        Psk(p)
    })
}
