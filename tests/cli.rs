//! Unix conventions, run against the binary: `-` for standard input and output, several
//! files, closed pipes and failed writes, `--color`, `--quiet`, `check --json`,
//! `--version`, bash completion; and what `init` and `watch` say.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::{cfp, root};
use serde_json::Value as Json;

const SAMPLE: &str = "samples/chennuo-2023.yaml";
const KETTLE: &str = "samples/kettle-2024.yaml";
const MINIMAL: &str = "tests/fixtures/valid/minimal.yaml";
const INVALID: &str = "tests/fixtures/invalid/unknown-key.yaml";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cfp-verify"));
    c.current_dir(root());
    c
}

/// Runs the binary with `args`, `stdin` on its standard input.
fn with_stdin(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn dash_reads_standard_input() {
    let bytes = std::fs::read(root().join(KETTLE)).unwrap();
    let (code, out, err) = with_stdin(&["check", "-"], &bytes);
    assert_eq!(code, 0, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("<stdin>: valid: 2 products"), "{out}");

    // The same figures as from the file: the seed is the bytes, not the name.
    let (code, out, err) = with_stdin(&["calc", "-", "--json"], &bytes);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        cfp(&["calc", KETTLE, "--json"]).stdout
    );

    // `export` too: the same footprints as from the file.
    let (code, out, err) = with_stdin(&["export", "-", "--pact"], &bytes);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        cfp(&["export", KETTLE, "--pact"]).stdout
    );

    // Problems name standard input.
    let bytes = std::fs::read(root().join(INVALID)).unwrap();
    let (code, _, err) = with_stdin(&["--diagnostic-format", "short", "check", "-"], &bytes);
    assert_eq!(code, 1);
    assert!(err.contains("<stdin>:"), "{err}");
}

#[test]
fn dash_output_writes_standard_output() {
    let printed = cfp(&["export", KETTLE, "--pact"]);
    let dashed = cfp(&["export", KETTLE, "--pact", "-o", "-"]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(dashed.code, 0, "{}", dashed.stderr);
    assert_eq!(dashed.stdout, printed.stdout);

    let out = bin()
        .args(["calc", MINIMAL, "--xlsx", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // A workbook is a zip file; and nothing else is printed with it.
    assert!(out.stdout.starts_with(b"PK\x03\x04"), "not a workbook");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.xlsx");
    let run = cfp(&["calc", MINIMAL, "--xlsx", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), out.stdout);
    // One product: one product sheet.
    assert!(
        run.stdout
            .contains("a summary sheet, 1 product sheet and a sensitivity sheet"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_and_calc_take_several_files() {
    let run = cfp(&["check", SAMPLE, KETTLE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("{SAMPLE}: valid: 2 products")));
    assert!(run.stdout.contains(&format!("{KETTLE}: valid: 2 products")));

    // An invalid file among them: its problems, the others still checked, exit 1.
    let run = cfp(&["check", INVALID, KETTLE]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(INVALID), "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("{KETTLE}: valid")),
        "{}",
        run.stdout
    );

    let run = cfp(&["calc", SAMPLE, KETTLE, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: Json = serde_json::from_str(&run.stdout).unwrap();
    let one: Json = serde_json::from_str(&cfp(&["calc", KETTLE, "--json"]).stdout).unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert_eq!(all[1], one);

    let run = cfp(&["calc", SAMPLE, KETTLE]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(&format!("==> {KETTLE} <==")));

    // A workbook is one engagement's.
    let run = cfp(&["calc", SAMPLE, KETTLE, "--xlsx", "-"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// Each command that prints much, its standard output a pipe already closed.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["schema"][..],
        &["export", KETTLE, "--pact"],
        &["diff", SAMPLE, KETTLE, "--json"],
        &["completions", "bash"],
        &["calc", SAMPLE, "--json"],
        &["check", SAMPLE],
        &["render", "--help"],
    ] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn a_failed_write_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["schema"][..],
        &["calc", KETTLE, "--json"],
        &["check", KETTLE],
        &["--help"],
        &["--version"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin().args(args).stdout(full).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn color_is_chosen() {
    let escape = "\x1b[";
    let run = |args: &[&str], no_color: bool| {
        let mut c = bin();
        c.args(args).env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        let out = c.output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // Into a pipe: plain, unless asked.
    let (out, _) = run(&["check", SAMPLE], false);
    assert!(out.contains("warning[material-misstatement]") && !out.contains(escape));
    let (out, _) = run(&["--color", "always", "check", SAMPLE], false);
    assert!(out.contains(escape), "{out}");
    let (_, err) = run(&["check", INVALID, "--color", "always"], false);
    assert!(err.contains(escape), "{err}");
    let (_, err) = run(&["check", INVALID, "--color", "never"], false);
    assert!(err.contains("error") && !err.contains(escape), "{err}");
    let (_, err) = run(&["check", INVALID], true);
    assert!(!err.contains(escape), "{err}");
    let run = cfp(&["--color", "sometimes", "check", SAMPLE]);
    assert_eq!(run.code, 2);
}

#[test]
fn quiet_prints_only_errors() {
    let run = cfp(&["check", "--quiet", SAMPLE]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let run = cfp(&["-q", "check", INVALID]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("assurnace"), "{}", run.stderr);
    // The output asked for is still printed.
    let run = cfp(&["-q", "calc", KETTLE, "--json"]);
    assert!(run.stdout.starts_with('{'));
    let dir = tempfile::tempdir().unwrap();
    let run = cfp(&["init", "-q", dir.path().join("e").to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(dir.path().join("e/engagement.yaml").is_file());
}

#[test]
fn check_json_locates_problems_and_findings() {
    let run = cfp(&["check", "--json", SAMPLE, INVALID]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Json = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(doc["format"], "cfp-verify-check/1");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);

    let sample = &files[0];
    assert_eq!(sample["file"], SAMPLE);
    assert_eq!(sample["valid"], true);
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let finding = sample["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "material-misstatement")
        .expect("the sample's misstatement");
    assert_eq!(finding["path"], "products[0].claimed.total");
    let line = finding["line"].as_u64().unwrap() as usize;
    let column = finding["column"].as_u64().unwrap() as usize;
    let at: String = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .skip(column - 1)
        .collect();
    assert!(at.starts_with("73867.89 kgCO2e"), "{at}");
    assert!(
        finding["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("实质性")
    );
    assert!(
        finding["message"]["en"]
            .as_str()
            .unwrap()
            .contains("material misstatement")
    );

    let invalid = &files[1];
    assert_eq!(invalid["valid"], false);
    assert_eq!(invalid["findings"], Json::Array(vec![]));
    let problem = &invalid["problems"][0];
    assert_eq!(problem["path"], "engagement.assurnace");
    let text = std::fs::read_to_string(root().join(INVALID)).unwrap();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("assurnace:"))
        .unwrap()
        + 1;
    assert_eq!(problem["line"], line);
    assert!(
        problem["message"]["en"]
            .as_str()
            .unwrap()
            .contains("assurnace")
    );
}

#[test]
fn an_unquoted_comma_is_a_warning_with_the_quoted_form() {
    let run = cfp(&["check", MINIMAL]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("client.name.en: warning[unquoted-comma]: the text `Test Client Co., Ltd.`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("en: \"Test Client Co., Ltd.\""),
        "{}",
        run.stdout
    );
    // The quoted sample has none.
    assert!(!cfp(&["check", SAMPLE]).stdout.contains("unquoted-comma"));
}

#[test]
fn version_names_the_commit() {
    let run = cfp(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with(&format!("cfp-verify {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.stdout
    );
    let head = Command::new("git")
        .args([
            "-C",
            root().to_str().unwrap(),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .output();
    match head {
        Ok(out) if out.status.success() && std::env::var_os("CFP_VERIFY_COMMIT").is_none() => {
            let commit = String::from_utf8(out.stdout).unwrap();
            assert!(
                run.stdout.contains(&format!("(commit {})", commit.trim())),
                "{}",
                run.stdout
            );
        }
        // Built from a tarball (or git refused the folder): the version alone.
        _ => {}
    }
}

/// The completion bash gives for the words `line` with the cursor at the end.
fn bash_complete(script: &std::path::Path, line: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(script).unwrap();
    let function = text
        .lines()
        .find_map(|l| {
            l.split_whitespace()
                .skip_while(|w| *w != "-F")
                .nth(1)
                .map(str::to_owned)
        })
        .expect("a `complete -F FUNCTION` line");
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let cword = line.len() - 1;
    let prev = if cword > 0 { line[cword - 1] } else { "" };
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n{function} cfp-verify '{}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words.join(" "),
        line[cword],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_options_of_subcommands() {
    let run = cfp(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("cfp-verify.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    let top = bash_complete(&script, &["cfp-verify", "--"]);
    assert!(top.contains(&"--quiet".to_owned()), "{top:?}");
    let render = bash_complete(&script, &["cfp-verify", "render", "--"]);
    assert!(render.contains(&"--lang".to_owned()), "{render:?}");
    assert!(render.contains(&"--archive".to_owned()), "{render:?}");
    let check = bash_complete(&script, &["cfp-verify", "check", "--j"]);
    assert_eq!(check, ["--json"]);
}

#[test]
fn init_numbers_each_starter_from_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let number = |name: &str| {
        let folder = dir.path().join(name);
        let run = cfp(&["init", folder.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(folder.join("engagement.yaml")).unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("number:"))
            .unwrap()
            .to_owned();
        line.split_whitespace().nth(1).unwrap().to_owned()
    };
    let a = number("acme-kettle");
    let b = number("other");
    assert!(a.starts_with("CFP-") && a.ends_with("-acme-kettle"), "{a}");
    assert_ne!(a, b);
    // A starter checks, and a second one renders into its own archive folder.
    let run = cfp(&[
        "check",
        dir.path().join("other/engagement.yaml").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `watch` of a file that does not exist says that no PDF is kept, rather than that the
/// last good one is.
#[test]
fn watch_says_when_there_is_no_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["watch", "nope.yaml", "--archive"])
        .arg(dir.path())
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            // The problems, then a note in brackets on a line of its own.
            let text = String::from_utf8_lossy(&seen);
            if text
                .find("\n  (")
                .is_some_and(|i| text[i + 4..].contains('\n'))
            {
                break;
            }
        }
        let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
    });
    let said = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(said.contains("nope.yaml"), "{said}");
    assert!(said.contains("no PDF yet"), "{said}");
    assert!(!said.contains("last good PDF"), "{said}");
}
