//! `watch`: render again whenever the engagement, an image it shows or a template changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::config::{RenderConfig, Target};

use super::Error;
use super::render::render_file;

/// The files an engagement's report shows (its images), as paths on disk.
fn images_of(file: &Path) -> Vec<PathBuf> {
    let base = cfp_verify::folder_of(file).to_path_buf();
    cfp_verify::load(file)
        .map(|v| {
            cfp_verify::report::render::asset_paths(&v.engagement)
                .into_iter()
                .map(|rel| base.join(rel))
                .collect()
        })
        .unwrap_or_default()
}

/// Renders the engagement of `config` now and after every change of it, of an image it
/// shows or of a template, until interrupted. A broken engagement is reported and the last
/// good PDF stays (files are replaced atomically, only on success).
pub fn run(config: &RenderConfig) -> Result<ExitCode, Error> {
    let Some(file) = config.files.first() else {
        return Ok(ExitCode::from(1));
    };
    let templates = config.templates.as_ref().map(|t| t.path());
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(Error::Watcher)?;
    // Editors save by writing a new file and renaming it: watch the folders, not the files.
    let folder = |p: &Path| cfp_verify::folder_of(p).to_path_buf();
    let mut watched = vec![folder(file)];
    if let Some(t) = templates {
        watched.push(t.to_path_buf());
    }
    for (i, dir) in watched.iter().enumerate() {
        // The templates folder has a folder per style and `common/`.
        let mode = if i > 0 {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher.watch(dir, mode).map_err(|source| Error::Watch {
            dir: dir.clone(),
            source,
        })?;
    }
    let name = file.file_name().map(|n| n.to_os_string());
    let images = std::cell::RefCell::new(Vec::<PathBuf>::new());
    let relevant = |path: &Path| {
        path.file_name() == name.as_deref()
            || templates.is_some_and(|t| path.starts_with(t) && !is_temporary(path))
            || images
                .borrow()
                .iter()
                .any(|i| i.file_name() == path.file_name() && same_folder(i, path))
    };
    let mut render = |watcher: &mut notify::RecommendedWatcher| {
        match render_file(file, config) {
            Ok(line) => super::say(&line),
            Err(failure) => eprintln!("{}\n  ({})", failure.report(config.style), kept(config)),
        }
        typst::comemo::evict(10);
        // Watch the folders of the images the engagement now shows.
        let now = images_of(file);
        for image in &now {
            let dir = folder(image);
            if !watched.contains(&dir) && watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
                watched.push(dir);
            }
        }
        *images.borrow_mut() = now;
    };
    render(&mut watcher);
    super::say(&format!("watching {} (Ctrl-C stops)", file.display()));
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
        render(&mut watcher);
    }
    Ok(ExitCode::SUCCESS)
}

/// What became of the PDF after a failed render: kept when there is one, else none yet.
fn kept(config: &RenderConfig) -> String {
    match &config.target {
        Target::Files { pdf, .. } if pdf.is_file() => {
            format!("the last good PDF is kept: {}", pdf.display())
        }
        Target::Files { pdf, .. } => format!(
            "no PDF yet: {} is written when the file renders",
            pdf.display()
        ),
        Target::Archive => "nothing was archived".to_owned(),
    }
}

/// Whether two paths are in the same folder (events may name it absolutely).
fn same_folder(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| {
        let dir = cfp_verify::folder_of(p);
        std::fs::canonicalize(dir).ok()
    };
    canon(a).is_some() && canon(a) == canon(b)
}

/// Editors' swap and backup files.
fn is_temporary(path: &Path) -> bool {
    let n = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    n.starts_with('.') || n.ends_with('~') || n.ends_with(".swp")
}
