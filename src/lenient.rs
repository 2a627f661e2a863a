//! Decoding that tolerates what Spotnana may send and the spec does not
//! promise. The generated code calls these through the passes in `build/`:
//!
//! - [`enum_from_str`]: the open string enums (`build/open_enums.rs`) accept
//!   any string, a value the SDK does not know becoming the enum's
//!   `Unrecognized(String)` variant;
//! - [`null_as_default`]: an optional array or map that arrives as `null`
//!   decodes as empty, like an absent one (`build/null_as_default.rs`, for a
//!   model that keeps serde's derive).

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Unexpected};

/// Deserialises a string through `T`'s `FromStr`.
pub(crate) fn enum_from_str<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    deserializer.deserialize_str(StrVisitor(PhantomData))
}

struct StrVisitor<T>(PhantomData<T>);

impl<T: FromStr> de::Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        value.parse().map_err(|_| E::invalid_value(Unexpected::Str(value), &self))
    }
}

/// Deserialises `null` as `T::default()`, anything else as `T`.
///
/// Only a model that keeps serde's derive calls it: the others' own impls
/// (`build/serde_impls.rs`) do the same themselves.
#[allow(dead_code)]
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
