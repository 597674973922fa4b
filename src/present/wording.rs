//! The wording catalogue: every label, status and finding sentence in both languages, keyed
//! by a stable name (`finding.unused-factor`, `label.report-number`).
//!
//! The built-in catalogue is `templates/common/wording.yaml`; a verification body overrides
//! single keys with a file of the same shape (`--templates DIR` → `DIR/common/wording.yaml`).
//! An override may only reword: a key the built-in catalogue lacks, or a `{placeholder}` the
//! sentence cannot have, is an error naming the file, line and key.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::engagement::{Bi, BoundaryKind, Language, Stage, Words};
use crate::input::yaml::{self, Node, Value};

/// Where the catalogue lives, inside the built-in templates and a `--templates` folder.
pub const WORDING: &str = "common/wording.yaml";

/// The catalogue: key -> text in each language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    entries: BTreeMap<String, Bi>,
}

/// A catalogue file that cannot be used: the file, the line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordingError(pub String);

impl std::fmt::Display for WordingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WordingError {}

/// The texts of one stage, as the catalogue words them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageWords {
    /// Its name (`原材料获取`).
    pub name: Bi,
    /// The shorter name of captions and subtotals.
    pub short: Bi,
    /// What its emissions are.
    pub description: Bi,
    /// The heading of the column that names a line.
    pub item: Bi,
}

/// A stage's texts by their catalogue suffix.
fn stage_parts(s: &Stage) -> [(&'static str, Words); 4] {
    [
        ("name", s.names),
        ("short", s.short),
        ("description", s.description),
        ("item", s.item),
    ]
}

/// The `{name}`s a text uses, in order of first use.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// A placeholder's name: lowercase letters, digits and `_`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `text` with each `{name}` replaced by its value; unknown names stay as written.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .filter(|&close| is_name(&after[..close]))
            .and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (close, *v))
            });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of a scalar node, or why it is not one.
fn scalar<'a>(node: &'a Node, file: &str, key: &str) -> Result<&'a str, WordingError> {
    match &node.value {
        Value::Scalar(s) => Ok(&s.text),
        _ => Err(WordingError(format!(
            "{file}:{}: `{key}`: write the text as a string",
            node.mark.line
        ))),
    }
}

/// Reads a catalogue file: `(key, line, zh, en)` for each entry; a language may be absent.
type Raw = Vec<(String, usize, Option<String>, Option<String>)>;

fn read(file: &str, text: &str) -> Result<Raw, WordingError> {
    let (root, problems) = yaml::parse(text.as_bytes()).map_err(|d| {
        WordingError(format!(
            "{file}: not a wording catalogue: {}",
            d.first().map(|d| d.message.clone()).unwrap_or_default()
        ))
    })?;
    if let Some(p) = problems.first() {
        return Err(WordingError(format!("{file}: {}", p.message)));
    }
    let Value::Map(entries) = &root.value else {
        return Err(WordingError(format!(
            "{file}: write one `key: {{zh: …, en: …}}` per line"
        )));
    };
    let mut out = Vec::new();
    for entry in entries {
        let line = entry.key_mark.line;
        let key = &entry.key;
        let Value::Map(langs) = &entry.value.value else {
            return Err(WordingError(format!(
                "{file}:{line}: `{key}`: write the texts as `{{zh: …, en: …}}`"
            )));
        };
        let (mut zh, mut en) = (None, None);
        for l in langs {
            let text = scalar(&l.value, file, key)?.to_owned();
            match l.key.as_str() {
                "zh" => zh = Some(text),
                "en" => en = Some(text),
                other => {
                    return Err(WordingError(format!(
                        "{file}:{}: `{key}`: unknown language `{other}` (the languages are `zh` and `en`)",
                        l.key_mark.line
                    )));
                }
            }
        }
        out.push((key.clone(), line, zh, en));
    }
    Ok(out)
}

impl Catalogue {
    /// The built-in catalogue (`templates/common/wording.yaml`).
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let text = crate::report::template::builtin(WORDING).unwrap_or_default();
            let entries = read(WORDING, text)
                .unwrap_or_default()
                .into_iter()
                .map(|(key, _, zh, en)| {
                    (
                        key,
                        Bi {
                            zh: zh.unwrap_or_default(),
                            en: en.unwrap_or_default(),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>();
            let mut entries = entries;
            // Stage and boundary wording lives in the registry, beside the rest of what a
            // stage is; the catalogue offers it under `stage.<key>.*` and `boundary.<key>`
            // so that a verification body rewords it like any other text.
            for s in Stage::REGISTRY {
                for (part, words) in stage_parts(&s) {
                    entries.insert(format!("stage.{}.{part}", s.key), words.into());
                }
            }
            for b in BoundaryKind::ALL {
                entries.insert(format!("boundary.{}", b.key()), b.names().into());
            }
            Catalogue { entries }
        })
    }

    /// A stage's wording: the catalogue's `stage.<key>.*` texts, or the stage's own words
    /// for a stage the registry does not have.
    pub fn stage(&self, s: Stage) -> StageWords {
        let [name, short, description, item] = stage_parts(&s).map(|(part, words)| {
            self.get(&format!("stage.{}.{part}", s.key))
                .cloned()
                .unwrap_or_else(|| words.into())
        });
        StageWords {
            name,
            short,
            description,
            item,
        }
    }

    /// The boundary's name, as the catalogue words it.
    pub fn boundary(&self, b: BoundaryKind) -> Bi {
        self.get(&format!("boundary.{}", b.key()))
            .cloned()
            .unwrap_or_else(|| b.names().into())
    }

    /// This catalogue with the keys of the file `name` (its `text`) replaced.
    pub fn with_overrides(&self, name: &str, text: &str) -> Result<Catalogue, WordingError> {
        let mut out = self.clone();
        for (key, line, zh, en) in read(name, text)? {
            let Some(base) = self.entries.get(&key) else {
                let near = self
                    .entries
                    .keys()
                    .filter(|k| strsim::jaro_winkler(k, &key) > 0.9)
                    .max_by(|a, b| {
                        strsim::jaro_winkler(a, &key).total_cmp(&strsim::jaro_winkler(b, &key))
                    })
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(WordingError(format!(
                    "{name}:{line}: unknown key `{key}`{near}; the keys are those of the built-in {WORDING}"
                )));
            };
            let allowed: BTreeSet<&str> = placeholders(&base.zh)
                .into_iter()
                .chain(placeholders(&base.en))
                .collect();
            for text in zh.iter().chain(en.iter()) {
                if let Some(bad) = placeholders(text)
                    .into_iter()
                    .find(|p| !allowed.contains(p))
                {
                    let known = if allowed.is_empty() {
                        "it has none".to_owned()
                    } else {
                        format!(
                            "it can have {}",
                            allowed
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    return Err(WordingError(format!(
                        "{name}:{line}: `{key}`: the placeholder {{{bad}}} is not one this text can have; {known}"
                    )));
                }
            }
            let entry = out.entries.get_mut(&key).expect("checked above");
            if let Some(zh) = zh {
                entry.zh = zh;
            }
            if let Some(en) = en {
                entry.en = en;
            }
        }
        Ok(out)
    }

    /// The text of `key`, if the catalogue has it.
    pub fn get(&self, key: &str) -> Option<&Bi> {
        self.entries.get(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The text of `key` with its placeholders filled in each language. A key the catalogue
    /// lacks (a bug: the program asks only for built-in keys) gives the key itself.
    pub fn word(&self, key: &str, args: &[(&str, &Bi)]) -> Bi {
        let Some(text) = self.entries.get(key) else {
            return Bi {
                zh: key.to_owned(),
                en: key.to_owned(),
            };
        };
        let in_lang = |lang: Language| {
            let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.get(lang))).collect();
            fill(text.get(lang), &args)
        };
        Bi {
            zh: in_lang(Language::Zh),
            en: in_lang(Language::En),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_reads_and_has_both_languages() {
        let text = crate::report::template::builtin(WORDING).unwrap();
        let raw = read(WORDING, text).unwrap();
        let c = Catalogue::builtin();
        // The registry's stage and boundary texts are the only keys not in the file.
        let generated = Stage::REGISTRY.len() * 4 + BoundaryKind::ALL.len();
        assert_eq!(
            raw.len() + generated,
            c.entries.len(),
            "a key is given twice"
        );
        assert_eq!(c.stage(Stage::PRODUCTION).name.zh, "产品生产制造");
        assert_eq!(c.boundary(BoundaryKind::CradleToGate).en, "Cradle to gate");
        for (key, _, zh, en) in raw {
            assert!(zh.is_some_and(|t| !t.is_empty()), "{key}: no zh");
            assert!(en.is_some_and(|t| !t.is_empty()), "{key}: no en");
        }
    }

    /// The `w("key", name=…, …)` calls of a template source (comments left out): each key
    /// with the names of its arguments.
    fn wording_calls(source: &str) -> Vec<(String, Vec<String>)> {
        let mut text = String::new();
        let mut rest = source;
        while let Some(open) = rest.find("{#") {
            text.push_str(&rest[..open]);
            rest = rest[open..]
                .find("#}")
                .map_or("", |close| &rest[open + close + 2..]);
        }
        text.push_str(rest);
        let mut calls = Vec::new();
        for (at, _) in text.match_indices("w(\"") {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let after = &text[at + 3..];
            let key = after[..after.find('"').expect("a closed key")].to_owned();
            // The arguments: up to the `)` that closes the call, split at its own commas.
            let (mut depth, mut quoted, mut names, mut part) =
                (0, false, Vec::new(), String::new());
            for c in after[key.len() + 1..].chars() {
                match c {
                    '"' => quoted = !quoted,
                    '(' | '[' | '{' if !quoted => depth += 1,
                    ')' if !quoted && depth == 0 => break,
                    ')' | ']' | '}' if !quoted => depth -= 1,
                    ',' if !quoted && depth == 0 => {
                        if let Some((name, _)) = part.split_once('=') {
                            names.push(name.trim().to_owned());
                        }
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
            if let Some((name, _)) = part.split_once('=') {
                names.push(name.trim().to_owned());
            }
            calls.push((key, names));
        }
        calls
    }

    #[test]
    fn every_key_the_builtin_templates_ask_for_is_in_the_catalogue() {
        let c = Catalogue::builtin();
        let mut asked = 0;
        for (file, source) in crate::report::template::TEMPLATES {
            if !file.ends_with(".j2") {
                continue;
            }
            for (key, names) in wording_calls(source) {
                asked += 1;
                let Some(text) = c.get(&key) else {
                    panic!("{file}: `w(\"{key}\")`: no such key in {WORDING}");
                };
                let known: BTreeSet<&str> = placeholders(&text.zh)
                    .into_iter()
                    .chain(placeholders(&text.en))
                    .collect();
                for name in &names {
                    assert!(
                        known.contains(name.as_str()),
                        "{file}: `w(\"{key}\", {name}=…)`: the text has no {{{name}}}; it has {known:?}"
                    );
                }
                // A placeholder the call leaves to the template: typst code put in afterwards.
                for p in known {
                    assert!(
                        names.iter().any(|n| n == p)
                            || source.contains(&format!("replace(\"{{{p}}}\"")),
                        "{file}: `w(\"{key}\")` leaves {{{p}}} unfilled"
                    );
                }
            }
        }
        assert!(asked > 100, "only {asked} calls found: the scan is broken");
        let calls = wording_calls(
            "{# w(\"not.a-call\") #}{{ hw(1, \"x\", w(\"a.b\", x={\"zh\": y, \"en\": z|f(1, 2)}, n=3)) }}",
        );
        assert_eq!(
            calls,
            [("a.b".to_owned(), vec!["x".to_owned(), "n".to_owned()])]
        );
    }

    #[test]
    fn placeholders_are_filled_per_language() {
        let c = Catalogue::builtin();
        let factor = Bi {
            zh: "电缆".into(),
            en: "Cable".into(),
        };
        let out = c.word("finding.unused-factor", &[("factor", &factor)]);
        assert_eq!(out.zh, "排放因子“电缆”未被任何清单数据使用。");
        assert_eq!(
            out.en,
            "The factor “Cable” is not used by any inventory line."
        );
        assert_eq!(
            fill("a {x} {y} {not a name}", &[("x", "1")]),
            "a 1 {y} {not a name}"
        );
    }

    #[test]
    fn overrides_reword_known_keys_only() {
        let c = Catalogue::builtin();
        let o = c
            .with_overrides("w.yaml", "label.report-number: {en: \"Our number\"}\n")
            .unwrap();
        assert_eq!(o.get("label.report-number").unwrap().en, "Our number");
        assert_eq!(o.get("label.report-number").unwrap().zh, "报告编号");
        let err = c
            .with_overrides("w.yaml", "\nlabel.report-numbr: {en: x}\n")
            .unwrap_err();
        assert!(
            err.0.contains("w.yaml:2: unknown key `label.report-numbr`")
                && err.0.contains("did you mean `label.report-number`"),
            "{err}"
        );
        let err = c
            .with_overrides(
                "w.yaml",
                "finding.unused-factor: {en: \"{product} {factor}\"}\n",
            )
            .unwrap_err();
        assert!(
            err.0.contains("placeholder {product}") && err.0.contains("{factor}"),
            "{err}"
        );
        let err = c
            .with_overrides("w.yaml", "label.report-number: {fr: x}\n")
            .unwrap_err();
        assert!(err.0.contains("unknown language `fr`"), "{err}");
    }
}
