//! The minijinja environment that turns a [`View`] into typst source.
//!
//! Every value a template prints is escaped for typst markup: it is written as a typst
//! string literal, `#"…";`, inside which only `\`, `"` and control characters need care,
//! so `#read(..)`, `*bold*`, `$x$`, `]`, `@ref` or `<label>` in the engagement come out as
//! the characters they are. The `;` ends the expression, so a `.` or `(` that follows in
//! the template cannot extend it. A misspelt variable is an error, not an empty cell.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use crate::view::View;

/// The templates built into the binary; a file of the same name in `--templates DIR`
/// replaces one.
pub static TEMPLATES: &[(&str, &str)] = &[
    ("report.typ.j2", include_str!("../templates/report.typ.j2")),
    ("style.typ.j2", include_str!("../templates/style.typ.j2")),
];

/// A template problem: its file and line, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Error> for TemplateError {
    fn from(e: Error) -> Self {
        let place = match (e.name(), e.line()) {
            (Some(n), Some(l)) => format!("{n}:{l}: "),
            (Some(n), None) => format!("{n}: "),
            _ => String::new(),
        };
        let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
        TemplateError(format!("template {place}{}{detail}", e.kind()))
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
    out.write_str(&format!("#{};", typst_string(&text)))
        .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
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

/// Template files that replace built-in ones, by name.
pub type Overrides = BTreeMap<String, String>;

/// Reads every file of `dir` as a template override (`--templates DIR`).
pub fn read_overrides(dir: &Path) -> std::io::Result<Overrides> {
    let mut out = Overrides::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file()
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
            && !name.starts_with('.')
        {
            out.insert(name.to_owned(), std::fs::read_to_string(&path)?);
        }
    }
    Ok(out)
}

/// The environment: embedded templates, replaced by `overrides` of the same name.
pub fn environment(overrides: &Overrides) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
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
    let overrides = overrides.clone();
    env.set_loader(move |name| {
        if let Some(text) = overrides.get(name) {
            return Ok(Some(text.clone()));
        }
        Ok(TEMPLATES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| (*s).to_owned()))
    });
    env
}

/// Renders the report's typst source.
pub fn render(view: &View, overrides: &Overrides) -> Result<String, TemplateError> {
    let env = environment(overrides);
    let template = env.get_template("report.typ.j2")?;
    Ok(template.render(Serde(view))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typst_string_literals() {
        let mut env = environment(&Overrides::new());
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
        let mut env = environment(&Overrides::new());
        env.add_template_owned("t.typ.j2", "{{ nope }}".to_owned())
            .unwrap();
        let err = env
            .get_template("t.typ.j2")
            .unwrap()
            .render(())
            .unwrap_err();
        let err = TemplateError::from(err);
        assert!(err.0.contains("t.typ.j2:1"), "{err}");
    }
}
