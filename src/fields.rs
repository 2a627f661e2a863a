//! What the models' serde impls share. `build/serde_impls.rs` writes, per
//! model struct, a table of its fields handed to [`encode!`] (its
//! `Serialize` impl) and to [`decode!`] (its `Deserialize` impl); the code
//! those expand to calls the helpers here.
//!
//! An encoder opens the struct with [`begin`], given which fields it writes,
//! and writes or skips each with [`Struct::field`]. A decoder is a
//! [`Decode`] impl, reached through [`deserialize`]: it reads the object's
//! keys with [`next_key`], which turns each into the index of the field it
//! names, stores each value with [`value`] and skips unknown keys with
//! [`skip`]; [`required`] and its siblings finish each field. The errors are
//! serde's own (`missing field`, `duplicate field`), so a model reads as it
//! did with serde's derive.

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

/// A model's `Serialize` impl, from its table: per field, in order, its
/// name, its JSON key and, for a field that is left out when it is empty,
/// the predicate that says so (`skip_serializing_if`).
///
/// `encode! { Company { company_id "companyId"; offices "offices" Vec::is_empty; } }`
macro_rules! encode {
    ($name:ident { $($field:ident $key:literal $($skip:path)?;)* }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let present: &[bool] = &[$(true $(&& !$skip(&self.$field))?),*];
                #[allow(unused_mut)]
                let mut state = crate::fields::begin(serializer, stringify!($name), present)?;
                $(state.field($key, &self.$field)?;)*
                state.end()
            }
        }
    };
}
pub(crate) use encode;

/// A model's `Deserialize` impl and its [`Decode`] impl, from its table:
/// per field, in order, its index, its name, its JSON key and how it
/// finishes: [`required`], [`optional`], [`or_default`], or [`or_else`] and
/// [`optional_or`] with the function that gives the value of an absent key.
///
/// `decode! { Company { 0 company_id "companyId" required; 1 limit "limit" or_else(default_limit); } }`
macro_rules! decode {
    ($name:ident { $($index:literal $field:ident $key:literal $finish:ident $(($absent:path))?;)* }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::fields::deserialize(deserializer)
            }
        }
        impl crate::fields::Decode for $name {
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [&'static str] = &[$($key),*];
            fn visit<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                $(let mut $field = ::std::option::Option::None;)*
                loop {
                    match crate::fields::next_key(&mut map, Self::FIELDS)? {
                        $($index => crate::fields::value(&mut map, &mut $field, $key)?,)*
                        crate::fields::END => break,
                        _ => crate::fields::skip(&mut map)?,
                    }
                }
                ::std::result::Result::Ok(Self {
                    $($field: crate::fields::decode!(@$finish $field $key $($absent)?),)*
                })
            }
        }
    };
    (@required $slot:ident $key:literal) => { crate::fields::required::<_, A::Error>($slot, $key)? };
    (@optional $slot:ident $key:literal) => { crate::fields::optional($slot) };
    (@optional_or $slot:ident $key:literal $absent:path) => { crate::fields::optional_or($slot, $absent) };
    (@or_default $slot:ident $key:literal) => { crate::fields::or_default($slot) };
    (@or_else $slot:ident $key:literal $absent:path) => { crate::fields::or_else($slot, $absent) };
}
pub(crate) use decode;

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
///
/// As a map rather than a struct: a model only ever arrives as a JSON object,
/// and `serde_json`'s `deserialize_struct` also compiles an array branch for
/// each model (its instances were 416,673 lines of LLVM IR over 597 models
/// with every API).
pub(crate) fn deserialize<'de, T: Decode, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
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

    /// A model as the generated code declares one, with a row per field.
    #[derive(Debug, PartialEq)]
    struct Office {
        office_id: String,
        name: Option<String>,
        tags: Vec<String>,
        limit: i64,
        r#type: String,
    }

    fn ten() -> i64 {
        10
    }

    super::encode! { Office {
        office_id "officeId";
        name "name" Option::is_none;
        tags "tags" Vec::is_empty;
        limit "limit";
        r#type "type";
    } }
    super::decode! { Office {
        0 office_id "officeId" required;
        1 name "name" optional;
        2 tags "tags" or_default;
        3 limit "limit" or_else(ten);
        4 r#type "type" required;
    } }

    /// An empty model: `{}` both ways.
    #[derive(Debug, PartialEq)]
    struct Empty {}
    super::encode! { Empty {} }
    super::decode! { Empty {} }

    #[test]
    fn absent_and_null_fields_take_their_defaults() {
        let office: Office =
            serde_json::from_str(r#"{"officeId":"o-1","type":"HQ","name":null,"tags":null}"#).expect("decodes");
        let expected = Office { office_id: "o-1".into(), name: None, tags: vec![], limit: 10, r#type: "HQ".into() };
        assert_eq!(office, expected);
    }

    #[test]
    fn skipped_fields_are_left_out_and_unknown_keys_ignored() {
        let office: Office =
            serde_json::from_str(r#"{"officeId":"o-1","type":"HQ","limit":3,"extra":{"a":[1,2]}}"#).expect("decodes");
        assert_eq!(serde_json::to_string(&office).expect("encodes"), r#"{"officeId":"o-1","limit":3,"type":"HQ"}"#);
        let named = Office { name: Some("Main".into()), tags: vec!["x".into()], ..office };
        let json = serde_json::to_string(&named).expect("encodes");
        assert_eq!(json, r#"{"officeId":"o-1","name":"Main","tags":["x"],"limit":3,"type":"HQ"}"#);
        assert_eq!(serde_json::from_str::<Office>(&json).expect("decodes again"), named);
        assert_eq!(serde_json::to_string(&Empty {}).expect("encodes"), "{}");
        assert_eq!(serde_json::from_str::<Empty>(r#"{"any":1}"#).expect("decodes"), Empty {});
    }

    #[test]
    fn missing_duplicate_and_mistyped_fields_are_serdes_errors() {
        let missing = serde_json::from_str::<Office>(r#"{"type":"HQ"}"#).expect_err("officeId is required");
        assert!(missing.to_string().starts_with("missing field `officeId`"), "{missing}");
        let twice = serde_json::from_str::<Office>(r#"{"officeId":"a","officeId":"b","type":"HQ"}"#)
            .expect_err("a key given twice");
        assert!(twice.to_string().starts_with("duplicate field `officeId`"), "{twice}");
        let mistyped = serde_json::from_str::<Office>(r#"{"officeId":"a","type":"HQ","limit":"3"}"#)
            .expect_err("a string for a number");
        assert!(mistyped.to_string().starts_with("invalid type: string \"3\", expected i64"), "{mistyped}");
        let array = serde_json::from_str::<Office>(r#"["a"]"#).expect_err("not an object");
        assert!(array.to_string().contains("expected struct Office"), "{array}");
    }
}
