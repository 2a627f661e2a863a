//! `build.rs`'s passes over progenitor's syntax tree (`build/*.rs`), compiled
//! here as well so that each has unit tests on small token streams without
//! building the generated client: `cargo test -p xtask` runs them.
//!
//! The files name one another with `super::`, which is the crate root in
//! `build.rs` and this module here.

pub use crate::contract;
pub(crate) use crate::normalize::resources::rule as resources;

#[path = "../../build/builders.rs"]
pub mod builders;
#[path = "../../build/constructors.rs"]
pub mod constructors;
#[path = "../../build/dates.rs"]
pub mod dates;
#[path = "../../build/messages.rs"]
pub mod messages;
#[path = "../../build/null_as_default.rs"]
pub mod null_as_default;
#[path = "../../build/null_when_unset.rs"]
pub mod null_when_unset;
#[path = "../../build/open_enums.rs"]
pub mod open_enums;
#[path = "../../build/open_unions.rs"]
pub mod open_unions;
#[path = "../../build/pagination.rs"]
pub mod pagination;
#[path = "../../build/safe_create.rs"]
pub mod safe_create;
#[path = "../../build/send.rs"]
pub mod send;
#[path = "../../build/serde_impls.rs"]
pub mod serde_impls;
#[path = "../../build/syntax.rs"]
pub mod syntax;
#[path = "../../build/variant_names.rs"]
pub mod variant_names;
