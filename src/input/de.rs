//! A serde deserializer over [`yaml::Node`]s that reports every problem, not just the first.
//!
//! serde stops at the first error, but a consultant wants all mistakes of a file in one run.
//! So this deserializer never fails: a value of the wrong shape, an unknown key or a missing
//! required key is recorded in [`Problems`] with its path and place, and reading goes on
//! with a neutral value (empty text, an empty list, the first variant) whose path is
//! poisoned so that later checks stay quiet about it. Unknown keys are dropped before serde
//! sees them; absent keys are offered to serde as "missing" nodes, which read as `None` for
//! an `Option` field and as an error for a required one.

use std::cell::RefCell;
use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use crate::diag::{Diagnostic, Path, Problems, did_you_mean, one_of};
use crate::input::yaml::{Entry, Node, Value};

/// The struct name [`crate::input::model::Text`] asks for: a scalar is accepted in place of a
/// `{zh, en}` mapping.
pub const TEXT_STRUCT: &str = "$cfp_verify::Text";

/// Reads `node` as a `T`, recording problems; `None` only if serde itself gave up, which
/// the model's types do not do.
pub fn from_node<T: DeserializeOwned>(node: &Node, problems: &mut Problems) -> Option<T> {
    let sink = RefCell::new(std::mem::take(problems));
    let root = Path::root();
    let de = De {
        node: Some(node),
        parent: node,
        root: node,
        path: &root,
        quiet: false,
        sink: &sink,
    };
    let result = T::deserialize(de);
    *problems = sink.into_inner();
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            problems.push(Diagnostic::new(Some(node.mark), Path::root(), e.0));
            None
        }
    }
}

/// The error serde's own code may raise; never expected with the model's types.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

#[derive(Clone, Copy)]
struct De<'a, 's> {
    /// The node to read; `None` when the key is absent from its mapping.
    node: Option<&'a Node>,
    /// The mapping that holds (or lacks) the node.
    parent: &'a Node,
    /// The document, to place a missing key at the key of the mapping that lacks it.
    root: &'a Node,
    path: &'s Path,
    /// Inside a value already reported as wrong: record nothing more.
    quiet: bool,
    sink: &'s RefCell<Problems>,
}

// `path` is borrowed so that `De` stays `Copy`; owned paths live in the access structs.
impl<'a, 's> De<'a, 's> {
    fn report(&self, message: String, hint: Option<String>) {
        if self.quiet {
            return;
        }
        let mark = match self.node {
            Some(n) => n.mark,
            None => self.root.locate(self.path),
        };
        self.sink
            .borrow_mut()
            .push(Diagnostic::new(Some(mark), self.path.clone(), message).with_hint(hint));
    }

    /// The node, or `None` after reporting that a required value is absent or null.
    fn present(&self) -> Option<&'a Node> {
        match self.node {
            Some(n) if !matches!(&n.value, Value::Scalar(s) if s.is_null()) => Some(n),
            Some(_) => {
                self.report("a value is required here".into(), None);
                None
            }
            None => {
                self.report(
                    format!("missing required key `{}`", last_key(self.path)),
                    None,
                );
                None
            }
        }
    }

    /// The scalar text, or `None` after reporting what was found instead.
    fn scalar(&self, expected: &str) -> Option<&'a str> {
        let node = self.present()?;
        match &node.value {
            Value::Scalar(s) => Some(&s.text),
            _ => {
                self.report(
                    format!("expected {expected}, found {}", describe(node)),
                    None,
                );
                None
            }
        }
    }

    fn integer<V: Visitor<'a>>(self, visitor: V, min: i128, max: i128) -> Result<V::Value, Error> {
        let Some(text) = self.scalar("a whole number") else {
            return visitor.visit_u64(0);
        };
        match text.parse::<i128>() {
            Ok(n) if (min..=max).contains(&n) => {
                if n < 0 {
                    visitor.visit_i64(n as i64)
                } else {
                    visitor.visit_u64(n as u64)
                }
            }
            _ => {
                self.report(
                    format!("expected a whole number from {min} to {max}, found `{text}`"),
                    None,
                );
                visitor.visit_u64(0)
            }
        }
    }
}

fn last_key(path: &Path) -> String {
    match path.segments().last() {
        Some(crate::diag::Seg::Key(k)) => k.clone(),
        _ => path.to_string(),
    }
}

/// A short description of a node for "expected X, found Y".
fn describe(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => format!("`{}`", s.text),
        Value::Seq(_) => "a list".into(),
        Value::Map(_) => "a mapping (`key: value` lines)".into(),
    }
}

macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.integer(visitor, <$ty>::MIN as i128, <$ty>::MAX as i128)
        }
    )*};
}

impl<'de, 's> de::Deserializer<'de> for De<'de, 's> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.map(|n| &n.value) {
            None => visitor.visit_unit(),
            Some(Value::Scalar(s)) => visitor.visit_str(&s.text),
            Some(Value::Seq(_)) => self.deserialize_seq(visitor),
            Some(Value::Map(_)) => self.deserialize_map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Some(text) = self.scalar("true or false") else {
            return visitor.visit_bool(false);
        };
        match text {
            "true" | "True" | "TRUE" => visitor.visit_bool(true),
            "false" | "False" | "FALSE" => visitor.visit_bool(false),
            _ => {
                self.report(
                    format!("expected true or false, found `{text}`"),
                    Some("write `true` (是) or `false` (否)".into()),
                );
                visitor.visit_bool(false)
            }
        }
    }

    integers!(deserialize_i8: i8, deserialize_i16: i16, deserialize_i32: i32, deserialize_i64: i64,
              deserialize_u8: u8, deserialize_u16: u16, deserialize_u32: u32, deserialize_u64: u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.scalar("text").unwrap_or(""))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node {
            None => visitor.visit_none(),
            Some(n) if matches!(&n.value, Value::Scalar(s) if s.is_null()) => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: &[Node] = match self.present().map(|n| (n, &n.value)) {
            Some((_, Value::Seq(items))) => items,
            Some((node, _)) => {
                self.report(
                    format!(
                        "expected a list (`- item` lines or `[a, b]`), found {}",
                        describe(node)
                    ),
                    None,
                );
                &[]
            }
            None => &[],
        };
        visitor.visit_seq(Seq {
            items: items.iter(),
            index: 0,
            parent: self.node.unwrap_or(self.parent),
            root: self.root,
            path: self.path,
            quiet: self.quiet,
            sink: self.sink,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    /// A mapping with free keys (such as `factors`).
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let entries = match self.present().map(|n| (n, &n.value)) {
            Some((_, Value::Map(entries))) => entries
                .iter()
                .map(|e| (e.key.as_str(), Some(&e.value)))
                .collect(),
            Some((node, _)) => {
                self.report(
                    format!("expected a mapping, found {}", describe(node)),
                    None,
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        visitor.visit_map(Map::new(self, entries))
    }

    /// A mapping with known keys: unknown ones are reported and dropped, absent ones are
    /// offered as missing so that serde reads optional fields as `None`.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = if name == TEXT_STRUCT {
            // Text may be one string for both languages.
            match self.present() {
                Some(n) => match &n.value {
                    Value::Scalar(s) => return visitor.visit_str(&s.text),
                    _ => Some(n),
                },
                None => return visitor.visit_str(""),
            }
        } else {
            self.present()
        };
        let mut quiet = self.quiet;
        let entries = match node.map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                // One pass per field, not one per unknown key: a file may have thousands.
                let given: Vec<(&'static str, Option<&Node>)> = fields
                    .iter()
                    .map(|f| (*f, entries.iter().find(|e| e.key == *f).map(|e| &e.value)))
                    .collect();
                for (i, e) in entries.iter().enumerate() {
                    if !fields.contains(&e.key.as_str()) {
                        self.unknown_key(entries, i, &given);
                    }
                }
                given
            }
            other => {
                if let Some(n) = node.filter(|_| other.is_some()) {
                    let expected = if name == TEXT_STRUCT {
                        "text, or `{zh: …, en: …}`"
                    } else {
                        "a mapping (`key: value` lines)"
                    };
                    self.report(format!("expected {expected}, found {}", describe(n)), None);
                }
                quiet = true;
                fields.iter().map(|f| (*f, None)).collect()
            }
        };
        let de = De { quiet, ..self };
        visitor.visit_map(Map::new(de, entries))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let first = variants.first().copied().unwrap_or("");
        let chosen = match self.scalar(&format!("one of {}", one_of(variants))) {
            Some(text) if variants.contains(&text) => text,
            Some(text) => {
                let hint = did_you_mean(text, variants.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                self.report(
                    format!("unknown value `{text}`; expected {}", one_of(variants)),
                    hint,
                );
                first
            }
            None => first,
        };
        let access: StrDeserializer<'_, Error> = chosen.into_deserializer();
        visitor.visit_enum(access)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

impl<'a, 's> De<'a, 's> {
    /// Reports `entries[i]`'s key as unknown, with the likeliest intended key; `given` is
    /// each known field with its value, if written.
    fn unknown_key(&self, entries: &[Entry], i: usize, given: &[(&'static str, Option<&Node>)]) {
        if self.quiet {
            return;
        }
        let fields: Vec<&str> = given.iter().map(|(f, _)| *f).collect();
        let entry = &entries[i];
        let key = entry.key.as_str();
        let suggestion = did_you_mean(key, fields.iter().copied());
        let split_by_comma = i > 0
            && matches!(&entry.value.value, Value::Scalar(s) if s.plain && s.text.is_empty())
            && entries[i - 1].value.mark.line == entry.key_mark.line;
        let hint = if split_by_comma {
            format!(
                "a comma inside `{{…}}` ends a value: `{}` was cut there; quote a value that holds a comma, or leave out thousands separators",
                entries[i - 1].key
            )
        } else if let Some(s) = suggestion {
            format!("did you mean `{s}`?")
        } else {
            format!("known keys here: {}", one_of(&fields))
        };
        let mut sink = self.sink.borrow_mut();
        sink.push(
            Diagnostic::new(
                Some(entry.key_mark),
                self.path.key(key),
                format!("unknown key `{key}`"),
            )
            .with_hint(Some(hint)),
        );
        // A misspelt required key is not also "missing".
        if let Some(s) = suggestion.filter(|s| given.iter().any(|(f, v)| f == s && v.is_none())) {
            sink.poison(self.path.key(s));
        }
    }
}

struct Seq<'a, 's> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    parent: &'a Node,
    root: &'a Node,
    path: &'s Path,
    quiet: bool,
    sink: &'s RefCell<Problems>,
}

impl<'de, 's> SeqAccess<'de> for Seq<'de, 's> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let path = self.path.index(self.index);
        self.index += 1;
        let de = De {
            node: Some(node),
            parent: self.parent,
            root: self.root,
            path: &path,
            quiet: self.quiet,
            sink: self.sink,
        };
        seed.deserialize(de).map(Some)
    }
}

struct Map<'a, 's> {
    entries: std::vec::IntoIter<(&'a str, Option<&'a Node>)>,
    value: Option<(&'a str, Option<&'a Node>)>,
    parent: &'a Node,
    root: &'a Node,
    path: &'s Path,
    quiet: bool,
    sink: &'s RefCell<Problems>,
}

impl<'a, 's> Map<'a, 's> {
    fn new(de: De<'a, 's>, entries: Vec<(&'a str, Option<&'a Node>)>) -> Self {
        Map {
            entries: entries.into_iter(),
            value: None,
            parent: de.node.unwrap_or(de.parent),
            root: de.root,
            path: de.path,
            quiet: de.quiet,
            sink: de.sink,
        }
    }
}

impl<'de, 's> MapAccess<'de> for Map<'de, 's> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, node)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, node));
        let key: StrDeserializer<'_, Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, node) = self.value.take().unwrap_or(("", None));
        let path = self.path.key(key);
        let de = De {
            node,
            parent: self.parent,
            root: self.root,
            path: &path,
            quiet: self.quiet,
            sink: self.sink,
        };
        seed.deserialize(de)
    }
}
