//! The incremental update that carries a signature: written by hand after the report's
//! last byte, so the signed file is the unsigned report byte for byte plus the update.
//!
//! The update adds the signature dictionary, an invisible signature field (a zero-size
//! widget with the print flag and an empty appearance, as PDF/A asks), a `Form` structure
//! element for it (PDF/UA), and new versions of the catalog (`/AcroForm`, the ETSI
//! extension `/ESIC`), the first page
//! (`/Annots`, `/Tabs /S`) and the structure tree (the element and its parent-tree entry).
//! It is a function of the report and the signature dictionary's values alone, so `verify`
//! can write it again and compare.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// How many bytes the signature value may take: room for RSA 4096 with a chain of several
/// certificates, and within PDF/A's limit of 32767 bytes on a string.
pub const CONTENTS_BYTES: usize = 16 * 1024;

/// The values of the signature dictionary besides the signature itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// The signer's name (`/Name`).
    pub name: String,
    /// Why it was signed (`/Reason`).
    pub reason: String,
    /// Where (`/Location`), when known.
    pub location: Option<String>,
    /// When, as a PDF date (`/M`, `D:20240211000000Z`).
    pub time: String,
}

/// A signed file waiting for its signature value.
pub struct Prepared {
    /// The file, with zeros where the signature goes.
    pub bytes: Vec<u8>,
    /// Where the `/Contents` string is, `<` and `>` included: everything else is signed.
    pub gap: std::ops::Range<usize>,
}

impl Prepared {
    /// The signed bytes: the file before and after the gap.
    pub fn signed(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.gap.start], &self.bytes[self.gap.end..]]
    }

    /// Writes `cms` into the gap, in hex, padded with zeros.
    pub fn fill(&mut self, cms: &[u8]) -> Result<(), String> {
        let room = (self.gap.len() - 2) / 2;
        if cms.len() > room {
            return Err(format!(
                "the signature takes {} bytes, more than the {room} reserved for it",
                cms.len()
            ));
        }
        let hex = hex(cms);
        let start = self.gap.start + 1;
        self.bytes[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A PDF text string: literal when it is plain printable ASCII, else UTF-16BE in hex.
fn text(s: &str) -> String {
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !b"()\\".contains(&b))
    {
        format!("({s})")
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            out.push_str(&format!("{unit:04X}"));
        }
        out.push('>');
        out
    }
}

/// A PDF name, `#xx` for the bytes a name cannot hold as they are.
fn name(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in bytes {
        if (0x21..0x7f).contains(&b) && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// Writes an object that is not a stream.
fn write(object: &Object, out: &mut Vec<u8>) -> Result<(), String> {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            if !r.is_finite() {
                return Err("a number that is not finite".to_owned());
            }
            out.extend_from_slice(r.to_string().as_bytes())
        }
        Object::Name(n) => name(n, out),
        Object::String(s, _) => {
            out.push(b'<');
            out.extend_from_slice(hex(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(d, out)?,
        Object::Reference((n, g)) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        Object::Stream(_) => return Err("a stream where a dictionary was expected".to_owned()),
    }
    Ok(())
}

fn write_dict(d: &Dictionary, out: &mut Vec<u8>) -> Result<(), String> {
    out.extend_from_slice(b"<<");
    for (key, value) in d.iter() {
        name(key, out);
        out.push(b' ');
        write(value, out)?;
    }
    out.extend_from_slice(b">>");
    Ok(())
}

fn dict(doc: &Document, id: ObjectId, what: &str) -> Result<Dictionary, String> {
    doc.get_object(id)
        .and_then(Object::as_dict)
        .cloned()
        .map_err(|e| format!("the {what} ({} {} R) cannot be read: {e}", id.0, id.1))
}

fn reference(d: &Dictionary, key: &[u8], what: &str) -> Result<ObjectId, String> {
    d.get(key)
        .and_then(Object::as_reference)
        .map_err(|_| format!("the {what} is not an indirect object"))
}

/// Where the previous cross-reference section starts (`startxref` at the file's end).
fn startxref(pdf: &[u8]) -> Result<u64, String> {
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or("no `startxref` at the end of the file")?;
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits
        .parse()
        .map_err(|_| "an unreadable `startxref`".to_owned())
}

/// The signed file for `pdf` and `fields`, with `contents` bytes reserved for the
/// signature value (zeros for now).
pub fn prepare(pdf: &[u8], fields: &Fields, contents: usize) -> Result<Prepared, String> {
    if !pdf.ends_with(b"%%EOF") && !pdf.ends_with(b"%%EOF\n") && !pdf.ends_with(b"%%EOF\r\n") {
        return Err("the file does not end with `%%EOF`".to_owned());
    }
    let doc = Document::load_mem(pdf).map_err(|e| format!("not a readable PDF: {e}"))?;
    let prev = startxref(pdf)?;
    // An update's cross-reference section is of the kind the file uses: a table here. A
    // file whose last section is a stream would need a stream.
    let at = usize::try_from(prev).ok().and_then(|p| pdf.get(p..));
    if !at.is_some_and(|rest| rest.starts_with(b"xref")) {
        return Err(
            "the file's cross-reference is not a table (a stream?): not supported".to_owned(),
        );
    }
    let root = reference(&doc.trailer, b"Root", "catalog")?;
    let mut catalog = dict(&doc, root, "catalog")?;
    if catalog.has(b"AcroForm") {
        return Err(
            "the PDF already has a form (it is signed already, or not a cfp-verify report)"
                .to_owned(),
        );
    }
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .map_err(|_| "the trailer has no /Size".to_owned())?;
    // Four new objects follow the file's last: a /Size that leaves no room for them is as
    // impossible as a negative one.
    let size = u32::try_from(size)
        .ok()
        .filter(|s| s.checked_add(4).is_some())
        .ok_or("an impossible trailer /Size")?;
    let page = *doc
        .get_pages()
        .values()
        .next()
        .ok_or("the PDF has no page")?;
    let tree_id = reference(&catalog, b"StructTreeRoot", "structure tree")?;

    // The new objects.
    let sig = (size, 0);
    let widget = (size + 1, 0);
    let form = (size + 2, 0);
    let appearance = (size + 3, 0);
    let mut changed: BTreeMap<ObjectId, Dictionary> = BTreeMap::new();

    // The catalog: the form with the one field; SigFlags 3 (signatures exist, append only).
    let mut acro = Dictionary::new();
    acro.set("Fields", vec![Object::Reference(widget)]);
    acro.set("SigFlags", 3);
    catalog.set("AcroForm", acro);
    // The ETSI extension to PDF 1.7 that `/ETSI.CAdES.detached` belongs to (ISO 32000-1
    // extension level 2, as PAdES asks of a file below PDF 2.0).
    let mut esic = Dictionary::new();
    esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
    esic.set("ExtensionLevel", 2);
    match catalog.get_mut(b"Extensions") {
        Ok(Object::Dictionary(extensions)) => {
            if !extensions.has(b"ESIC") {
                extensions.set("ESIC", esic);
            }
        }
        Ok(_) => {}
        Err(_) => {
            let mut extensions = Dictionary::new();
            extensions.set("ESIC", esic);
            catalog.set("Extensions", extensions);
        }
    }
    changed.insert(root, catalog);

    // The structure tree: a Form element for the widget, at the end of the document's
    // element, and its parent-tree entry.
    let mut tree = dict(&doc, tree_id, "structure tree")?;
    let (parent_id, mut parent) = match tree.get(b"K") {
        Ok(Object::Reference(id)) => (*id, dict(&doc, *id, "document structure element")?),
        Ok(Object::Array(kids)) if kids.len() == 1 => {
            let id = kids[0]
                .as_reference()
                .map_err(|_| "a structure tree whose element is not indirect".to_owned())?;
            (id, dict(&doc, id, "document structure element")?)
        }
        _ => (tree_id, tree.clone()),
    };
    let mut kids = match parent.get(b"K") {
        Ok(Object::Array(kids)) => kids.clone(),
        Ok(kid) => vec![kid.clone()],
        Err(_) => Vec::new(),
    };
    kids.push(Object::Reference(form));
    parent.set("K", kids);
    if parent_id == tree_id {
        tree = parent.clone();
    } else {
        changed.insert(parent_id, parent);
    }
    let mut nums_holder: Option<ObjectId> = None;
    let mut parent_tree = match tree.get(b"ParentTree") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(id)) => {
            nums_holder = Some(*id);
            dict(&doc, *id, "structure parent tree")?
        }
        _ => return Err("the structure tree has no parent tree".to_owned()),
    };
    if parent_tree.has(b"Kids") {
        return Err("a structure parent tree with /Kids is not supported".to_owned());
    }
    let mut nums = parent_tree
        .get(b"Nums")
        .and_then(Object::as_array)
        .cloned()
        .unwrap_or_default();
    let next = match tree.get(b"ParentTreeNextKey").and_then(Object::as_i64) {
        Ok(n) => n,
        Err(_) => nums
            .iter()
            .step_by(2)
            .filter_map(|k| k.as_i64().ok())
            .max()
            .unwrap_or(-1)
            .checked_add(1)
            .ok_or("an impossible /Nums key in the structure tree's /ParentTree")?,
    };
    nums.push(Object::Integer(next));
    nums.push(Object::Reference(form));
    parent_tree.set("Nums", nums);
    match nums_holder {
        Some(id) => {
            changed.insert(id, parent_tree);
        }
        None => tree.set("ParentTree", parent_tree),
    }
    let after = next
        .checked_add(1)
        .ok_or("an impossible /ParentTreeNextKey")?;
    tree.set("ParentTreeNextKey", after);
    changed.insert(tree_id, tree);

    // The first page: the widget among its annotations, and tab order by structure.
    let mut page_dict = dict(&doc, page, "first page")?;
    match page_dict.get(b"Annots") {
        Ok(Object::Reference(id)) => {
            return Err(format!(
                "the first page's annotations are an indirect array ({} {} R): not supported",
                id.0, id.1
            ));
        }
        Ok(Object::Array(a)) => {
            let mut a = a.clone();
            a.push(Object::Reference(widget));
            page_dict.set("Annots", a);
        }
        _ => page_dict.set("Annots", vec![Object::Reference(widget)]),
    }
    page_dict.set("Tabs", Object::Name(b"S".to_vec()));
    changed.insert(page, page_dict);

    // Write the update.
    let mut out = pdf.to_vec();
    if !pdf.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, (u16, usize)> = BTreeMap::new();
    for (id, d) in &changed {
        offsets.insert(id.0, (id.1, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_dict(d, &mut out)?;
        out.extend_from_slice(b"\nendobj\n");
    }

    offsets.insert(sig.0, (0, out.len()));
    out.extend_from_slice(format!("{} 0 obj\n", sig.0).as_bytes());
    out.extend_from_slice(
        b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange[0 ",
    );
    let byte_range = out.len();
    out.extend_from_slice(&[b' '; 32]);
    out.extend_from_slice(b"]/Contents");
    let gap_start = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', contents * 2));
    out.push(b'>');
    let gap_end = out.len();
    out.extend_from_slice(
        format!(
            "/M{}/Name{}/Reason{}",
            text(&fields.time),
            text(&fields.name),
            text(&fields.reason)
        )
        .as_bytes(),
    );
    if let Some(location) = &fields.location {
        out.extend_from_slice(format!("/Location{}", text(location)).as_bytes());
    }
    out.extend_from_slice(b">>\nendobj\n");

    let (page_n, page_g) = page;
    offsets.insert(widget.0, (0, out.len()));
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<</Type/Annot/Subtype/Widget/FT/Sig/T(Signature1)/TU{}/V {} 0 R/F 4/Rect[0 0 0 0]/P {page_n} {page_g} R/AP<</N {} 0 R>>/StructParent {next}>>\nendobj\n",
            widget.0,
            text(&format!("Digital signature: {}", fields.name)),
            sig.0,
            appearance.0,
        )
        .as_bytes(),
    );
    offsets.insert(form.0, (0, out.len()));
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<</Type/StructElem/S/Form/P {} {} R/Pg {page_n} {page_g} R/K<</Type/OBJR/Obj {} 0 R/Pg {page_n} {page_g} R>>/Alt{}>>\nendobj\n",
            form.0,
            parent_id.0,
            parent_id.1,
            widget.0,
            text(&format!("Digital signature: {}", fields.name)),
        )
        .as_bytes(),
    );
    offsets.insert(appearance.0, (0, out.len()));
    out.extend_from_slice(
        format!(
            "{} 0 obj\n<</Type/XObject/Subtype/Form/BBox[0 0 0 0]/Length 0>>\nstream\n\nendstream\nendobj\n",
            appearance.0
        )
        .as_bytes(),
    );

    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    let ids: Vec<u32> = offsets.keys().copied().collect();
    let mut i = 0;
    while i < ids.len() {
        // Consecutive objects share a subsection.
        let mut j = i + 1;
        while j < ids.len() && ids[j] == ids[j - 1] + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", ids[i], j - i).as_bytes());
        for id in &ids[i..j] {
            let (g, at) = offsets[id];
            out.extend_from_slice(format!("{at:010} {g:05} n\r\n").as_bytes());
        }
        i = j;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", size + 4);
    trailer.set("Root", Object::Reference(root));
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set("Prev", prev as i64);
    out.extend_from_slice(b"trailer\n");
    write_dict(&trailer, &mut out)?;
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());

    let after = out.len() - gap_end;
    let numbers = format!("{gap_start} {gap_end} {after}");
    if numbers.len() + 1 > 32 {
        return Err("the file is too large to sign".to_owned());
    }
    // Left-aligned in the reserved room; the spaces after them are whitespace in the array.
    out[byte_range..byte_range + numbers.len()].copy_from_slice(numbers.as_bytes());
    Ok(Prepared {
        bytes: out,
        gap: gap_start..gap_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_literal_when_plain_and_utf16_otherwise() {
        assert_eq!(text("Li Na"), "(Li Na)");
        assert_eq!(text("a (b)"), "<FEFF00610020002800620029>");
        assert_eq!(text("张伟"), "<FEFF5F204F1F>");
    }

    #[test]
    fn names_escape_what_a_name_cannot_hold() {
        let mut out = Vec::new();
        name(b"A B#(", &mut out);
        assert_eq!(out, b"/A#20B#23#28");
    }

    #[test]
    fn a_file_that_is_not_a_pdf_is_refused_not_panicked_on() {
        let fields = Fields {
            name: "n".into(),
            reason: "r".into(),
            location: None,
            time: "D:20240211000000Z".into(),
        };
        for bytes in [
            &b""[..],
            b"%%EOF",
            b"%PDF-1.7\nstartxref\n0\n%%EOF",
            b"%PDF-1.7\n%%EOF\n",
        ] {
            assert!(prepare(bytes, &fields, 16).is_err());
        }
    }
}
