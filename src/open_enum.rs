//! Decoding of the generated string enums, which are open: a value the SDK
//! does not know becomes the enum's `Unrecognized(String)` variant instead of
//! an error (the `build/open_enums.rs` pass gives every enum that variant and
//! a `FromStr` that never fails, and has its `Deserialize` call this).

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Unexpected};

/// Deserialises a string through `T`'s `FromStr`.
pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
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
