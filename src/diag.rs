//! Diagnostics: where in the engagement file a problem is, and what to write instead.

use std::collections::HashSet;
use std::fmt;

/// A place in the engagement file: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters (not bytes).
    pub col: usize,
}

/// One step of a YAML path: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A mapping key, as written: `products`, `mass`.
    Key(String),
    /// A list index, from 0 (`[0]` is the first item).
    Index(usize),
}

/// A YAML path such as `products[0].transport[3].mass`; the root is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(Vec<Seg>);

impl Path {
    /// The document root.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// The path of `key` inside this mapping.
    pub fn key(&self, key: &str) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        Path(segs)
    }

    /// The path of item `index` of this list.
    pub fn index(&self, index: usize) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Path(segs)
    }

    /// The path of these steps from the root.
    pub fn from_segments(segments: Vec<Seg>) -> Path {
        Path(segments)
    }

    /// The steps from the root.
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// True when `self` is `prefix` or lies inside it.
    pub fn starts_with(&self, prefix: &Path) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

/// Keys that read unambiguously after a dot; others are printed quoted in brackets.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// One problem in an engagement file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where it is; `None` for problems of the file as a whole (unreadable, empty).
    pub mark: Option<Mark>,
    /// The YAML path of the value concerned; the root for document-level problems.
    pub path: Path,
    /// What is wrong and what is expected.
    pub message: String,
    /// A suggestion, where one helps.
    pub hint: Option<String>,
    /// Other places that explain it (where a duplicate key was first set), with a word each.
    pub related: Vec<(Mark, String)>,
    /// A finding's code (`material-misstatement`) when this is a warning, not a problem.
    pub warning: Option<&'static str>,
    /// More lines printed under it as notes (a finding's other languages).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A problem without a hint.
    pub fn new(mark: Option<Mark>, path: Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            mark,
            path,
            message: message.into(),
            hint: None,
            related: Vec::new(),
            warning: None,
            notes: Vec::new(),
        }
    }

    /// A finding: a warning with its code, its message in the report's first language and
    /// the others as notes.
    pub fn finding(
        mark: Option<Mark>,
        path: Path,
        code: &'static str,
        mut messages: Vec<String>,
    ) -> Diagnostic {
        let message = if messages.is_empty() {
            String::new()
        } else {
            messages.remove(0)
        };
        Diagnostic {
            warning: Some(code),
            notes: messages,
            ..Diagnostic::new(mark, path, message)
        }
    }

    /// Adds a place that explains the problem, e.g. where a duplicate key was first set.
    pub fn with_related(mut self, mark: Mark, label: impl Into<String>) -> Diagnostic {
        self.related.push((mark, label.into()));
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// `FILE:LINE:COL: PATH: message`, then the hint on its own line.
    pub fn render(&self, file: &str) -> String {
        let mut out = String::from(file);
        if let Some(m) = self.mark {
            out.push_str(&format!(":{}:{}", m.line, m.col));
        }
        out.push_str(": ");
        if !self.path.is_root() {
            out.push_str(&format!("{}: ", self.path));
        }
        out.push_str(&self.message);
        if let Some(hint) = &self.hint {
            out.push_str("\n  hint: ");
            out.push_str(hint);
        }
        out
    }
}

/// How problems are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// The engagement's line with a caret under the value, the YAML path as its label and
    /// the hint as `= help:`, as typst and rustc print theirs.
    #[default]
    Human,
    /// The same, coloured for a terminal.
    Color,
    /// One `FILE:LINE:COL: PATH: message` line (and an indented hint): for scripts and
    /// editors' problem matchers.
    Short,
}

/// The byte range of the value that starts at `mark` in the file: a quoted string to its
/// closing quote, a plain value to the next `,`, `}`, `]`, comment or line end.
fn value_range(
    files: &codespan_reporting::files::SimpleFile<&str, &str>,
    mark: Mark,
) -> Option<std::ops::Range<usize>> {
    use codespan_reporting::files::Files;
    // The file's line starts are computed once, when `files` is made.
    let lines = files.line_range((), mark.line.checked_sub(1)?).ok()?;
    let source = files.source();
    let line_start = lines.start;
    let line_end = source[lines].trim_end_matches(['\n', '\r']).len() + line_start;
    let line = &source[line_start..line_end];
    let start = line_start
        + line
            .char_indices()
            .nth(mark.col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
    let rest = &source[start..line_end];
    let len = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |e| e + 2),
        Some(_) => {
            // A key ends at its colon; a plain value at a flow delimiter or a comment.
            let end = [
                rest.find([',', '}', ']', '#']),
                rest.find(": "),
                rest.trim_end().strip_suffix(':').map(str::len),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(rest.len());
            rest[..end]
                .trim_end()
                .len()
                .max(rest.chars().next().map_or(0, char::len_utf8))
        }
        None => 0,
    };
    Some(start..start + len)
}

/// Prints `diagnostics` of the engagement `file`, whose text is `source` when it could be
/// read as UTF-8, in `style`.
pub fn render_all(
    file: &str,
    source: Option<&str>,
    diagnostics: &[Diagnostic],
    style: Style,
) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as Rich, Label};
    use codespan_reporting::files::SimpleFile;
    let source = match (style, source) {
        (Style::Short, _) | (_, None) => {
            return diagnostics
                .iter()
                .map(|d| format!("{}\n", d.render(file)))
                .collect();
        }
        (_, Some(s)) => s,
    };
    let files = SimpleFile::new(file, source);
    let mut out = String::new();
    for d in diagnostics {
        let Some(range) = d.mark.and_then(|m| value_range(&files, m)) else {
            out.push_str(&d.render(file));
            out.push('\n');
            continue;
        };
        let label = if d.path.is_root() {
            String::new()
        } else {
            d.path.to_string()
        };
        let mut labels = vec![Label::primary((), range).with_message(label)];
        for (mark, word) in &d.related {
            if let Some(r) = value_range(&files, *mark) {
                labels.push(Label::secondary((), r).with_message(word.clone()));
            }
        }
        let rich = match d.warning {
            Some(code) => Rich::warning().with_code(code),
            None => Rich::error(),
        }
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(
            d.notes
                .iter()
                .cloned()
                .chain(d.hint.iter().map(|h| format!("help: {h}")))
                .collect(),
        );
        match emit(&files, &rich, style) {
            Some(p) => out.push_str(&p),
            None => {
                out.push_str(&d.render(file));
                out.push('\n');
            }
        }
    }
    out
}

/// `rich` as codespan-reporting prints it, coloured for [`Style::Color`]; `None` when its
/// labels do not fit the file.
fn emit(
    files: &codespan_reporting::files::SimpleFile<&str, &str>,
    rich: &codespan_reporting::diagnostic::Diagnostic<()>,
    style: Style,
) -> Option<String> {
    use codespan_reporting::term::{self, Config};
    let config = Config::default();
    match style {
        Style::Color => {
            let mut buffer = term::termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, files, rich)
                .ok()
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        }
        _ => term::emit_into_string(&config, files, rich).ok(),
    }
}

/// A problem in a text other than the engagement file (a template, the generated typst
/// source): where it is, what is wrong, and the hints that help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// The file as the user would open it.
    pub file: &'a str,
    /// Its text.
    pub source: &'a str,
    /// The byte range in `source` the problem is about.
    pub range: std::ops::Range<usize>,
    /// What is wrong.
    pub message: &'a str,
    /// The words under the caret; may be empty.
    pub label: &'a str,
    /// Suggestions, each printed as a `help:` note (or an indented `hint:` line).
    pub hints: &'a [String],
}

impl Located<'_> {
    /// The problem in `style`: the line with a caret under the range (human), or one
    /// `FILE:LINE:COL: message` line and an indented line per hint (short). `None` when the
    /// range is not in the source.
    pub fn render(&self, style: Style) -> Option<String> {
        use codespan_reporting::diagnostic::{Diagnostic as Rich, Label};
        use codespan_reporting::files::{Files, SimpleFile};
        let files = SimpleFile::new(self.file, self.source);
        let range = self.range.clone();
        // A range from another text would make codespan fail or point at the wrong line.
        self.source.get(range.clone())?;
        if style == Style::Short {
            let at = files.location((), range.start).ok()?;
            let mut out = format!(
                "{}:{}:{}: {}",
                self.file, at.line_number, at.column_number, self.message
            );
            for h in self.hints {
                out.push_str(&format!("\n  hint: {h}"));
            }
            return Some(out);
        }
        let rich = Rich::error()
            .with_message(self.message)
            .with_labels(vec![Label::primary((), range).with_message(self.label)])
            .with_notes(self.hints.iter().map(|h| format!("help: {h}")).collect());
        emit(&files, &rich, style).map(|s| s.trim_end().to_owned())
    }
}

/// The problems found so far, and the paths whose values are already known to be bad.
///
/// A value that could not be read is replaced by a neutral one so that reading goes on;
/// its path is "poisoned" so that later checks do not report the same mistake again.
///
/// Both questions asked of it (is a path inside a poisoned one? was anything reported
/// inside a path?) are answered with hash look-ups over the path's prefixes, so that a
/// hostile file with tens of thousands of problems costs time linear in their number,
/// not quadratic.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Diagnostic>,
    /// Paths reported or poisoned: everything inside them is quiet.
    poisoned: HashSet<Vec<Seg>>,
    /// Every prefix of every reported path: `any_within` is one look-up.
    within: HashSet<Vec<Seg>>,
}

impl Problems {
    /// Records a problem; ignored when its path lies inside one already reported.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.is_poisoned(&diagnostic.path) {
            return;
        }
        let segs = diagnostic.path.segments();
        for n in 0..=segs.len() {
            if !self.within.contains(&segs[..n]) {
                self.within.insert(segs[..n].to_vec());
            }
        }
        self.poisoned.insert(segs.to_vec());
        self.list.push(diagnostic);
    }

    /// True when `path` or a path containing it was reported.
    pub fn is_poisoned(&self, path: &Path) -> bool {
        let segs = path.segments();
        (0..=segs.len()).any(|n| self.poisoned.contains(&segs[..n]))
    }

    /// Keeps problems at `path` from being reported (a mistake elsewhere explains them).
    pub fn poison(&mut self, path: Path) {
        self.poisoned.insert(path.0);
    }

    /// True when a problem was reported at `path` or inside it: checks that compare
    /// values under `path` with each other would only repeat it.
    pub fn any_within(&self, path: &Path) -> bool {
        self.within.contains(path.segments())
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems were reported.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The problems in file order.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut list = self.list;
        list.sort_by(|a, b| a.mark.cmp(&b.mark).then_with(|| a.path.cmp(&b.path)));
        list
    }
}

/// The closest candidate to a misspelt word, if one is close enough to suggest.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `a, b or c`, each in backticks.
pub fn one_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Most names a hint lists: a list of thousands (every factor of a large file, repeated in
/// the hint of each unknown reference) buries the problems it should help with.
pub const HINT_NAMES: usize = 8;

/// Like [`one_of`], but at most [`HINT_NAMES`] names, then how many more there are.
pub fn some_of(items: &[&str]) -> String {
    if items.len() <= HINT_NAMES {
        return one_of(items);
    }
    let shown: Vec<String> = items[..HINT_NAMES]
        .iter()
        .map(|i| format!("`{i}`"))
        .collect();
    format!(
        "{} … and {} more",
        shown.join(", "),
        items.len() - HINT_NAMES
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_yaml_paths() {
        let p = Path::root()
            .key("products")
            .index(0)
            .key("transport")
            .index(3)
            .key("mass");
        assert_eq!(p.to_string(), "products[0].transport[3].mass");
        assert_eq!(
            Path::root().key("factors").key("a.b").to_string(),
            "factors[\"a.b\"]"
        );
    }

    #[test]
    fn suggestions_need_a_close_match() {
        assert_eq!(
            did_you_mean("reprot", ["report", "engagement"]),
            Some("report")
        );
        assert_eq!(did_you_mean("ar5", ["AR4", "AR5", "AR6"]), Some("AR5"));
        assert_eq!(did_you_mean("zzz", ["report"]), None);
        assert_eq!(one_of(&["g", "kg", "t"]), "`g`, `kg` or `t`");
        assert_eq!(some_of(&["g", "kg", "t"]), "`g`, `kg` or `t`");
        let many: Vec<String> = (0..100).map(|i| format!("f{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            some_of(&many),
            "`f0`, `f1`, `f2`, `f3`, `f4`, `f5`, `f6`, `f7` … and 92 more"
        );
    }

    #[test]
    fn a_located_problem_shows_its_line_or_one_short_line() {
        let source = "first\n{% if x %}\nlast\n";
        let hints = ["close the block".to_owned()];
        let located = Located {
            file: "t/report.typ.j2",
            source,
            range: 9..11,
            message: "syntax error: unexpected end",
            label: "here",
            hints: &hints,
        };
        assert_eq!(
            located.render(Style::Short).unwrap(),
            "t/report.typ.j2:2:4: syntax error: unexpected end\n  hint: close the block"
        );
        let human = located.render(Style::Human).unwrap();
        assert!(
            human.starts_with("error: syntax error: unexpected end"),
            "{human}"
        );
        assert!(human.contains("t/report.typ.j2:2:4"), "{human}");
        assert!(human.contains("2 │ {% if x %}"), "{human}");
        assert!(human.contains("^^ here"), "{human}");
        assert!(human.contains("= help: close the block"), "{human}");
    }
}
