//! Project automation for the `spotnana` SDK, following the cargo-xtask convention.
//!
//! The library half holds the normaliser so that the SDK's tests can check the
//! checked-in spec for drift without shelling out; `main.rs` only dispatches.

pub mod bench;
pub mod calls;
/// The contracts with `build.rs` and the runtime, defined once (`src/contract.rs`).
#[path = "../../src/contract.rs"]
pub mod contract;
pub mod diff;
pub mod normalize;
#[cfg(test)]
mod passes;
/// The order of `build.rs`'s passes, for the report (`build/pipeline.rs`).
#[path = "../../build/pipeline.rs"]
pub mod pipeline;
pub mod regen;
pub mod test;
