//! What the models' serde impls share (`build/serde_impls.rs` writes a
//! `Serialize` and a `Deserialize` impl per model struct, which call these).
//!
//! An encoder opens the struct with [`begin`], given which fields it writes,
//! and writes or skips each with [`Struct::field`]. A decoder is a
//! [`Decode`] impl, reached through [`deserialize`]: it reads the object's
//! keys with [`next_key`], which turns each into the index of the field it
//! names, stores each value with [`value`] and skips unknown keys with
//! [`skip`]; [`required`] and its siblings finish each field. The errors are serde's own (`missing field`, `duplicate
//! field`), so a model reads as it did with serde's derive.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Opens a struct whose fields are written where `present` holds: its
/// length is their count (a format such as JSON writes `{}` at once for 0).
pub(crate) fn begin<'a, S: Serializer>(
    serializer: S,
    name: &'static str,
    present: &'a [bool],
) -> Result<Struct<'a, S::SerializeStruct>, S::Error> {
    let state = serializer.serialize_struct(name, present.iter().filter(|p| **p).count())?;
    Ok(Struct { state, present: present.iter() })
}

/// A struct being written: its fields in order, each written or skipped as
/// [`begin`]'s `present` says.
pub(crate) struct Struct<'a, S> {
    state: S,
    present: std::slice::Iter<'a, bool>,
}

impl<S: SerializeStruct> Struct<'_, S> {
    /// Writes the next field, or tells the format it was skipped.
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
        if self.present.next().copied().unwrap_or(true) {
            self.state.serialize_field(key, value)
        } else {
            self.state.skip_field(key)
        }
    }

    /// Closes the struct.
    pub(crate) fn end(self) -> Result<S::Ok, S::Error> {
        self.state.end()
    }
}

/// A model that decodes from an object through [`deserialize`]: its name,
/// its fields' keys, and the loop that reads them (written per model by
/// `build/serde_impls.rs`).
pub(crate) trait Decode: Sized {
    /// The model's name, for serde's "expected struct X".
    const NAME: &'static str;
    /// The keys of its fields, in order.
    const FIELDS: &'static [&'static str];
    /// Reads the object.
    fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Decodes a model from an object.
pub(crate) fn deserialize<'de, T: Decode, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit(map)
    }
}

/// What [`next_key`] returns after the last key.
pub(crate) const END: usize = usize::MAX - 1;

/// What [`next_key`] returns for a key no field names.
const UNKNOWN: usize = usize::MAX;

/// Reads the next key of an object: the index of the field it names among
/// `fields`, a value no field has for a key no field names, [`END`] after
/// the last.
pub(crate) fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<usize, A::Error> {
    Ok(map.next_key_seed(Key(fields))?.unwrap_or(END))
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

/// An optional field's value: absent and `null` are `None`.
pub(crate) fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// An optional field's value with a default for an absent key; `null` is `None`.
// No model of the current spec has an optional field with a default of its own.
#[allow(dead_code)]
pub(crate) fn optional_or<T>(slot: Option<Option<T>>, absent: impl FnOnce() -> Option<T>) -> Option<T> {
    slot.unwrap_or_else(absent)
}

/// A field with a default: absent and `null` are `T::default()`.
pub(crate) fn or_default<T: Default>(slot: Option<Option<T>>) -> T {
    slot.flatten().unwrap_or_default()
}

/// A field with a default of its own: absent and `null` are `absent()`.
pub(crate) fn or_else<T>(slot: Option<Option<T>>, absent: impl FnOnce() -> T) -> T {
    slot.flatten().unwrap_or_else(absent)
}

/// The seed that reads a key as the index of the field it names.
struct Key(&'static [&'static str]);

impl Key {
    fn index(&self, key: &[u8]) -> usize {
        self.0.iter().position(|field| field.as_bytes() == key).unwrap_or(UNKNOWN)
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
        assert_eq!(key.index(b"Type"), super::UNKNOWN, "keys are case-sensitive");
        assert_eq!(key.index(b""), super::UNKNOWN);
    }
}
