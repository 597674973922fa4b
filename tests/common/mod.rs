//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The stage keys of a cradle-to-grave boundary, in canonical order, as the JSON writes them.
pub const GRAVE_STAGES: [&str; 6] = [
    "materials",
    "transport",
    "production",
    "distribution",
    "use",
    "end-of-life",
];

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed engagement.
pub fn sample() -> PathBuf {
    root().join("samples/chennuo-2023.yaml")
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cfp-verify` with `args` from the repository root, problems printed in the short
/// one-line form that the tests read (`human_cfp` for the default form).
pub fn cfp(args: &[&str]) -> Run {
    let mut all = vec!["--diagnostic-format", "short"];
    all.extend_from_slice(args);
    human_cfp(&all)
}

/// Runs `cfp-verify` with exactly `args` from the repository root.
pub fn human_cfp(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Compares `actual` with the golden file at `path`; `SNAPSHOTS=overwrite` rewrites it.
pub fn assert_golden(path: &Path, actual: &str) {
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with SNAPSHOTS=overwrite to create it)",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "{} differs from the output; if the change is intended, run the tests with SNAPSHOTS=overwrite\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}

/// A copy of the sample with `find` replaced by `replace` (which must occur).
pub fn sample_with(find: &str, replace: &str) -> String {
    let text = std::fs::read_to_string(sample()).expect("sample readable");
    assert!(text.contains(find), "the sample has no `{find}`");
    text.replacen(find, replace, 1)
}

/// A fresh, empty folder for one test: `target/tmp/<group>/<name>`.
pub fn folder(group: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a poppler tool (pdftotext, pdffonts, pdfdetach, pdfinfo) and returns its output.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed by these tests: {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The invalid fixtures (`tests/fixtures/invalid/*.yaml`), sorted.
pub fn invalid_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
