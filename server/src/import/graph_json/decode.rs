//! The streaming half of the reader: serde visitors that walk an export once, front to
//! back, keeping only the fields the import uses. Memory follows what is kept (one compact
//! entry per day, control score, profile and state update, texts shared), never the size
//! of the file or of anything in it that is skipped.

use super::collections::{Element, Items, List};
use super::{Entity, FileError, Kind, Reader};
use serde::de::{self, Deserialize, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Fields of a day or a profile (and of the root, which may be a single one) kept as
/// scalars; everything else is skipped unread.
const ENTITY_FIELDS: &[&str] = &[
    "azureTenantId",
    "createdDateTime",
    "activeUserCount",
    "licensedUserCount",
    "currentScore",
    "id",
    "title",
    "controlCategory",
    "maxScore",
    "service",
    "tier",
    "implementationCost",
    "userImpact",
    "remediation",
    "actionUrl",
    "deprecated",
];
const CONTROL_FIELDS: &[&str] =
    &["controlName", "controlCategory", "description", "score", "scoreInPercentage", "count", "total"];
const UPDATE_FIELDS: &[&str] = &["state", "assignedTo", "comment", "updatedBy", "updatedDateTime"];
/// Threats one profile may list; Graph's have a handful.
const MAX_THREATS: usize = 100;

/// A field's value when it is a string, number, boolean or null. An array or object is
/// consumed without being kept and stands as an empty array, which no field accepts.
pub(super) struct Scalar(pub Value);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(Vec::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Array(Vec::new()))
    }
}

/// The visitor methods of a seed that reads objects only: what it expects, and any other
/// value read as `None` (an array's items skipped, not built).
macro_rules! objects_only {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        objects_only!(@none visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_f64(f64), visit_str(&str));
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
    (@none $($name:ident($ty:ty)),*) => {
        $(fn $name<E: de::Error>(self, _: $ty) -> Result<Self::Value, E> { Ok(None) })*
    };
}

/// An object's kept fields (a control score, a state update), or `None` when the value is
/// not an object.
pub(super) struct Fields(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Fields {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fields {
    type Value = Option<Value>;

    objects_only!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.0.contains(&key.as_str()) {
                let Scalar(v) = map.next_value()?;
                kept.insert(key, v);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(Value::Object(kept)))
    }
}

/// A day, a profile, or the root object. At the root, `value` is the collection, streamed
/// item by item into the reader, and `@odata.context` tells the kind of file.
pub(super) struct EntitySeed<'r, 'a> {
    pub r: &'r Reader<'a>,
    pub path: String,
    pub root: bool,
}

/// What an object held; `collection` says whether it was a root with `value`.
pub(super) struct Read {
    pub entity: Entity,
    pub collection: bool,
}

impl<'de> DeserializeSeed<'de> for EntitySeed<'_, '_> {
    type Value = Option<Read>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntitySeed<'_, '_> {
    type Value = Option<Read>;

    objects_only!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let r = self.r;
        let mut entity = Entity::default();
        let mut fields = Map::new();
        let mut collection = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" if self.root => {
                    collection = true;
                    map.next_value_seed(Items { r, base: "$.value" })?;
                }
                "@odata.context" if self.root => {
                    let Scalar(v) = map.next_value()?;
                    let context = v.as_str().unwrap_or_default().to_ascii_lowercase();
                    // Before any item it decides how items are read; after, the items have.
                    if r.kind.get().is_none() {
                        if context.contains("securescorecontrolprofiles") {
                            r.kind.set(Some(Kind::Profiles));
                        } else if context.contains("securescores") {
                            r.kind.set(Some(Kind::Scores));
                        }
                    }
                }
                "controlScores" if r.kind.get() != Some(Kind::Profiles) => {
                    entity.has_controls = true;
                    let at = format!("{}.controlScores", self.path);
                    let convert = |v: Option<Value>, i: usize| r.control_score(v, &self.path, i);
                    entity.controls = map.next_value_seed(List {
                        r,
                        at,
                        element: Element::Fields(CONTROL_FIELDS),
                        convert: &convert,
                    })?;
                }
                "controlStateUpdates" if r.kind.get() != Some(Kind::Scores) => {
                    entity.has_updates = true;
                    let at = format!("{}.controlStateUpdates", self.path);
                    let convert = |v: Option<Value>, i: usize| r.state_update(v, &format!("{at}[{i}]"));
                    entity.updates = map.next_value_seed(List {
                        r,
                        at: at.clone(),
                        element: Element::Fields(UPDATE_FIELDS),
                        convert: &convert,
                    })?;
                }
                "threats" => {
                    let at = format!("{}.threats", self.path);
                    let convert = threat(r, &at);
                    entity.threats =
                        map.next_value_seed(List { r, at, element: Element::Scalar, convert: &convert })?;
                }
                k if ENTITY_FIELDS.contains(&k) => {
                    let Scalar(v) = map.next_value()?;
                    fields.insert(key, v);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        entity.fields = Value::Object(fields);
        Ok(Some(Read { entity, collection }))
    }
}

/// Threats: strings are kept, anything else is passed over.
pub(super) fn threat(
    r: &Reader,
    at: &str,
) -> impl Fn(Option<Value>, usize) -> Result<Option<String>, FileError> {
    let (at, file) = (at.to_owned(), r.file.to_owned());
    move |value, index| {
        if index >= MAX_THREATS {
            return Err(FileError {
                file: file.clone(),
                path: at.clone(),
                message: format!("list at most {MAX_THREATS} threats"),
            });
        }
        Ok(match value {
            Some(Value::String(s)) => Some(s),
            _ => None,
        })
    }
}
