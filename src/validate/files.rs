//! Files the engagement names (logo, seal, signatures, charts, attachments): relative,
//! inside the engagement's folder, regular files; images read once and decoded.

use std::path::Path as FsPath;

use crate::diag::Path;

use super::Cx;

impl Cx<'_> {
    /// A file the engagement names: relative, inside its folder, a regular file. An image
    /// is read (once: these bytes are what the report shows and attaches) and must decode.
    pub(super) fn file(
        &mut self,
        rel: &Option<String>,
        path: &Path,
        image: bool,
    ) -> Option<String> {
        let rel = rel.as_deref()?;
        let p = FsPath::new(rel);
        let escapes = p.is_absolute()
            || p.components().any(|c| {
                matches!(
                    c,
                    std::path::Component::ParentDir | std::path::Component::Prefix(_)
                )
            });
        if escapes {
            self.error(
                path,
                format!("`{rel}` leaves the engagement's folder"),
                Some("paths are relative to the engagement file's folder and stay inside it, e.g. `assets/logo.png`".into()),
            );
            return None;
        }
        let (Some(base), Some(dir)) = (self.base, &self.dir) else {
            return Some(rel.to_owned());
        };
        let dir = match dir {
            Ok(dir) => dir,
            Err((folder, e)) => {
                let message = format!(
                    "`{rel}` cannot be read: the folder {} cannot be opened: {e}",
                    folder.display()
                );
                self.error(path, message, None);
                return None;
            }
        };
        match read_inside(dir, rel, image) {
            Ok(bytes) => {
                if image {
                    if let Err(why) = crate::report::world::check_image(rel, &bytes) {
                        self.error(
                            path,
                            format!("`{rel}` cannot be shown: {why}"),
                            Some("give a PNG, JPEG, GIF, WebP or SVG file that opens in an image viewer".into()),
                        );
                        return None;
                    }
                    self.files.insert(rel.to_owned(), bytes);
                }
                Some(rel.to_owned())
            }
            Err(Unreadable::Missing) => {
                self.error(
                    path,
                    format!("file `{rel}` does not exist"),
                    Some(format!("looked for {}", base.join(p).display())),
                );
                None
            }
            Err(Unreadable::Folder | Unreadable::Special) => {
                // The wording only: the file was refused through the folder handle.
                let why = std::fs::metadata(base.join(p))
                    .ok()
                    .and_then(|m| crate::not_a_file(&m))
                    .unwrap_or_else(|| "is not a regular file".into());
                self.error(path, format!("file `{rel}` {why}"), None);
                None
            }
            Err(Unreadable::Outside) => {
                self.error(
                    path,
                    format!("`{rel}` leads outside the engagement's folder (a link?)"),
                    Some("copy the file into the engagement's folder".into()),
                );
                None
            }
            Err(Unreadable::Io(e)) => {
                self.error(path, format!("`{rel}` cannot be read: {e}"), None);
                None
            }
        }
    }
}

/// Why a file the engagement names cannot be used.
enum Unreadable {
    Missing,
    Folder,
    Special,
    Outside,
    Io(std::io::Error),
}

/// Opens `rel` through `dir`, which refuses `..` and links leading outside; reads it when
/// `read` (the handle is checked to be a regular file before a byte is read).
fn read_inside(dir: &cap_std::fs::Dir, rel: &str, read: bool) -> Result<Vec<u8>, Unreadable> {
    use std::io::{ErrorKind, Read};
    let classify = |e: std::io::Error| match e.kind() {
        ErrorKind::NotFound => Unreadable::Missing,
        ErrorKind::PermissionDenied if e.to_string().contains("outside") => Unreadable::Outside,
        _ => Unreadable::Io(e),
    };
    // Before opening: opening a FIFO would wait for a writer.
    let meta = dir.metadata(rel).map_err(classify)?;
    if meta.is_dir() {
        return Err(Unreadable::Folder);
    }
    if !meta.is_file() {
        return Err(Unreadable::Special);
    }
    if !read {
        return Ok(Vec::new());
    }
    let mut file = dir.open(rel).map_err(classify)?;
    let meta = file.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::Special);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Unreadable::Io)?;
    Ok(bytes)
}
