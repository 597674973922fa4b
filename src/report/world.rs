//! The typst `World`: the fonts embedded in the binary, the generated source in memory,
//! and nothing else. No file system, no packages, no clock.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The embedded faces: Noto Serif CJK SC (body) and Noto Sans CJK SC Bold (headings), subset
/// by `scripts/make-fonts.py`.
static EMBEDDED: &[&[u8]] = &[
    include_bytes!("../../fonts/NotoSerifCJKsc-Regular-subset.otf"),
    include_bytes!("../../fonts/NotoSansCJKsc-Bold-subset.otf"),
];

/// A set of fonts and their book, shared by every compilation.
pub struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Fonts {
    /// The embedded fonts, loaded once per process.
    pub fn embedded() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts::from_data(EMBEDDED.iter().map(|d| Bytes::new(*d))))
    }

    /// The embedded fonts plus every font file (`.otf`, `.ttf`, `.ttc`, `.otc`) in `dir`.
    pub fn with_dir(dir: &std::path::Path) -> std::io::Result<Fonts> {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                    matches!(
                        x.to_ascii_lowercase().as_str(),
                        "otf" | "ttf" | "ttc" | "otc"
                    )
                })
            })
            .collect();
        // Directory order is not stable; font order decides fallbacks.
        files.sort();
        let mut data: Vec<Bytes> = EMBEDDED.iter().map(|d| Bytes::new(*d)).collect();
        for f in files {
            data.push(Bytes::new(std::fs::read(f)?));
        }
        Ok(Fonts::from_data(data))
    }

    /// Fonts from font files (each may be a collection).
    pub fn from_data(data: impl IntoIterator<Item = Bytes>) -> Fonts {
        let fonts: Vec<Font> = data.into_iter().flat_map(Font::iter).collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    }

    /// The family names, in order, without repeats.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in &self.fonts {
            let name = f.info().family.clone();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The characters of `text` that no font has a glyph for, each once, in order.
    ///
    /// Typst does not report them in plain PDF output (they come out as empty boxes), so
    /// the text is checked before typesetting.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = Vec::new();
        for c in text.chars() {
            if c.is_control() || missing.contains(&c) {
                continue;
            }
            if !self
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(c as u32))
            {
                missing.push(c);
            }
        }
        missing
    }
}

/// One document to compile: its source and the only files it may read.
pub struct ReportWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a Fonts,
    main: Source,
    /// Looked up by id only, never iterated: no order leaks into the output.
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

/// The id of a file at `path` in the document's virtual root.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path)
        .unwrap_or_else(|_| VirtualPath::new("/invalid").expect("a plain absolute path is valid"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl<'a> ReportWorld<'a> {
    /// A world whose main file is `source` and whose `today()` is `today`.
    pub fn new(source: String, today: NaiveDate, fonts: &'a Fonts) -> ReportWorld<'a> {
        ReportWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            main: Source::new(file_id("/main.typ"), source),
            files: HashMap::new(),
            today: to_datetime(today),
        }
    }

    /// Replaces the main source.
    pub fn set_main(&mut self, source: String) {
        self.main = Source::new(self.main.id(), source);
    }

    /// Makes `bytes` readable at `path` (e.g. `/assets/logo.png`).
    pub fn add_file(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.insert(file_id(path), Bytes::new(bytes));
    }

    /// The main source, for locating diagnostics.
    pub fn main_source(&self) -> &Source {
        &self.main
    }
}

/// A date as typst's `Datetime`.
pub fn to_datetime(date: NaiveDate) -> Datetime {
    let month = u8::try_from(date.month()).unwrap_or(1);
    let day = u8::try_from(date.day()).unwrap_or(1);
    Datetime::from_ymd(date.year(), month, day)
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("a valid date"))
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Why typst cannot show a file as an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// Neither the name nor the data says what kind of image it is.
    #[error("not an image: PNG, JPEG, GIF, WebP, SVG or PDF is expected")]
    NotAnImage,
    /// Raw pixel data, which has no size of its own.
    #[error("raw pixel data")]
    RawPixels,
    /// A PDF page as an image: typst's PDF loader cannot check one beforehand.
    #[error("a PDF used as an image is not supported: give an SVG, PNG or JPEG")]
    Pdf,
    /// The data is another format than its name says.
    #[error("the data is {detected}, not what the name `.{ext}` says ({reason})")]
    WrongFormat {
        /// The format the data is in.
        detected: &'static str,
        /// The name's extension.
        ext: String,
        /// Typst's reason for not decoding it.
        reason: String,
    },
    /// Data that is not recognizably any image.
    #[error("not a readable image ({0})")]
    Unreadable(String),
    /// An image of the right format that does not decode.
    #[error("a broken image ({0})")]
    Broken(String),
}

/// Whether typst can show `bytes` as the image at `path`: the format typst takes from the
/// name (or, without a known extension, from the data) must decode. Checked when the
/// engagement is validated, so that a broken image is reported at its key, not as a typst
/// error in the generated source.
pub fn check_image(path: &str, bytes: &[u8]) -> Result<(), ImageError> {
    use typst::visualize::{
        ExchangeFormat, ImageFormat, RasterFormat, RasterImage, SvgImage, VectorFormat,
    };
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let format = match ext.as_str() {
        "png" => ImageFormat::Raster(ExchangeFormat::Png.into()),
        "jpg" | "jpeg" => ImageFormat::Raster(ExchangeFormat::Jpg.into()),
        "gif" => ImageFormat::Raster(ExchangeFormat::Gif.into()),
        "webp" => ImageFormat::Raster(ExchangeFormat::Webp.into()),
        "svg" | "svgz" => ImageFormat::Vector(VectorFormat::Svg),
        "pdf" => ImageFormat::Vector(VectorFormat::Pdf),
        _ => ImageFormat::detect(bytes).ok_or(ImageError::NotAnImage)?,
    };
    let data = Bytes::new(bytes.to_vec());
    let reason = match format {
        ImageFormat::Raster(RasterFormat::Exchange(f)) => {
            RasterImage::plain(data, f).err().map(|e| e.to_string())
        }
        ImageFormat::Raster(RasterFormat::Pixel(_)) => return Err(ImageError::RawPixels),
        ImageFormat::Vector(VectorFormat::Svg) => SvgImage::new(data)
            .err()
            .map(|e| load_error_message(&format!("{e:?}"))),
        // Typst does not expose its PDF loader to check one beforehand.
        ImageFormat::Vector(VectorFormat::Pdf) => return Err(ImageError::Pdf),
    };
    let Some(reason) = reason else {
        return Ok(());
    };
    Err(match (ImageFormat::detect(bytes), format) {
        (Some(d), f) if d != f => ImageError::WrongFormat {
            detected: describe(d),
            ext,
            reason,
        },
        (None, _) => ImageError::Unreadable(reason),
        _ => ImageError::Broken(reason),
    })
}

/// The message of a typst `LoadError`, whose fields are private but whose `Debug` shows it.
fn load_error_message(debug: &str) -> String {
    debug
        .split_once("message: \"")
        .and_then(|(_, rest)| rest.rsplit_once('"'))
        .map(|(m, _)| m.replace("\\\"", "\""))
        .unwrap_or_else(|| debug.to_owned())
}

fn describe(f: typst::visualize::ImageFormat) -> &'static str {
    use typst::visualize::{ExchangeFormat, ImageFormat, RasterFormat, VectorFormat};
    match f {
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Png)) => "PNG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Jpg)) => "JPEG",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Gif)) => "GIF",
        ImageFormat::Raster(RasterFormat::Exchange(ExchangeFormat::Webp)) => "WebP",
        ImageFormat::Raster(RasterFormat::Pixel(_)) => "raw pixels",
        ImageFormat::Vector(VectorFormat::Svg) => "SVG",
        ImageFormat::Vector(VectorFormat::Pdf) => "PDF",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fonts_cover_chinese_names_and_symbols() {
        let fonts = Fonts::embedded();
        assert_eq!(fonts.families(), ["Noto Serif CJK SC", "Noto Sans CJK SC"]);
        // 限 包 “ ： were tofu before the cmap fix; 堃 喆 are outside GB 2312.
        assert!(
            fonts
                .missing_chars("限包“：堃喆①℃×≥ kgCO2e 晨诺电气")
                .is_empty()
        );
        // Extension A and emoji are not in the subset.
        assert_eq!(fonts.missing_chars("㐀 a 😀 㐀"), ['㐀', '😀']);
    }
}
