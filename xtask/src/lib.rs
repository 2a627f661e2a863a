//! Project automation for the `spotnana` SDK, following the cargo-xtask convention.
//!
//! The library half holds the normaliser so that the SDK's tests can check the
//! checked-in spec for drift without shelling out; `main.rs` only dispatches.

pub mod bench;
pub mod calls;
pub mod diff;
pub mod normalize;
pub mod regen;
pub mod test;
