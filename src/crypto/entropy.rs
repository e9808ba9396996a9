//! Randomness for keys, RAND, CSB IDs and blinding: callers pass an [`Entropy`] in
//! (sans-IO); [`OsEntropy`] is the operating system's.

/// A source of random bytes for keys, RAND and CSB IDs.
pub trait Entropy {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// The operating system's randomness (through `rand`'s thread-local CSPRNG seeded from it).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        rand::fill(buf);
    }
}

impl<F: FnMut(&mut [u8])> Entropy for F {
    fn fill(&mut self, buf: &mut [u8]) {
        self(buf)
    }
}
