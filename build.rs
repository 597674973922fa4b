//! Sets `CFP_VERIFY_VERSION`, what `--version` prints: the package's version, with the git
//! commit when built from a git checkout of this project (or `CFP_VERIFY_COMMIT` when set,
//! for packagers building from a tarball). Nothing else about the build goes in: the same
//! commit builds the same binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The trimmed output of `git -C dir ARGS`, when git is there and succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The commit `dir` is checked out at, when `dir` is the top of a git work tree; asks
/// cargo to run this again when HEAD or the branch it names moves.
fn commit(dir: &Path) -> Option<String> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    // A tarball unpacked inside some other repository is not a checkout of this project.
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    git(dir, &["rev-parse", "--short=12", "HEAD"])
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CFP_VERIFY_COMMIT");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = std::env::var("CFP_VERIFY_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| commit(&dir));
    match commit {
        Some(c) => println!("cargo:rustc-env=CFP_VERIFY_VERSION={version} (commit {c})"),
        None => println!("cargo:rustc-env=CFP_VERIFY_VERSION={version}"),
    }
}
