//! `watch`: render again whenever the engagement, an image it shows or a template changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::config::{RenderConfig, Target};

use super::Error;
use super::render::{Failure, render_one};

/// The files an engagement's report shows (its images), as paths on disk.
fn images_of(file: &Path, v: &cfp_verify::Verified) -> Vec<PathBuf> {
    let base = cfp_verify::folder_of(file).to_path_buf();
    cfp_verify::report::render::asset_paths(&v.engagement)
        .into_iter()
        .map(|rel| base.join(rel))
        .collect()
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
        // Loaded once: rendered, and read for the images to watch.
        let loaded = cfp_verify::load(file);
        let result = match &loaded {
            Ok(v) => render_one(file, v, config),
            Err(invalid) => Err(Failure::Invalid(invalid.clone())),
        };
        match result {
            Ok(line) => super::say(&line),
            Err(failure) => eprintln!("{}\n  ({})", failure.report(config.style), kept(config)),
        }
        // Typst's memoization of the last renders is kept: the next one, after an edit,
        // lays out again only what changed.
        typst::comemo::evict(10);
        // Watch the folders of the images the engagement now shows (a broken file keeps
        // those of the last one that loaded).
        if let Ok(v) = &loaded {
            let now = images_of(file, v);
            for image in &now {
                let dir = folder(image);
                if !watched.contains(&dir)
                    && watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok()
                {
                    watched.push(dir);
                }
            }
            *images.borrow_mut() = now;
        }
    };
    render(&mut watcher);
    super::say(&format!("watching {} (Ctrl-C stops)", file.display()));
    let changed = |event: &notify::Event| {
        // Our own reads show as accesses; the end of a write (`Close(Write)`) is a change.
        (!event.kind.is_access() || ends_write(event, relevant))
            && event.paths.iter().any(|p| relevant(p))
    };
    while let Ok(event) = rx.recv() {
        let Ok(event) = event else { continue };
        if !changed(&event) {
            continue;
        }
        // A save is a burst of events (write, close; or write a new file, rename it over
        // the old one, chmod). Render as soon as the burst is over: a few milliseconds
        // without a change once a write has ended, longer while a file is still open for
        // writing (a slow write in place). Other events (our own reads, other files of the
        // folder) do not delay the render. At most a second in all.
        let started = Instant::now();
        let mut last = (started, ends_write(&event, relevant));
        loop {
            let quiet = if last.1 { SETTLED } else { WRITING };
            let until = (last.0 + quiet).min(started + MOST);
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                break;
            };
            match rx.recv_timeout(left) {
                Ok(Ok(e)) if changed(&e) => last = (Instant::now(), ends_write(&e, relevant)),
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(ExitCode::SUCCESS),
            }
        }
        render(&mut watcher);
    }
    Ok(ExitCode::SUCCESS)
}

/// How long a save must be quiet, once a write has ended, before it is rendered: editors
/// finish a save (rename, then chmod) within a millisecond or two.
const SETTLED: Duration = Duration::from_millis(5);
/// How long to wait for more when the last change did not end a write (data written to a
/// file still open, a file created or removed): a slow writer, or a platform that does not
/// say when a write ends.
const WRITING: Duration = Duration::from_millis(50);
/// The longest a burst of changes delays a render.
const MOST: Duration = Duration::from_secs(1);

/// Whether `event` ends a write of its file: the file closed after writing, renamed into
/// place, or its permissions set (the last step of some editors' saves).
/// `relevant` says which files are watched: a rename ends a write of the file renamed to.
fn ends_write(event: &notify::Event, relevant: impl Fn(&Path) -> bool) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => true,
        EventKind::Modify(ModifyKind::Name(mode)) => match mode {
            // Renamed away (an editor's backup): the new file is still to come.
            RenameMode::From => false,
            // `[from, to]`: a save when a watched file is the one renamed to.
            RenameMode::Both => event.paths.get(1).is_some_and(|to| relevant(to)),
            _ => true,
        },
        _ => false,
    }
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
