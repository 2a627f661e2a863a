//! What the models' serde impls share (`build/serde_impls.rs` writes a
//! `Serialize` and a `Deserialize` impl per model struct, which call these).
//!
//! An encoder opens the struct with [`begin`], given which fields it writes,
//! and writes or skips each with [`write`]. A decoder reads the object's keys with [`next_key`], which turns each into
//! the index of the field it names, stores each value with [`value`] and
//! skips unknown keys with [`skip`]; [`required`] reports a field the object
//! left out. The errors are serde's own (`missing field`, `duplicate
//! field`), so a model reads as it did with serde's derive.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Opens a struct whose fields are written where `present` holds: its
/// length is their count (a format such as JSON writes `{}` at once for 0).
pub(crate) fn begin<S: Serializer>(
    serializer: S,
    name: &'static str,
    present: &[bool],
) -> Result<S::SerializeStruct, S::Error> {
    serializer.serialize_struct(name, present.iter().filter(|p| **p).count())
}

/// Writes one field, or tells the format it was skipped.
pub(crate) fn write<S: SerializeStruct, T: Serialize + ?Sized>(
    state: &mut S,
    present: bool,
    key: &'static str,
    value: &T,
) -> Result<(), S::Error> {
    if present {
        state.serialize_field(key, value)
    } else {
        state.skip_field(key)
    }
}

/// Reads the next key of an object: `Some(index)` of the field it names
/// among `fields`, `Some(usize::MAX)` for a key no field names, `None` after
/// the last.
pub(crate) fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<usize>, A::Error> {
    map.next_key_seed(Key(fields))
}

/// Reads the value of a field into its slot; a field given twice is an error.
pub(crate) fn value<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key no field names.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|IgnoredAny| ())
}

/// A required field's value, or serde's "missing field" error.
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// The seed that reads a key as the index of the field it names.
struct Key(&'static [&'static str]);

impl Key {
    fn index(&self, key: &[u8]) -> usize {
        self.0.iter().position(|field| field.as_bytes() == key).unwrap_or(usize::MAX)
    }
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok(self.index(key.as_bytes()))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        Ok(self.index(key))
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn a_key_is_the_index_of_the_field_it_names() {
        let key = Key(&["companyId", "name", "type"]);
        assert_eq!(key.index(b"companyId"), 0);
        assert_eq!(key.index(b"type"), 2);
        assert_eq!(key.index(b"Type"), usize::MAX, "keys are case-sensitive");
        assert_eq!(key.index(b""), usize::MAX);
    }
}
