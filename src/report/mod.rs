//! The PDF report: view-model, minijinja templates, the typst World, PDF/A, the archive
//! of issued reports, `verify` and `sign`.

pub mod archive;
pub mod pdf;
pub mod render;
pub mod sign;
pub mod template;
pub mod verify;
pub mod view;
pub mod world;
