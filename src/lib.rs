//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! * [`wire`]: an exact, zero-copy codec for every registered MIKEY payload and message.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod wire;
