//! YAML source text -> a tree of nodes that remember where they were written.
//!
//! Scalars keep their source text, so `0.129` is read later as exactly 129/1000 and never
//! passes through a binary float.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::{Diagnostic, Mark, Path, Seg};

/// Most nodes a document may expand to; guards against alias bombs.
const MAX_NODES: usize = 200_000;

/// A YAML node with the place it starts at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub mark: Mark,
    pub value: Value,
}

/// The three kinds of YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar as written: its text and whether it was plain (unquoted).
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub plain: bool,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_mark: Mark,
    pub value: Node,
}

impl Scalar {
    /// True for YAML's null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        self.plain && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

impl Node {
    /// The entry for `key`, when this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Where the value at `path` is written: a scalar's own place, a list's or mapping's
    /// key (`team:` rather than its first item). When the path does not exist (a missing
    /// key), the key of the deepest mapping it reaches: `report.changes` points at `report:`.
    pub fn locate(&self, path: &Path) -> Mark {
        let mut node = self;
        let mut key_mark = None;
        for seg in path.segments() {
            let next = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => node.get(k).map(|e| (&e.value, Some(e.key_mark))),
                (Seg::Index(i), Value::Seq(items)) => items.get(*i).map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((n, k)) => {
                    node = n;
                    key_mark = k;
                }
                None => return key_mark.unwrap_or(node.mark),
            }
        }
        match (&node.value, key_mark) {
            (Value::Seq(_) | Value::Map(_), Some(k)) => k,
            _ => node.mark,
        }
    }

    /// Where the key at the end of `path` is written, if it exists.
    pub fn locate_key(&self, path: &Path) -> Option<Mark> {
        let (last, parent) = path.segments().split_last()?;
        let Seg::Key(key) = last else { return None };
        let mut node = self;
        for seg in parent {
            node = match (seg, &node.value) {
                (Seg::Key(k), _) => &node.get(k)?.value,
                (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        node.get(key).map(|e| e.key_mark)
    }
}

/// Parses one YAML document. Errors: invalid UTF-8, malformed YAML, an empty document,
/// several documents, too many nodes. Duplicate or non-scalar keys come back with the
/// tree, so that the rest of the file is still checked.
pub fn parse(bytes: &[u8]) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| vec![utf8_error(bytes, e)])?;
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            vec![
                Diagnostic::new(
                    Some(mark(*e.marker())),
                    Path::root(),
                    format!("malformed YAML: {}", e.info()),
                )
                .with_hint(Some(
                    "check the indentation and quoting near this place".into(),
                )),
            ]
        })?;
        if builder.event(event, mark(marker))? {
            break;
        }
    }
    match builder.document.map(|mut node| {
        mend_text_commas(&mut node);
        node
    }) {
        Some(node) if !matches!(&node.value, Value::Scalar(s) if s.is_null()) => {
            Ok((node, builder.problems))
        }
        _ => Err(vec![Diagnostic::new(
            None,
            Path::root(),
            "the file is empty: expected an engagement starting with `format: cfp-verify/1`",
        )]),
    }
}

/// Rejoins text that a comma split inside a `{zh: …, en: …}` flow mapping.
///
/// In `{zh: 晨诺, en: Chennuo Co., Ltd.}` YAML reads `Ltd.` as a key without a value; the
/// format's own examples are written this way, so a word that follows a `zh` or `en` text on
/// the same line with no value of its own is taken back into that text.
fn mend_text_commas(node: &mut Node) {
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(mend_text_commas),
        Value::Map(entries) => {
            if entries.iter().any(|e| e.key == "zh" || e.key == "en") {
                let mut mended: Vec<Entry> = Vec::with_capacity(entries.len());
                for entry in entries.drain(..) {
                    // `Ltd.`, `Inc`, `LLC`: not a key of the format (those are lower case).
                    let stray = matches!(&entry.value.value, Value::Scalar(s) if s.plain && s.text.is_empty())
                        && !entry
                            .key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_');
                    if let Some(prev) = mended.last_mut().filter(|p| {
                        stray
                            && (p.key == "zh" || p.key == "en")
                            && p.value.mark.line == entry.key_mark.line
                    }) && let Value::Scalar(s) = &mut prev.value.value
                        && s.plain
                    {
                        s.text.push_str(", ");
                        s.text.push_str(&entry.key);
                        continue;
                    }
                    mended.push(entry);
                }
                *entries = mended;
            }
            entries
                .iter_mut()
                .for_each(|e| mend_text_commas(&mut e.value));
        }
    }
}

fn mark(m: Marker) -> Mark {
    Mark {
        line: m.line(),
        col: m.col() + 1,
    }
}

fn utf8_error(bytes: &[u8], e: std::str::Utf8Error) -> Diagnostic {
    let good = &bytes[..e.valid_up_to()];
    let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    // The valid prefix of the line is UTF-8 by definition.
    let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    let bad = bytes[e.valid_up_to()];
    Diagnostic::new(
        Some(Mark { line, col }),
        Path::root(),
        format!("the file is not valid UTF-8 (byte 0x{bad:02X})"),
    )
    .with_hint(Some("save the file as UTF-8 (not GBK or GB 18030)".into()))
}

/// A collection being built: a list, or a mapping with the key waiting for its value.
enum Open {
    Seq(Mark, Vec<Node>),
    Map(Mark, Vec<Entry>, Option<(String, Mark)>),
}

#[derive(Default)]
struct Builder {
    /// Open collections with their anchor id and path.
    stack: Vec<(Open, usize, Path)>,
    anchors: HashMap<usize, Node>,
    document: Option<Node>,
    documents: usize,
    nodes: usize,
    problems: Vec<Diagnostic>,
}

impl Builder {
    /// Takes one event; true at the end of the stream.
    fn event(&mut self, event: Event, at: Mark) -> Result<bool, Vec<Diagnostic>> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(vec![
                        Diagnostic::new(
                            Some(at),
                            Path::root(),
                            "a second YAML document: an engagement file holds exactly one",
                        )
                        .with_hint(Some(
                            "remove the `---` line and what follows, or split the file".into(),
                        )),
                    ]);
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let plain = style == TScalarStyle::Plain;
                let node = Node {
                    mark: at,
                    value: Value::Scalar(Scalar { text, plain }),
                };
                self.finish(node, anchor)?;
            }
            Event::SequenceStart(anchor, _) => {
                let path = self.child_path();
                self.stack.push((Open::Seq(at, Vec::new()), anchor, path))
            }
            Event::MappingStart(anchor, _) => {
                let path = self.child_path();
                self.stack
                    .push((Open::Map(at, Vec::new(), None), anchor, path))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((open, anchor, _)) = self.stack.pop() {
                    let node = match open {
                        Open::Seq(m, items) => Node {
                            mark: m,
                            value: Value::Seq(items),
                        },
                        // A block mapping's start event sits after its first key: the key
                        // itself is where a reader looks.
                        Open::Map(m, entries, _) => Node {
                            mark: entries.first().map_or(m, |e| e.key_mark),
                            value: Value::Map(entries),
                        },
                    };
                    self.finish(node, anchor)?;
                }
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| {
                    vec![Diagnostic::new(
                        Some(at),
                        Path::root(),
                        "an alias to an unknown anchor",
                    )]
                })?;
                self.nodes += count(&node);
                self.finish(node, 0)?;
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(false)
    }

    /// The path of the next node placed into the collection being built.
    fn child_path(&self) -> Path {
        match self.stack.last() {
            None => Path::root(),
            Some((Open::Seq(_, items), _, p)) => p.index(items.len()),
            Some((Open::Map(_, _, Some((key, _))), _, p)) => p.key(key),
            Some((Open::Map(..), _, p)) => p.clone(),
        }
    }

    /// Places a complete node into the collection being built, or as the document.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Vec<Diagnostic>> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(vec![Diagnostic::new(
                Some(node.mark),
                Path::root(),
                format!("the document expands to more than {MAX_NODES} values (aliases?)"),
            )]);
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let path = self.child_path();
        match self.stack.last_mut() {
            None => self.document = Some(node),
            Some((Open::Seq(_, items), _, _)) => items.push(node),
            Some((Open::Map(_, entries, pending), _, _)) => match pending.take() {
                None => match node.value {
                    Value::Scalar(s) => *pending = Some((s.text, node.mark)),
                    _ => {
                        self.problems.push(Diagnostic::new(
                            Some(node.mark),
                            path,
                            "a key must be a plain word, not a list or mapping",
                        ));
                        *pending = Some((String::new(), node.mark));
                    }
                },
                Some((key, key_mark)) => {
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        self.problems.push(
                            Diagnostic::new(Some(key_mark), path, format!("duplicate key `{key}`"))
                                .with_hint(Some(format!(
                                    "it is already set on line {}; keep one",
                                    first.key_mark.line
                                ))),
                        );
                    } else {
                        entries.push(Entry {
                            key,
                            key_mark,
                            value: node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

fn count(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 1,
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|e| count(&e.value)).sum::<usize>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(node: &Node) -> &str {
        match &node.value {
            Value::Scalar(s) => &s.text,
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn keeps_source_text_and_places() {
        let (doc, _) = parse(b"a: 0.129\nb:\n  - x\n  - 1e3\n").unwrap();
        let a = &doc.get("a").unwrap().value;
        assert_eq!(scalar(a), "0.129");
        assert_eq!(a.mark, Mark { line: 1, col: 4 });
        let b1 = Path::root().key("b").index(1);
        assert_eq!(doc.locate(&b1), Mark { line: 4, col: 5 });
        assert_eq!(
            doc.locate(&Path::root().key("b").index(7)),
            Mark { line: 2, col: 1 }
        );
    }

    #[test]
    fn rejects_what_is_not_one_document() {
        assert!(parse(b"").is_err());
        assert!(parse(b"# only a comment\n").is_err());
        assert!(parse(b"a: 1\n---\nb: 2\n").is_err());
        let (_, dup) = parse(b"a: 1\nb:\n  - {c: 1, c: 2}\n").unwrap();
        assert!(dup[0].message.contains("duplicate key `c`"));
        assert_eq!(dup[0].path.to_string(), "b[0].c");
        let bad = parse(b"a: 1\nb: \xff\n").unwrap_err();
        assert_eq!(bad[0].mark, Some(Mark { line: 2, col: 4 }));
    }

    #[test]
    fn commas_inside_flow_texts_are_mended() {
        let (doc, _) = parse(
            b"name: {zh: \xe6\x99\xa8\xe8\xaf\xba, en: Chennuo Co., Ltd.}\nx: {en: a, b: 1}\ny: {zh: a, en: }\n",
        )
        .unwrap();
        // `en:` with no value is an empty English text, not a continuation.
        assert!(doc.get("y").unwrap().value.get("en").is_some());
        let name = &doc.get("name").unwrap().value;
        assert_eq!(scalar(&name.get("en").unwrap().value), "Chennuo Co., Ltd.");
        assert!(name.get("Ltd.").is_none());
        // A key with a value of its own is a key, reported as unknown later.
        assert!(doc.get("x").unwrap().value.get("b").is_some());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(err[0].message.contains("more than"));
    }
}
