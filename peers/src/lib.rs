//! Interoperability tests only: see `tests/` and README.md.
