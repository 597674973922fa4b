//! The minijinja environment that turns a [`View`] into typst source.
//!
//! Every value a template prints is escaped for typst markup: it is written as a typst
//! string literal, `#"…";`, inside which only `\`, `"` and control characters need care,
//! so `#read(..)`, `*bold*`, `$x$`, `]`, `@ref` or `<label>` in the engagement come out as
//! the characters they are. The `;` ends the expression, so a `.` or `(` that follows in
//! the template cannot extend it. A misspelt variable is an error, not an empty cell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use crate::present::wording::{Catalogue, WORDING, WordingError};
use crate::report::view::View;

/// The templates built into the binary, by name: each style's folder (`default/`) and the
/// shared `common/` (macros and the wording catalogue). A file of the same name in
/// `--templates DIR` replaces one (`DIR/default/report.typ.j2`).
pub static TEMPLATES: &[(&str, &str)] = &[
    (
        "default/report.typ.j2",
        include_str!("../../templates/default/report.typ.j2"),
    ),
    (
        "default/style.typ.j2",
        include_str!("../../templates/default/style.typ.j2"),
    ),
    (
        "common/macros.typ.j2",
        include_str!("../../templates/common/macros.typ.j2"),
    ),
    (WORDING, include_str!("../../templates/common/wording.yaml")),
];

/// The style a report has unless `--style` names another.
pub const DEFAULT_STYLE: &str = "default";

/// The built-in file `name`.
pub fn builtin(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A template problem: which template, where in it, and what went wrong.
///
/// Displayed as one line, `template NAME:LINE: kind: detail`; with [`TemplateError::text`]
/// and [`TemplateError::range`] a caller can also show the offending line.
#[derive(Debug, thiserror::Error)]
#[error("template {}{}", self.place(), self.message)]
pub struct TemplateError {
    /// The template as a file the user can open: `DIR/NAME` for one read from
    /// `--templates DIR`, the bare name for a built-in one.
    pub file: Option<String>,
    /// What went wrong: the kind of error and its detail.
    pub message: String,
    /// The minijinja error this was made from: it knows the template, line and range.
    #[source]
    pub error: Error,
}

impl TemplateError {
    /// The template's name (`report.typ.j2`), when known.
    pub fn name(&self) -> Option<&str> {
        self.error.name()
    }

    /// The 1-based line of the problem in the template, when known.
    pub fn line(&self) -> Option<usize> {
        self.error.line()
    }

    /// The byte range of the offending expression in [`TemplateError::text`], when known.
    pub fn range(&self) -> Option<std::ops::Range<usize>> {
        self.error.range()
    }

    /// The template's text, when known.
    pub fn text(&self) -> Option<&str> {
        self.error.template_source()
    }

    /// `NAME:LINE: `, `NAME: ` or nothing.
    fn place(&self) -> String {
        match (self.name(), self.line()) {
            (Some(n), Some(l)) => format!("{n}:{l}: "),
            (Some(n), None) => format!("{n}: "),
            _ => String::new(),
        }
    }
}

impl From<Error> for TemplateError {
    fn from(e: Error) -> Self {
        let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
        TemplateError {
            file: e.name().map(str::to_owned),
            message: format!("{}{detail}", e.kind()),
            error: e,
        }
    }
}

/// Writes `s` as a typst string literal's contents.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // A thin space (grouped figures): the style typesets it as spacing, no font needs
            // a glyph for it.
            '\u{2009}' => out.push_str("\\u{2009}"),
            // A word joiner (a standard's number kept whole) and a no-break space (a figure
            // kept with its unit): invisible in an editor.
            '\u{2060}' => out.push_str("\\u{2060}"),
            '\u{a0}' => out.push_str("\\u{a0}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prints a value into typst markup: a string literal expression, unless marked safe.
fn typst_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if value.is_safe()
        || !matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "typst")
    {
        return minijinja::escape_formatter(out, state, value);
    }
    if value.is_none() {
        return Ok(());
    }
    let text = match value.as_str() {
        Some(s) => s.to_owned(),
        None => value.to_string(),
    };
    out.write_str(&typst_markup(&text))
        .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
}

/// `text` as typst markup: string literals, a figure grouped with thin spaces (`1 550 204.46`)
/// in a box of its own so that it stays on one line, and a chemical formula's digit as a
/// subscript (`CO#sub[2]e`). The words are printed as written, with typographic mends that
/// cannot change their meaning: an apostrophe between letters is the typographic one
/// (`client’s`); a standard's number stays whole across a full-width colon (`ISO 14067：2018`,
/// a word joiner after the colon); a figure stays with the unit or word after it
/// (`116767.89 kgCO2e`, `2023 年`: a no-break space), and a standard's name with its number
/// (`ISO 14067`, `GB/T 24067`). An invisible character (a word joiner) only after a
/// standard's colon: it is in the PDF's text, where it would break a search.
///
/// These were typst show rules on regular expressions: done here, once per text, they cost
/// the typesetting nothing, where the rules had every text run of the report matched.
fn typst_markup(text: &str) -> String {
    let mended = typographic(text);
    let text = mended.as_deref().unwrap_or(text);
    let kept = kept_together(text);
    formulas(kept.as_deref().unwrap_or(text))
}

/// The chemical formulas whose digit is a subscript.
const FORMULAS: [&str; 6] = ["CO2", "CH4", "N2O", "SF6", "NF3", "CF4"];

/// `text` as markup, each formula's digit a subscript: `#"kgCO";#sub[#"2";]#"e";`.
fn formulas(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut rest = text;
    while let Some((at, f)) = FORMULAS
        .iter()
        .filter_map(|f| rest.find(f).map(|at| (at, f)))
        .min()
    {
        // The digit: last in CO2, in the middle of N2O.
        let digit = at + f.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        if digit > 0 {
            out.push_str(&figures(&rest[..digit]));
        }
        out.push_str(&format!(
            "#sub[#{};]",
            typst_string(&rest[digit..digit + 1])
        ));
        rest = &rest[digit + 1..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push_str(&figures(rest));
    }
    out
}

/// `text` as string literals, a figure grouped with thin spaces (`1 550 204.46`) in a box of
/// its own, so that it stays on one line.
fn figures(text: &str) -> String {
    if !text.contains('\u{2009}') {
        return format!("#{};", typst_string(text));
    }
    let in_figure = |c: char| c.is_ascii_digit() || c == '.' || c == '\u{2009}';
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let figure = in_figure(c);
        let end = rest
            .find(|c: char| in_figure(c) != figure)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        if figure && piece.contains('\u{2009}') {
            out.push_str(&format!("#box[#{};]", typst_string(piece)));
        } else {
            out.push_str(&format!("#{};", typst_string(piece)));
        }
        rest = tail;
    }
    out
}

/// The standards whose name is kept with its number.
const STANDARDS: [&str; 6] = ["ISO/TS", "ISO", "PAS", "GB/T", "GB", "IPCC"];

/// The no-break spaces and word joiners of [`typst_markup`], or `None` when there is
/// nothing to keep together.
fn kept_together(text: &str) -> Option<String> {
    if !text.contains(' ') {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    let mut changed = false;
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i + 1).copied();
        let keep = c == ' '
            && ((after.is_some_and(char::is_alphabetic)
                && before.is_some_and(|b| b.is_ascii_digit()))
                || (after.is_some_and(|a| a.is_ascii_digit()) && ends_with_standard(&chars[..i])));
        if keep {
            out.push('\u{a0}');
            changed = true;
        } else {
            out.push(c);
        }
    }
    changed.then_some(out)
}

/// Whether `head` ends in a standard's name written as a word of its own (`《ISO`, `不满足GB/T`,
/// not `XPAS`).
fn ends_with_standard(head: &[char]) -> bool {
    STANDARDS.iter().any(|s| {
        let n = s.chars().count();
        head.len() >= n
            && head[head.len() - n..].iter().copied().eq(s.chars())
            && !head[..head.len() - n]
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The mends of [`typst_markup`], or `None` when there is nothing to mend.
fn typographic(text: &str) -> Option<String> {
    if !text.contains(['\'', '：']) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| {
        (
            chars.get(i.wrapping_sub(1)).copied(),
            chars.get(i + 1).copied(),
        )
    };
    // A plural's apostrophe (`the companies' conformity`) looks like a closing quote: it is
    // taken as one only when no quote opens in the text (`'` after a space, before a letter).
    let quotes = (0..chars.len()).any(|i| {
        let (before, after) = at(i);
        chars[i] == '\''
            && before.is_none_or(|b| b.is_whitespace() || "([“".contains(b))
            && after.is_some_and(char::is_alphabetic)
    });
    let mut out = String::with_capacity(text.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let (before, after) = at(i);
        match c {
            '\'' if before.is_some_and(char::is_alphanumeric)
                && after.is_some_and(char::is_alphabetic) =>
            {
                out.push('\u{2019}')
            }
            '\'' if !quotes
                && before == Some('s')
                && after.is_none_or(|a| a.is_whitespace() || ",.;:)".contains(a)) =>
            {
                out.push('\u{2019}')
            }
            '：' if after.is_some_and(|c| c.is_ascii_digit()) && standard_number(&chars[..i]) => {
                out.push_str("：\u{2060}")
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// Whether `head` ends in a standard's name and number (`ISO 14067`, `GB/T 24067`): the
/// full-width colon after it gives the standard's year, and stays with it. Not after any
/// figure (`零件00096：96.55 kg` is a name and its quantity).
fn standard_number(head: &[char]) -> bool {
    let digits = head
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit() || **c == '.' || **c == '-')
        .count();
    let Some(rest) = head.len().checked_sub(digits + 1) else {
        return false;
    };
    digits > 0 && matches!(head[rest], ' ' | '\u{a0}') && ends_with_standard(&head[..rest])
}

/// `|str`: a value as a typst string literal for code (`image({{ path|str }})`).
fn str_filter(value: Value) -> Value {
    let text = value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string());
    Value::from_safe_string(typst_string(&text))
}

/// `|ratio`: a share such as `36.74%` for a bar's width; anything else is `0%`.
fn ratio_filter(value: Value) -> Value {
    let text = value.as_str().unwrap_or("");
    let ok = text
        .strip_suffix('%')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
    Value::from_safe_string(if ok { text.to_owned() } else { "0%".into() })
}

/// `is latin`: a text without Chinese characters or full-width forms (a name written once
/// for both languages, `Wang Lei`, `ZW32-12`): printed once, tagged English.
/// A Chinese text whose last two characters (with the punctuation after them) are kept
/// together, so that a narrow cell never ends with one character alone on its last line
/// (`统一社会信用代 / 码`). Typeset markup, not a show rule: a rule on every Chinese run
/// cost a third of the report's time. Any other value is returned as it is.
fn keep_end_filter(value: Value) -> Value {
    let Some(text) = value.as_str() else {
        return value;
    };
    let han =
        |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c);
    let punctuation = |c: char| "。，；：、）》”".contains(c);
    let body = text.trim_end_matches(punctuation);
    let mut last = body.char_indices().rev();
    let split = match (last.next(), last.next()) {
        (Some((_, a)), Some((i, b))) if han(a) && han(b) => i,
        _ => return value,
    };
    if split == 0 {
        return value;
    }
    let (head, tail) = text.split_at(split);
    Value::from_safe_string(format!(
        "{}#box[{}]",
        typst_markup(head),
        typst_markup(tail)
    ))
}

fn latin_test(value: Value) -> bool {
    let cjk = |c: char| {
        ('\u{2E80}'..='\u{9FFF}').contains(&c)
            || ('\u{F900}'..='\u{FAFF}').contains(&c)
            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
    };
    value.as_str().is_some_and(|s| !s.chars().any(cjk))
}

/// The templates a report was rendered with that are not the built-in ones, by name.
pub type Overrides = BTreeMap<String, String>;

/// At most this many minijinja instructions per report: a template that loops for ever
/// (or for a very long time) is stopped with an error instead of hanging `render` or
/// `verify`. The built-in templates use about 1% of it for the sample.
pub const FUEL: u64 = 50_000_000;

/// A folder of templates replacing built-in ones (`--templates DIR`).
///
/// Files are read through a handle on the folder that cannot leave it: `..`, absolute
/// names and symbolic links that lead outside are refused. Only the templates the report
/// asks for are read (and then attached to the PDF), so nothing else in the folder, such
/// as a `secrets.env`, can reach the output.
#[derive(Debug)]
pub struct TemplateDir {
    path: PathBuf,
    dir: cap_std::fs::Dir,
}

impl TemplateDir {
    /// Opens `path`.
    pub fn open(path: &Path) -> std::io::Result<TemplateDir> {
        let dir = cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(TemplateDir {
            path: path.to_path_buf(),
            dir,
        })
    }

    /// The folder as the user named it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The template `name` from the folder, if it has one.
    fn read(&self, name: &str) -> std::io::Result<Option<String>> {
        if !is_template_name(name) && name != WORDING {
            return Ok(None);
        }
        match self.dir.read_to_string(name) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The names of the template files (`*.j2`, and the wording catalogue) in the folder
    /// and its subfolders (`default/report.typ.j2`), sorted.
    pub fn names(&self) -> std::io::Result<Vec<String>> {
        let mut names = Vec::new();
        list(&self.dir, "", 0, &mut names)?;
        names.sort();
        Ok(names)
    }

    /// The styles the folder has: its subfolders with a `report.typ.j2`.
    fn styles(&self) -> Vec<String> {
        self.names()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| n.strip_suffix("/report.typ.j2").map(str::to_owned))
            .filter(|s| !s.contains('/') && s != "common")
            .collect()
    }
}

/// Adds the template names under `dir` (whose name is `prefix`) to `out`, three levels deep
/// at most (`style/sections/x.typ.j2`).
fn list(
    dir: &cap_std::fs::Dir,
    prefix: &str,
    depth: usize,
    out: &mut Vec<String>,
) -> std::io::Result<()> {
    for entry in dir.entries()? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let full = format!("{prefix}{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() && depth < 2 && !name.starts_with('.') {
            list(&entry.open_dir()?, &format!("{full}/"), depth + 1, out)?;
        } else if kind.is_file() && (is_template_name(&full) || full == WORDING) {
            out.push(full);
        }
    }
    Ok(())
}

/// A template's name: `report.typ.j2` or `sections/cover.typ.j2`, never absolute, hidden
/// or with `..` (the folder handle refuses those too; this keeps the messages plain).
fn is_template_name(name: &str) -> bool {
    name.ends_with(".j2")
        && !name.contains(['\\', ':'])
        && name
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.'))
}

/// The typst source of a report, and the templates of the folder it used.
#[derive(Debug)]
pub struct Rendered {
    /// The generated typst source.
    pub typst: String,
    /// The templates read from the `--templates` folder, by name.
    pub used: Overrides,
    /// Files of the folder that look like templates but were not used (misspelt names).
    pub unused: Vec<String>,
}

/// The environment: the built-in templates, replaced by those of `dir`. The templates read
/// from `dir` are recorded in `used`.
fn environment_with(
    dir: Option<std::sync::Arc<TemplateDir>>,
    used: std::sync::Arc<std::sync::Mutex<Overrides>>,
    catalogue: std::sync::Arc<Catalogue>,
) -> Environment<'static> {
    let mut env = Environment::new();
    // `./style.typ.j2` is the file beside the including one: a style folder copied under
    // another name keeps working.
    env.set_path_join_callback(|name, parent| match name.strip_prefix("./") {
        Some(rest) => match parent.rsplit_once('/') {
            Some((folder, _)) => format!("{folder}/{rest}").into(),
            None => rest.to_owned().into(),
        },
        None => name.into(),
    });
    env.add_function("w", move |key: &str, args: Kwargs| {
        wording(&catalogue, key, args)
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    // Template errors then say where in the template they are, in release builds too.
    env.set_debug(true);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ.j2") {
            AutoEscape::Custom("typst".into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(typst_formatter);
    env.add_filter("str", str_filter);
    env.add_filter("ratio", ratio_filter);
    env.add_test("latin", latin_test);
    env.add_filter("keep_end", keep_end_filter);
    env.set_loader(move |name| {
        if let Some(dir) = &dir {
            match dir.read(name) {
                Ok(Some(text)) => {
                    used.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(name.to_owned(), text.clone());
                    return Ok(Some(text));
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        format!(
                            "cannot read `{name}` from {}: {e} (templates are read from inside the folder only)",
                            dir.path().display()
                        ),
                    ));
                }
            }
        }
        Ok(builtin(name).filter(|_| name != WORDING).map(str::to_owned))
    });
    env
}

/// `w("key", name=value, …)`: the catalogue's text for `key` as `{zh, en}`, each `{name}`
/// filled with the value's text in that language (a `{zh, en}` value) or the value itself.
fn wording(catalogue: &Catalogue, key: &str, args: Kwargs) -> Result<Value, Error> {
    use crate::engagement::Bi;
    if catalogue.get(key).is_none() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("`{key}` is not a key of the wording catalogue ({WORDING})"),
        ));
    }
    let mut values: Vec<(&str, Bi)> = Vec::new();
    for name in args.args() {
        let v: Value = args.get(name)?;
        let text = |lang: &str| match v.get_attr(lang) {
            Ok(t) if !t.is_undefined() && !t.is_none() => {
                t.as_str().map_or(t.to_string(), str::to_owned)
            }
            _ => v.as_str().map_or(v.to_string(), str::to_owned),
        };
        values.push((
            name,
            Bi {
                zh: text("zh"),
                en: text("en"),
            },
        ));
    }
    let refs: Vec<(&str, &Bi)> = values.iter().map(|(n, b)| (*n, b)).collect();
    let out = catalogue.word(key, &refs);
    Ok(Value::from_pairs([("zh", out.zh), ("en", out.en)]))
}

/// The wording a report is made with: the built-in catalogue, with the keys of a
/// `--templates` folder's `common/wording.yaml` replaced.
#[derive(Debug, Clone)]
pub struct Wording {
    /// The catalogue: built-in wording with the folder's keys put in their place.
    pub catalogue: std::sync::Arc<Catalogue>,
    /// The folder's catalogue file, when it has one (recorded and attached like a template).
    pub text: Option<String>,
}

impl Wording {
    /// The built-in wording.
    pub fn builtin() -> Wording {
        Wording {
            catalogue: std::sync::Arc::new(Catalogue::builtin().clone()),
            text: None,
        }
    }

    /// The wording of `dir` (the built-in one without a folder, or when it has no catalogue).
    pub fn load(dir: Option<&TemplateDir>) -> Result<Wording, WordingError> {
        let Some(dir) = dir else {
            return Ok(Wording::builtin());
        };
        let text = dir.read(WORDING).map_err(|e| {
            WordingError(format!(
                "cannot read `{WORDING}` from {}: {e}",
                dir.path().display()
            ))
        })?;
        let Some(text) = text else {
            return Ok(Wording::builtin());
        };
        let file = dir.path().join(WORDING);
        let catalogue = Catalogue::builtin().with_overrides(&file.display().to_string(), &text)?;
        Ok(Wording {
            catalogue: std::sync::Arc::new(catalogue),
            text: Some(text),
        })
    }
}

/// A `--style` that neither the built-in templates nor the templates folder have.
#[derive(Debug, thiserror::Error)]
#[error("unknown style `{style}`; the styles are {}", known.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))]
pub struct UnknownStyle {
    /// The style asked for.
    pub style: String,
    /// The styles there are, sorted.
    pub known: Vec<String>,
}

/// `Ok` when `style` is one of the built-in styles or those of `dir`.
pub fn check_style(dir: Option<&TemplateDir>, style: &str) -> Result<(), UnknownStyle> {
    let known = styles(dir);
    if known.iter().any(|s| s == style) {
        Ok(())
    } else {
        Err(UnknownStyle {
            style: style.to_owned(),
            known,
        })
    }
}

/// The styles there are: the built-in ones and those of `dir`, sorted.
pub fn styles(dir: Option<&TemplateDir>) -> Vec<String> {
    let mut out: Vec<String> = TEMPLATES
        .iter()
        .filter_map(|(n, _)| n.strip_suffix("/report.typ.j2").map(str::to_owned))
        .chain(dir.map(|d| d.styles()).unwrap_or_default())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The environment with the built-in templates only (for tests of template features).
pub fn environment() -> Environment<'static> {
    environment_with(None, Default::default(), Wording::builtin().catalogue)
}

/// Renders the report's typst source in `style` with the built-in templates, or those of
/// `dir`, and the `wording`.
pub fn render(
    view: &View,
    dir: Option<&std::sync::Arc<TemplateDir>>,
    style: &str,
    wording: &Wording,
) -> Result<Rendered, TemplateError> {
    let used = std::sync::Arc::new(std::sync::Mutex::new(Overrides::new()));
    let env = environment_with(dir.cloned(), used.clone(), wording.catalogue.clone());
    // A template read from the folder is named by its path there, so that the user can
    // open the file the error is in.
    let located = |e: Error| {
        let mut error = TemplateError::from(e);
        if let (Some(d), Some(name)) = (dir, error.name())
            && used
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(name)
        {
            error.file = Some(d.path().join(name).display().to_string());
        }
        error
    };
    let template = env
        .get_template(&format!("{style}/report.typ.j2"))
        .map_err(located)?;
    let typst = template.render(Serde(view)).map_err(located)?;
    drop(env);
    let mut used = std::mem::take(&mut *used.lock().unwrap_or_else(|p| p.into_inner()));
    if let Some(text) = &wording.text {
        used.insert(WORDING.to_owned(), text.clone());
    }
    let known = styles(dir.map(|d| d.as_ref()));
    let unused = match dir {
        Some(d) => d
            .names()
            .unwrap_or_default()
            .into_iter()
            .filter(|n| !used.contains_key(n))
            // Another style's files are not misspelt.
            .filter(|n| {
                !known
                    .iter()
                    .any(|s| s != style && n.starts_with(&format!("{s}/")))
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Rendered {
        typst,
        used,
        unused,
    })
}

/// The built-in templates' names, for messages.
pub fn builtin_names() -> String {
    TEMPLATES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_between_letters_are_typographic_and_standard_numbers_stay_whole() {
        assert_eq!(
            typst_markup("the client's file, Xi'an"),
            "#\"the client\u{2019}s file, Xi\u{2019}an\";"
        );
        // A plural's apostrophe, unless quotes open in the text.
        assert_eq!(
            typst_markup("the companies' conformity, the clients'."),
            "#\"the companies\u{2019} conformity, the clients\u{2019}.\";"
        );
        // A name's number and its quantity are not a standard's number and year.
        assert_eq!(
            typst_markup("零件00096：96.55 kg"),
            "#\"零件00096：96.55\\u{a0}kg\";"
        );
        // A quote that is not an apostrophe, and a colon that is no standard's, as written.
        assert_eq!(typst_markup("'a' b'"), "#\"'a' b'\";");
        assert_eq!(typst_markup("'the firms' data'"), "#\"'the firms' data'\";");
        assert_eq!(
            typst_markup("《ISO 14067：2018》，注：2"),
            "#\"《ISO\\u{a0}14067：\\u{2060}2018》，注：2\";"
        );
    }

    #[test]
    fn figures_keep_their_units_and_formulas_their_subscripts() {
        assert_eq!(
            typst_markup("116767.89 kgCO2e"),
            "#\"116767.89\\u{a0}kgCO\";#sub[#\"2\";]#\"e\";"
        );
        assert_eq!(
            typst_markup("CH4 和 N2O"),
            "#\"CH\";#sub[#\"4\";]#\"\\u{a0}和 N\";#sub[#\"2\";]#\"O\";"
        );
        // A date's figure stays with 年 after a space; a standard's name with its number,
        // only where the name is a word of its own.
        assert_eq!(
            typst_markup("2023 年 GB/T 24067, PAS 2050, XPAS 1, 不满足ISO 14067：2018"),
            "#\"2023\\u{a0}年 GB/T\\u{a0}24067, PAS\\u{a0}2050, XPAS 1, 不满足ISO\\u{a0}14067：\\u{2060}2018\";"
        );
        // Nothing to do: one literal, as before.
        assert_eq!(typst_markup("钢材"), "#\"钢材\";");
        assert_eq!(typst_markup(""), "#\"\";");
        // A grouped figure in its box, its unit kept with it.
        assert_eq!(
            typst_markup("1\u{2009}550.46 kgCO2e"),
            "#box[#\"1\\u{2009}550.46\";]#\"\\u{a0}kgCO\";#sub[#\"2\";]#\"e\";"
        );
    }

    #[test]
    fn a_chinese_text_keeps_its_last_two_characters_together() {
        let kept = |t: &str| keep_end_filter(Value::from(t)).to_string();
        assert_eq!(
            kept("统一社会信用代码"),
            "#\"统一社会信用\";#box[#\"代码\";]"
        );
        // The punctuation after them goes with them.
        assert_eq!(kept("经核对无误。"), "#\"经核对\";#box[#\"无误。\";]");
        // Nothing to keep: two characters or fewer, or a text that does not end in Chinese.
        assert_eq!(kept("代码"), "代码");
        assert_eq!(kept("电力 kWh"), "电力 kWh");
        assert_eq!(kept("Name"), "Name");
    }

    #[test]
    fn values_are_typst_string_literals() {
        let mut env = environment();
        env.add_template_owned(
            "t.typ.j2",
            "[{{ x }}] {{ y|str }} {{ z|ratio }} {{ w|ratio }}".to_owned(),
        )
        .unwrap();
        let out = env
            .get_template("t.typ.j2")
            .unwrap()
            .render(minijinja::context! {
                x => "#read(\"/etc/passwd\") *b* $x$ ] <l> @r \\ {{ 7*7 }}\n",
                y => "a\"b",
                z => "36.74%",
                w => ") + eval(\"1\")",
            })
            .unwrap();
        assert_eq!(
            out,
            r##"[#"#read(\"/etc/passwd\") *b* $x$ ] <l> @r \\ {{ 7*7 }}\n";] "a\"b" 36.74% 0%"##
        );
    }

    #[test]
    fn a_misspelt_variable_is_an_error() {
        let mut env = environment();
        env.add_template_owned("t.typ.j2", "{{ nope }}".to_owned())
            .unwrap();
        let err = env
            .get_template("t.typ.j2")
            .unwrap()
            .render(())
            .unwrap_err();
        let err = TemplateError::from(err);
        assert!(err.to_string().contains("t.typ.j2:1"), "{err}");
        assert_eq!(err.line(), Some(1));
        let (text, range) = (err.text().unwrap(), err.range().unwrap());
        assert_eq!(&text[range], "nope");
    }
}
