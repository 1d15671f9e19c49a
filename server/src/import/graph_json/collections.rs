//! The collections of an export, streamed item by item: the root (`{"value": [...]}`, a
//! bare array, or one entity), its items, and the lists inside an entity (control scores,
//! state updates, threats), each bounded as it is read.

use super::decode::{EntitySeed, Fields, Read, Scalar};
use super::{FileError, Reader};
use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The whole file: a collection, a bare array of items, or a single entity.
pub(super) struct Root<'r, 'a> {
    pub r: &'r Reader<'a>,
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Graph export")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_an_export())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Items { r: self.r, base: "$" }.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let seed = EntitySeed { r: self.r, path: "$".to_owned(), root: true };
        match seed.visit_map(map)? {
            Some(Read { entity, collection: false }) => {
                self.r.take_item(Some(entity), "$").map_err(|e| self.r.fail(e))
            }
            _ => Ok(()),
        }
    }
}

impl Root<'_, '_> {
    fn not_an_export<E: de::Error>(&self) -> E {
        self.r.fail(self.r.error("$", "expected a JSON object with a `value` array"))
    }
}

/// The collection: each item is read, turned into a day or a profile, and only that kept.
pub(super) struct Items<'r, 'a> {
    pub r: &'r Reader<'a>,
    pub base: &'static str,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_an_array())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = format!("{}[{i}]", self.base);
            let seed = EntitySeed { r: self.r, path: path.clone(), root: false };
            match seq.next_element_seed(seed)? {
                None => return Ok(()),
                Some(read) => self.r.take_item(read.map(|r| r.entity), &path).map_err(|e| self.r.fail(e))?,
            }
            i += 1;
        }
    }
}

impl Items<'_, '_> {
    fn not_an_array<E: de::Error>(&self) -> E {
        self.r.fail(self.r.error(self.base, "expected an array"))
    }
}

/// How each element of a list is read before it is checked.
#[derive(Clone, Copy)]
pub(super) enum Element {
    /// An object, of which these fields are kept.
    Fields(&'static [&'static str]),
    /// A string, number, boolean or null.
    Scalar,
}

impl<'de> DeserializeSeed<'de> for Element {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self {
            Element::Fields(keep) => Fields(keep).deserialize(d),
            Element::Scalar => Scalar::deserialize(d).map(|Scalar(v)| Some(v)),
        }
    }
}

/// Checks one element (`None`: not an object) at its index, keeping it or passing it over.
pub(super) type Convert<'f, T> = &'f dyn Fn(Option<Value>, usize) -> Result<Option<T>, FileError>;

/// Elements of a list, each checked and made compact as it is read. Null reads as empty.
pub(super) struct List<'r, 'a, 'f, T> {
    pub r: &'r Reader<'a>,
    /// The list's own path, such as `$.value[3].controlScores`.
    pub at: String,
    pub element: Element,
    pub convert: Convert<'f, T>,
}

impl<'de, T> DeserializeSeed<'de> for List<'_, '_, '_, T> {
    type Value = Vec<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T> Visitor<'de> for List<'_, '_, '_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<T>, E> {
        Err(self.not_an_array())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<T>, E> {
        Err(self.not_an_array())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<T>, E> {
        Err(self.not_an_array())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<T>, E> {
        Err(self.not_an_array())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<T>, E> {
        Err(self.not_an_array())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Vec<T>, A::Error> {
        Err(self.not_an_array())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut kept = Vec::new();
        let mut index = 0usize;
        while let Some(value) = seq.next_element_seed(self.element)? {
            if let Some(element) = (self.convert)(value, index).map_err(|e| self.r.fail(e))? {
                kept.push(element);
            }
            index += 1;
        }
        Ok(kept)
    }
}

impl<T> List<'_, '_, '_, T> {
    fn not_an_array<E: de::Error>(&self) -> E {
        self.r.fail(self.r.error(&self.at, "expected an array"))
    }
}
