//! A deserializer over a [`toml::Value`] that refuses an array where a table belongs.
//!
//! serde's derived structs also accept a sequence of their fields in order, so
//! `transfer = ["specialist", 0.3]` would quietly read as `{ to = "specialist", probability =
//! 0.3 }`, and `[[simulation]]` (an array of one table) would be read field by field into a
//! riddle about durations. [`Tables`] forwards everything to the TOML value except that a
//! struct given an array is an "invalid type" error, which `messages` words like any other.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess};
use serde::forward_to_deserialize_any;
use toml::Value;

/// What a user wrote where a table belongs but an array stands, for "found …".
const ARRAY_OF_TABLES: &str =
    "an array of tables (a [[…]] header or a list of { … } makes an array; one table is written [name] or { … })";

/// A TOML value whose tables and arrays, at any depth, deserialize only into the matching kind.
pub(super) struct Tables(pub Value);

type Error = toml::de::Error;

impl<'de> Deserializer<'de> for Tables {
    type Error = Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Table(t) => visitor.visit_map(TableAccess {
                entries: t.into_iter(),
                value: None,
            }),
            Value::Array(a) => visitor.visit_seq(ArrayAccess(a.into_iter())),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => {
                let unexpected = if !a.is_empty() && a.iter().all(Value::is_table) {
                    de::Unexpected::Other(ARRAY_OF_TABLES)
                } else {
                    de::Unexpected::Seq
                };
                Err(de::Error::invalid_type(unexpected, &visitor))
            }
            Value::Table(_) => self.deserialize_any(visitor),
            // Scalars go to toml's own struct handling (its datetime is a struct to serde).
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // TOML has no null: a present key is always Some.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// The entries of a table, each value again a [`Tables`].
struct TableAccess {
    entries: <toml::Table as IntoIterator>::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for TableAccess {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(k.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Tables(v)),
            None => Err(de::Error::custom("a table value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The elements of an array, each again a [`Tables`].
struct ArrayAccess(<Vec<Value> as IntoIterator>::IntoIter);

impl<'de> SeqAccess<'de> for ArrayAccess {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Tables(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}
