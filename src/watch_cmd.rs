//! The `watch` command: render again whenever the engagement or a template changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use cfp_verify::world::Fonts;

use crate::render_cmd::{Settings, render_one};

/// Renders `file` now and after every change, until interrupted. A broken engagement is
/// reported and the last good PDF stays (files are replaced atomically, only on success).
pub fn run(file: &Path, templates: Option<&Path>, mut settings: Settings) -> ExitCode {
    let fonts = Fonts::embedded();
    if settings.output.is_none() {
        let stem = file
            .file_stem()
            .map_or("engagement".into(), |s| s.to_string_lossy().into_owned());
        settings.output = Some(settings.archive.join("preview").join(format!("{stem}.pdf")));
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("cannot watch files: {e}");
            return ExitCode::from(1);
        }
    };
    // Editors save by writing a new file and renaming it: watch the folders, not the files.
    let folder = |p: &Path| match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watched = vec![folder(file)];
    if let Some(t) = templates {
        watched.push(t.to_path_buf());
    }
    for dir in &watched {
        if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
            eprintln!("{}: cannot watch: {e}", dir.display());
            return ExitCode::from(1);
        }
    }
    let name = file.file_name().map(|n| n.to_os_string());
    let relevant = |path: &Path| {
        path.file_name() == name.as_deref()
            || templates.is_some_and(|t| path.parent() == Some(t) && !is_temporary(path))
    };
    let mut render = || {
        if let Some(dir) = templates {
            match cfp_verify::template::read_overrides(dir) {
                Ok(t) => settings.templates = t,
                Err(e) => eprintln!("{}: cannot read the templates: {e}", dir.display()),
            }
        }
        match render_one(file, &settings, fonts) {
            Ok(line) => println!("{line}"),
            Err(message) => eprintln!("{message}\n  (the last good PDF is kept)"),
        }
        typst::comemo::evict(10);
    };
    render();
    println!("watching {} (Ctrl-C stops)", file.display());
    let changed = |event: &notify::Result<notify::Event>| {
        event
            .as_ref()
            .is_ok_and(|e| !e.kind.is_access() && e.paths.iter().any(|p| relevant(p)))
    };
    while let Ok(event) = rx.recv() {
        if !changed(&event) {
            continue;
        }
        // Let a burst of changes (save = write + rename + chmod) settle into one render,
        // waiting at most a second: reads of this folder keep events coming.
        let settle = std::time::Instant::now();
        while settle.elapsed() < Duration::from_secs(1) {
            if rx.recv_timeout(Duration::from_millis(150)).is_err() {
                break;
            }
        }
        render();
    }
    ExitCode::SUCCESS
}

/// Editors' swap and backup files.
fn is_temporary(path: &Path) -> bool {
    let n = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    n.starts_with('.') || n.ends_with('~') || n.ends_with(".swp")
}
