//! YAML source text -> a tree of nodes that remember where they were written.
//!
//! Scalars keep their source text, so `0.129` is read later as exactly 129/1000 and never
//! passes through a binary float.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::{Diagnostic, Mark, Path, Seg};

/// Most values a file may write. An inventory line in flow style is about 40 values, so
/// this admits well over 100,000 lines; what it bounds is the memory a file can claim.
pub const MAX_NODES: usize = 6_000_000;

/// Most values aliases (`*name`) may copy in all. Each alias copies its anchor's whole
/// value, so a few lines of nested aliases can expand to billions ("billion laughs"); the
/// copies are counted apart from the values written, which cost their own bytes.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Deepest nesting of lists and mappings: the readers after the parser recurse, and an
/// engagement nests about six levels.
pub const MAX_DEPTH: usize = 100;

/// A YAML node with the place it starts at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts in the file.
    pub mark: Mark,
    /// What the node holds.
    pub value: Value,
}

/// The three kinds of YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar: its source text, unread.
    Scalar(Scalar),
    /// A list, items in file order.
    Seq(Vec<Node>),
    /// A mapping, entries in file order.
    Map(Vec<Entry>),
}

/// A scalar as written: its text and whether it was plain (unquoted).
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The scalar's source text, with quotes and escapes resolved; never converted to a
    /// number here.
    pub text: String,
    /// True when written without quotes (so `null`, `~` or an empty value can mean null).
    pub plain: bool,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key is written (for messages about the key rather than its value).
    pub key_mark: Mark,
    /// The value under the key.
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
    parse_joining(bytes, &mut Vec::new())
}

/// A text that a comma split inside a `{zh: …, en: …}` flow mapping and that [`parse`]
/// joined back: `{en: Chennuo Co., Ltd.}` is read by other YAML tools as a mapping with a
/// third key `Ltd.`, so the value should be quoted.
#[derive(Clone, Debug, PartialEq)]
pub struct Joined {
    /// Where the text starts.
    pub mark: Mark,
    /// The text's YAML path (`client.name.en`).
    pub path: Path,
    /// The text as joined back: `Chennuo Co., Ltd.`.
    pub text: String,
}

/// The texts [`parse`] joins back (see [`Joined`]), in file order; none for a file it cannot
/// parse.
pub fn joined_texts(bytes: &[u8]) -> Vec<Joined> {
    let mut joined = Vec::new();
    let _ = parse_joining(bytes, &mut joined);
    joined.sort_by_key(|j| j.mark);
    joined
}

/// [`parse`], recording the texts it joins back in `joined`.
fn parse_joining(
    bytes: &[u8],
    joined: &mut Vec<Joined>,
) -> Result<(Node, Vec<Diagnostic>), Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| vec![utf8_error(bytes, e)])?;
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, marker) = parser
            .next_token()
            .map_err(|e| vec![malformed(text, &builder, mark(*e.marker()), e.info())])?;
        if builder.event(event, mark(marker))? {
            break;
        }
    }
    match builder.document.map(|mut node| {
        mend_text_commas(&mut node, &Path::root(), joined);
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
fn mend_text_commas(node: &mut Node, path: &Path, joined: &mut Vec<Joined>) {
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items
            .iter_mut()
            .enumerate()
            .for_each(|(i, n)| mend_text_commas(n, &path.index(i), joined)),
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
                        let at = path.key(&prev.key);
                        match joined.iter_mut().find(|j| j.path == at) {
                            Some(j) => j.text.clone_from(&s.text),
                            None => joined.push(Joined {
                                mark: prev.value.mark,
                                path: at,
                                text: s.text.clone(),
                            }),
                        }
                        continue;
                    }
                    mended.push(entry);
                }
                *entries = mended;
            }
            entries
                .iter_mut()
                .for_each(|e| mend_text_commas(&mut e.value, &path.key(&e.key), joined));
        }
    }
}

/// The message for YAML the parser cannot read.
///
/// An unclosed `[` or `{` makes the parser read the next lines as part of the list, and it
/// stops at some `:` there; the place to fix is the bracket, so that is what is named.
fn malformed(text: &str, builder: &Builder, at: Mark, info: &str) -> Diagnostic {
    let open_flow = builder.stack.last().and_then(|(open, _, path)| {
        let m = match open {
            Open::Seq(m, _) => *m,
            Open::Map(m) => m.mark,
        };
        let c = text
            .lines()
            .nth(m.line.checked_sub(1)?)?
            .chars()
            .nth(m.col.checked_sub(1)?)?;
        matches!(c, '[' | '{').then(|| (c, m, path.clone()))
    });
    match open_flow {
        Some((c, m, path)) if at.line > m.line => {
            let close = if c == '[' { ']' } else { '}' };
            Diagnostic::new(
                Some(m),
                path,
                format!(
                    "malformed YAML: the `{c}` opened on line {}, column {} is never closed (reading on, YAML stopped at line {}, column {}: {info})",
                    m.line, m.col, at.line, at.col
                ),
            )
            .with_hint(Some(format!(
                "close it with `{close}` on line {}, or quote a value that holds `,`, `:`, `[`, `]`, `{{` or `}}`",
                m.line
            )))
        }
        _ => Diagnostic::new(Some(at), Path::root(), format!("malformed YAML: {info}")).with_hint(
            Some("check the indentation and quoting near this place".into()),
        ),
    }
}

/// A tag as written: `!!binary`, `!python/object`.
fn tag_text(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        handle => format!("{handle}{}", tag.suffix),
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

/// A collection being built: a list, or a mapping.
enum Open {
    Seq(Mark, Vec<Node>),
    Map(OpenMap),
}

/// A mapping being built, with the key waiting for its value.
struct OpenMap {
    mark: Mark,
    entries: Vec<Entry>,
    pending: Option<(String, Mark)>,
    /// Key -> index into `entries`, once the mapping is large enough that looking for a
    /// duplicate key by scanning would make a file of many keys quadratic.
    index: Option<HashMap<String, usize>>,
}

/// Mappings up to this size find duplicate keys by scanning, which is faster when small.
const SCAN_KEYS: usize = 16;

impl OpenMap {
    fn new(mark: Mark) -> OpenMap {
        OpenMap {
            mark,
            entries: Vec::new(),
            pending: None,
            index: None,
        }
    }

    fn find(&self, key: &str) -> Option<&Entry> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| &self.entries[i]),
            None => self.entries.iter().find(|e| e.key == key),
        }
    }

    fn push(&mut self, entry: Entry) {
        if self.index.is_none() && self.entries.len() >= SCAN_KEYS {
            let index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
            self.index = Some(index);
        }
        if let Some(index) = &mut self.index {
            index.insert(entry.key.clone(), self.entries.len());
        }
        self.entries.push(entry);
    }
}

#[derive(Default)]
struct Builder {
    /// Open collections with their anchor id and path.
    stack: Vec<(Open, usize, Path)>,
    /// Anchored values with how many values each holds.
    anchors: HashMap<usize, (Node, usize)>,
    document: Option<Node>,
    documents: usize,
    /// Values written in the file.
    nodes: usize,
    /// Values copied by aliases.
    alias_nodes: usize,
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
            Event::Scalar(text, style, anchor, tag) => {
                self.tag(tag, at);
                let plain = style == TScalarStyle::Plain;
                let node = Node {
                    mark: at,
                    value: Value::Scalar(Scalar { text, plain }),
                };
                self.count_written(at)?;
                self.finish(node, anchor, 1)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.tag(tag, at);
                self.open(Open::Seq(at, Vec::new()), anchor, at)?;
            }
            Event::MappingStart(anchor, tag) => {
                self.tag(tag, at);
                self.open(Open::Map(OpenMap::new(at)), anchor, at)?;
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
                        Open::Map(map) => Node {
                            mark: map.entries.first().map_or(map.mark, |e| e.key_mark),
                            value: Value::Map(map.entries),
                        },
                    };
                    // Only an anchored value needs its size (for the aliases to it).
                    let size = if anchor > 0 { count(&node) } else { 0 };
                    self.finish(node, anchor, size)?;
                }
            }
            Event::Alias(id) => {
                let Some((anchored, size)) = self.anchors.get(&id) else {
                    return Err(vec![Diagnostic::new(
                        Some(at),
                        Path::root(),
                        "an alias to an unknown anchor",
                    )]);
                };
                // Counted before copying, so that a bomb is refused before it takes memory.
                self.alias_nodes += size;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(vec![
                        Diagnostic::new(
                            Some(at),
                            self.child_path(),
                            format!(
                                "the aliases (`*name`) up to here copy more than {MAX_ALIAS_NODES} values: cfp-verify refuses files that expand like a YAML alias bomb (\"billion laughs\")"
                            ),
                        )
                        .with_hint(Some(
                            "write the values out, or alias only small values such as `data: *measured`".into(),
                        )),
                    ]);
                }
                let node = anchored.clone();
                let size = *size;
                self.finish(node, 0, size)?;
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(false)
    }

    /// Records a tag (`!!binary`, `!python/object`) as a problem: a tag asks for a type the
    /// engagement format does not have, and ignoring it would read the value as something
    /// its writer did not mean.
    fn tag(&mut self, tag: Option<Tag>, at: Mark) {
        if let Some(tag) = tag {
            let text = tag_text(&tag);
            // A block mapping's start event sits at its first key, a line below the tag;
            // the key the tag follows is on the tag's line.
            let at = match self.stack.last() {
                Some((
                    Open::Map(OpenMap {
                        pending: Some((_, key)),
                        ..
                    }),
                    ..,
                )) if key.line < at.line => *key,
                _ => at,
            };
            self.problems.push(
                Diagnostic::new(
                    Some(at),
                    self.child_path(),
                    format!("YAML tags such as `{text}` are not supported"),
                )
                .with_hint(Some(format!(
                    "remove `{text}` and write the value as plain text, a list or a mapping"
                ))),
            );
        }
    }

    /// Counts one value written in the file.
    fn count_written(&mut self, at: Mark) -> Result<(), Vec<Diagnostic>> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(vec![
                Diagnostic::new(
                    Some(at),
                    Path::root(),
                    format!(
                        "the file holds more than {MAX_NODES} values (keys, texts, numbers, lists and mappings): more than cfp-verify reads from one engagement"
                    ),
                )
                .with_hint(Some(
                    "about 100,000 inventory lines fit; split the engagement into several files"
                        .into(),
                )),
            ]);
        }
        Ok(())
    }

    /// Opens a list or mapping.
    fn open(&mut self, open: Open, anchor: usize, at: Mark) -> Result<(), Vec<Diagnostic>> {
        self.count_written(at)?;
        let path = self.child_path();
        if self.stack.len() >= MAX_DEPTH {
            return Err(vec![Diagnostic::new(
                Some(at),
                path,
                format!(
                    "lists and mappings nested more than {MAX_DEPTH} levels deep: an engagement nests about six"
                ),
            )]);
        }
        self.stack.push((open, anchor, path));
        Ok(())
    }

    /// The path of the next node placed into the collection being built.
    fn child_path(&self) -> Path {
        match self.stack.last() {
            None => Path::root(),
            Some((Open::Seq(_, items), _, p)) => p.index(items.len()),
            Some((
                Open::Map(OpenMap {
                    pending: Some((key, _)),
                    ..
                }),
                _,
                p,
            )) => p.key(key),
            Some((Open::Map(_), _, p)) => p.clone(),
        }
    }

    /// Places a complete node of `size` values into the collection being built, or as the
    /// document.
    fn finish(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), Vec<Diagnostic>> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let path = self.child_path();
        match self.stack.last_mut() {
            None => self.document = Some(node),
            Some((Open::Seq(_, items), _, _)) => items.push(node),
            Some((Open::Map(map), _, _)) => match map.pending.take() {
                None => match node.value {
                    Value::Scalar(s) => map.pending = Some((s.text, node.mark)),
                    _ => {
                        self.problems.push(Diagnostic::new(
                            Some(node.mark),
                            path,
                            "a key must be a plain word, not a list or mapping",
                        ));
                        map.pending = Some((String::new(), node.mark));
                    }
                },
                Some((key, key_mark)) => {
                    if let Some(first) = map.find(&key) {
                        self.problems.push(
                            Diagnostic::new(Some(key_mark), path, format!("duplicate key `{key}`"))
                                .with_hint(Some(format!(
                                    "it is already set on line {}; keep one",
                                    first.key_mark.line
                                )))
                                .with_related(first.key_mark, "first set here"),
                        );
                    } else {
                        map.push(Entry {
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

/// The values in `node`, keys included: what a copy of it costs.
fn count(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 1,
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|e| 1 + count(&e.value)).sum::<usize>(),
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
