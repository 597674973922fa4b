//! What leaves the tool besides the PDF: results JSON, terminal tables, diff, PACT and
//! the workbook.

pub mod diff;
pub mod json;
pub mod pact;
pub mod table;
pub mod workbook;
