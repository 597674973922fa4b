//! `sign`: a PAdES baseline B-B signature (`/SubFilter /ETSI.CAdES.detached`) appended to
//! an approved report as an incremental update, and the checks `verify` makes of one.
//!
//! The signed file is the unsigned report byte for byte plus the update, so the archive's
//! `report.pdf` stays reproducible and `verify` can still render the engagement again and
//! compare. The same report, key and time give the same bytes: RSA PKCS#1 v1.5 is
//! deterministic and ECDSA uses RFC 6979 nonces.

pub mod cms;
pub mod keys;
pub mod update;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use lopdf::{Document, Object};
use x509_cert::Certificate;

use crate::engagement::{Report, Status, Verifier};
use crate::report::verify::{self, VerifyError};
pub use keys::{Credentials, KeySource, Password};
pub use update::Fields;

/// Why a report could not be signed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A key, certificate or password file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The key file holds no key that can sign.
    #[error("{}: not a usable private key: {reason}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A certificate file holds no readable certificate.
    #[error("{}: not a usable certificate: {reason}", path.display())]
    Certificate {
        /// The certificate file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A PEM key given without its certificate.
    #[error("{}: no certificate for this key\n  hint: give the signer's certificate with `--cert CERT.pem`", key.display())]
    NoCertificate {
        /// The key file.
        key: PathBuf,
    },
    /// A PKCS#12 file given without a password source.
    #[error("{}: a PKCS#12 file needs its password\n  hint: `--password-file FILE` or `--password-env VAR` (never on the command line)", path.display())]
    NoPassword {
        /// The PKCS#12 file.
        path: PathBuf,
    },
    /// `--password-env` names a variable that is not set.
    #[error("the environment variable `{var}` (`--password-env`) is not set")]
    NoPasswordVar {
        /// The variable.
        var: String,
    },
    /// The PKCS#12 password is wrong.
    #[error("{}: wrong password (the PKCS#12 file's integrity check fails with it)", path.display())]
    WrongPassword {
        /// The PKCS#12 file.
        path: PathBuf,
    },
    /// An RSA key that is too short.
    #[error("{}: an RSA key of {bits} bits; at least {} are required", path.display(), keys::MIN_RSA_BITS)]
    WeakKey {
        /// The key file.
        path: PathBuf,
        /// Its size.
        bits: usize,
    },
    /// The key is not the certificate's.
    #[error("{}: this key does not belong to the certificate in {} (subject {subject})", key.display(), cert.display())]
    KeyMismatch {
        /// The key file.
        key: PathBuf,
        /// The certificate's file.
        cert: PathBuf,
        /// The certificate's subject.
        subject: String,
    },
    /// The certificate is not valid at the signing time.
    #[error(
        "the certificate of {subject} is not valid at the signing time {time}: it is valid from {not_before} to {not_after}\n  hint: renew the certificate, or give the signing time with `--time`"
    )]
    Expired {
        /// The certificate's subject.
        subject: String,
        /// The signing time.
        time: String,
        /// Its first valid time.
        not_before: String,
        /// Its last valid time.
        not_after: String,
    },
    /// The report is a draft or reviewed, not approved.
    #[error(
        "the report {number} r{revision} is {status}, not approved: only an approved report is signed\n  hint: set `report.status: approved` (with the approver) and render it again"
    )]
    NotApproved {
        /// The report number.
        number: String,
        /// The revision.
        revision: u32,
        /// Its status.
        status: String,
    },
    /// The PDF's engagement cannot be read: not a cfp-verify report.
    #[error(transparent)]
    NotReport(#[from] VerifyError),
    /// The signature could not be added to the PDF.
    #[error("cannot sign this PDF: {0}")]
    Pdf(String),
    /// `--time` cannot be read.
    #[error("`--time {0}`: not a time; write `2024-02-11T10:00:00+08:00` or a date `2024-02-11`")]
    Time(String),
}

/// The signing time `--time` gives: an RFC 3339 time, or a date (midnight UTC).
pub fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, SignError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(midnight)
        .ok_or_else(|| SignError::Time(text.to_owned()))
}

fn midnight(date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    let utc = FixedOffset::east_opt(0)?;
    utc.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
}

/// A time as a PDF date: `D:20240211000000Z`, or with its offset `+08'00'`.
pub fn pdf_date(t: &DateTime<FixedOffset>) -> String {
    let offset = t.offset().local_minus_utc();
    let zone = if offset == 0 {
        "Z".to_owned()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let m = offset.abs() / 60;
        format!("{sign}{:02}'{:02}'", m / 60, m % 60)
    };
    format!("D:{}{zone}", t.format("%Y%m%d%H%M%S"))
}

/// Reads a PDF date as `pdf_date` writes it (seconds since 1970).
fn parse_pdf_date(text: &str) -> Option<i64> {
    let d = text.strip_prefix("D:")?;
    let digits = d.get(..14)?;
    let naive = chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok()?;
    let zone = &d[14..];
    let offset = if zone.is_empty() || zone == "Z" {
        0
    } else {
        let sign = match zone.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let h: i64 = zone.get(1..3)?.parse().ok()?;
        let m: i64 = zone.get(4..6).and_then(|m| m.parse().ok()).unwrap_or(0);
        sign * (h * 3600 + m * 60)
    };
    Some(naive.and_utc().timestamp() - offset)
}

/// Seconds since 1970 of a certificate time.
fn unix(t: &x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

fn show_time(t: &x509_cert::time::Time) -> String {
    t.to_date_time().to_string()
}

/// The subject's common name, or the whole subject.
fn common_name(cert: &Certificate) -> String {
    let cn = spki::ObjectIdentifier::new_unwrap("2.5.4.3");
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == cn {
                if let Ok(s) = atv.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                    return s.as_str().to_owned();
                }
                if let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef<'_>>() {
                    return s.as_str().to_owned();
                }
            }
        }
    }
    cert.tbs_certificate.subject.to_string()
}

fn check_validity(cert: &Certificate, time: &DateTime<FixedOffset>) -> Result<(), SignError> {
    let v = &cert.tbs_certificate.validity;
    let t = time.timestamp();
    if t < unix(&v.not_before) || t > unix(&v.not_after) {
        return Err(SignError::Expired {
            subject: cert.tbs_certificate.subject.to_string(),
            time: time.to_rfc3339(),
            not_before: show_time(&v.not_before),
            not_after: show_time(&v.not_after),
        });
    }
    Ok(())
}

/// The signature dictionary's values for a report: the signer's name, the reason
/// ("Approval of verification statement JZNT-CFP-2024-003 r1"), the verifier's address
/// and the time, by default the issue date.
pub fn fields(
    report: &Report,
    verifier: &Verifier,
    signer: &Credentials,
    time: Option<DateTime<FixedOffset>>,
) -> Result<(Fields, DateTime<FixedOffset>), SignError> {
    if report.status != Status::Approved {
        return Err(SignError::NotApproved {
            number: report.number.clone(),
            revision: report.revision,
            status: format!("{:?}", report.status).to_lowercase(),
        });
    }
    let time = match time {
        Some(t) => t,
        None => midnight(report.issued).ok_or(SignError::Time(report.issued.to_string()))?,
    };
    check_validity(&signer.cert, &time)?;
    Ok((
        Fields {
            name: common_name(&signer.cert),
            reason: format!(
                "Approval of verification statement {} r{}",
                report.number, report.revision
            ),
            location: verifier.address.as_ref().map(|a| a.en.clone()),
            time: pdf_date(&time),
        },
        time,
    ))
}

/// Signs the report `pdf` (made for `report` by `verifier`): the signed file's bytes.
pub fn sign_report(
    pdf: &[u8],
    report: &Report,
    verifier: &Verifier,
    signer: &Credentials,
    time: Option<DateTime<FixedOffset>>,
) -> Result<Vec<u8>, SignError> {
    let (fields, _) = fields(report, verifier, signer, time)?;
    let mut prepared =
        update::prepare(pdf, &fields, update::CONTENTS_BYTES).map_err(SignError::Pdf)?;
    let [before, after] = prepared.signed();
    let digest = keys::Hash::Sha256.digest(&[before, after].concat());
    let cms = cms::build(signer, &digest).map_err(SignError::Pdf)?;
    prepared.fill(&cms).map_err(SignError::Pdf)?;
    Ok(prepared.bytes)
}

/// Signs a report PDF, reading its engagement from the PDF's attachment: refused unless
/// the report is approved.
pub fn sign(
    pdf: &[u8],
    name: &str,
    signer: &Credentials,
    time: Option<DateTime<FixedOffset>>,
) -> Result<Vec<u8>, SignError> {
    if signature_dict(pdf).is_some() {
        return Err(SignError::Pdf("it is signed already".to_owned()));
    }
    let verified = verify::engagement_of(pdf, name)?;
    let e = &verified.engagement;
    sign_report(pdf, &e.report, &e.verifier, signer, time)
}

/// A certificate, as `verify` prints it.
#[derive(Debug, Clone)]
pub struct CertSummary {
    /// The subject's distinguished name.
    pub subject: String,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The serial number, in hex.
    pub serial: String,
    /// Valid from.
    pub not_before: String,
    /// Valid to.
    pub not_after: String,
    /// `RSA 2048`, `ECDSA P-256`.
    pub key: String,
}

impl CertSummary {
    fn of(cert: &Certificate) -> CertSummary {
        let tbs = &cert.tbs_certificate;
        CertSummary {
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            serial: tbs
                .serial_number
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":"),
            not_before: show_time(&tbs.validity.not_before),
            not_after: show_time(&tbs.validity.not_after),
            key: keys::PublicKey::of(cert)
                .map(|k| k.describe())
                .unwrap_or_else(|_| "unknown key".to_owned()),
        }
    }
}

/// Whether the signer's certificate leads to a CA given with `--trust`.
#[derive(Debug, Clone)]
pub enum Trust {
    /// No CA was given.
    NotAsked,
    /// It chains to this CA (its subject).
    ChainsTo(String),
    /// It chains to none of the CAs given.
    Untrusted,
}

/// A valid signature over a report.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The signature dictionary's values.
    pub fields: Fields,
    /// The signer's certificate.
    pub signer: CertSummary,
    /// Whether it chains to a trusted CA.
    pub trust: Trust,
    /// How many bytes of the file are the unsigned report (the revision before the
    /// signature's update).
    pub unsigned: usize,
}

/// Why a signed PDF's signature does not hold.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the signature does not hold: {0}")]
pub struct Broken(pub String);

/// The signature dictionary of a signed PDF: its fields, byte range and hex value's place.
struct Found {
    byte_range: Vec<i64>,
    fields: Fields,
    count: usize,
}

fn text_of(d: &lopdf::Dictionary, key: &[u8]) -> Option<String> {
    match d.get(key).ok()? {
        Object::String(s, _) => Some(super::verify::decode_text(s)),
        _ => None,
    }
}

/// The signature dictionary of the (newest revision of the) PDF, if it has one.
fn signature_dict(pdf: &[u8]) -> Option<Result<Found, Broken>> {
    let doc = Document::load_mem(pdf).ok()?;
    let deref = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            o => Some(o.clone()),
        }
    };
    let catalog = doc.catalog().ok()?;
    let acro = deref(catalog.get(b"AcroForm").ok()?)?;
    let fields = deref(acro.as_dict().ok()?.get(b"Fields").ok()?)?;
    let mut sigs = Vec::new();
    for field in fields.as_array().ok()? {
        let Some(Object::Dictionary(f)) = deref(field) else {
            continue;
        };
        if f.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        if let Some(Object::Dictionary(v)) = f.get(b"V").ok().and_then(deref) {
            sigs.push(v);
        }
    }
    let count = sigs.len();
    let v = sigs.into_iter().next()?;
    let found = (|| {
        let byte_range: Vec<i64> = v
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map_err(|_| Broken("the signature has no /ByteRange".to_owned()))?
            .iter()
            .map(|o| {
                o.as_i64()
                    .map_err(|_| Broken("an unreadable /ByteRange".to_owned()))
            })
            .collect::<Result<_, _>>()?;
        let need = |key: &[u8]| {
            text_of(&v, key).ok_or_else(|| {
                Broken(format!(
                    "the signature has no /{}",
                    String::from_utf8_lossy(key)
                ))
            })
        };
        Ok(Found {
            byte_range,
            fields: Fields {
                name: need(b"Name")?,
                reason: need(b"Reason")?,
                location: text_of(&v, b"Location"),
                time: need(b"M")?,
            },
            count,
        })
    })();
    Some(found)
}

/// Whether `cert` is a CA certificate (basic constraints `cA`).
fn is_ca(cert: &Certificate) -> bool {
    use der::Decode;
    let oid = spki::ObjectIdentifier::new_unwrap("2.5.29.19");
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == oid)
        .any(|e| {
            x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes())
                .is_ok_and(|b| b.ca)
        })
}

/// Whether `cert` is valid at `time` (seconds since 1970).
fn valid_at(cert: &Certificate, time: i64) -> bool {
    let v = &cert.tbs_certificate.validity;
    unix(&v.not_before) <= time && time <= unix(&v.not_after)
}

/// The signer's certificate's path to one of `anchors`, through the CA certificates in
/// `pool` valid at `time`: the anchor's subject.
fn chain_to(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    time: i64,
) -> Option<String> {
    let mut cert = signer.clone();
    for _ in 0..8 {
        if let Some(a) = anchors
            .iter()
            .find(|a| *a == &cert || keys::issued_by(&cert, a))
        {
            return Some(a.tbs_certificate.subject.to_string());
        }
        let next = pool
            .iter()
            .find(|c| *c != &cert && is_ca(c) && valid_at(c, time) && keys::issued_by(&cert, c))?
            .clone();
        cert = next;
    }
    None
}

/// Checks the signature of a signed PDF: `None` when it has none. The byte range must
/// cover the whole file but the signature value; the CMS signature must be valid over
/// it; and the file must be a report (the unsigned revision) plus exactly the update
/// `sign` writes for this signature, so nothing it shows was changed in the update.
pub fn check(pdf: &[u8], trust: &[Certificate]) -> Option<Result<Signature, Broken>> {
    let found = match signature_dict(pdf)? {
        Ok(f) => f,
        Err(e) => return Some(Err(e)),
    };
    Some(check_found(pdf, found, trust))
}

fn check_found(pdf: &[u8], found: Found, trust: &[Certificate]) -> Result<Signature, Broken> {
    let broken = |s: &str| Err(Broken(s.to_owned()));
    if found.count > 1 {
        return broken("the PDF has more than one signature field; a signed report has one");
    }
    let len = pdf.len() as i64;
    let [0, a, b, c] = found.byte_range[..] else {
        return broken("the /ByteRange does not start at the file's first byte");
    };
    // Numbers from the file: an end past what an i64 holds is impossible, not an overflow.
    let end = b.checked_add(c);
    if !(0 < a && a < b && b <= len && c >= 0) || end.is_none() {
        return broken("the /ByteRange is impossible for this file");
    }
    let end = end.unwrap_or(len);
    if end < len {
        return Err(Broken(format!(
            "the signature covers the file's first {} bytes, but the file has {len}: {} bytes were added after signing (an incremental update)",
            end,
            len - end
        )));
    }
    if end > len {
        return broken("the /ByteRange runs past the file's end: the file was cut");
    }
    let (a, b) = (a as usize, b as usize);
    let value = &pdf[a..b];
    if value.first() != Some(&b'<') || value.last() != Some(&b'>') {
        return broken("the /ByteRange gap is not exactly the signature value (/Contents)");
    }
    let hex = &value[1..value.len() - 1];
    if !hex.len().is_multiple_of(2) || !hex.iter().all(u8::is_ascii_hexdigit) {
        return broken("the signature value is not a hex string");
    }
    let bytes: Vec<u8> = hex
        .chunks_exact(2)
        .map(|p| {
            let s = std::str::from_utf8(p).unwrap_or("00");
            u8::from_str_radix(s, 16).unwrap_or(0)
        })
        .collect();
    let n = cms::der_len(&bytes)
        .filter(|&n| n <= bytes.len())
        .ok_or_else(|| Broken("the signature value is not a DER structure".to_owned()))?;
    if bytes[n..].iter().any(|&b| b != 0) {
        return broken("the signature value is followed by bytes that are not zero padding");
    }
    let checked = cms::check(&bytes[..n], &[&pdf[..a], &pdf[b..]]).map_err(Broken)?;

    // The unsigned report: up to the `%%EOF` before the signature's update.
    let eof = pdf[..a]
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .ok_or_else(|| Broken("no unsigned revision before the signature".to_owned()))?
        + 5;
    let mut unsigned = None;
    for end in [eof, eof + 1, eof + 2] {
        if end > a {
            break;
        }
        let Ok(mut again) = update::prepare(&pdf[..end], &found.fields, (b - a - 2) / 2) else {
            continue;
        };
        if again.gap != (a..b) || again.fill(&bytes[..n]).is_err() {
            continue;
        }
        if again.bytes == pdf {
            unsigned = Some(end);
            break;
        }
    }
    let Some(unsigned) = unsigned else {
        return broken(
            "the update that carries the signature is not the one `cfp-verify sign` writes: it may change what the report shows",
        );
    };
    let time = parse_pdf_date(&found.fields.time)
        .ok_or_else(|| Broken(format!("an unreadable signing time {}", found.fields.time)))?;
    let v = &checked.signer.tbs_certificate.validity;
    if !valid_at(&checked.signer, time) {
        return Err(Broken(format!(
            "the signer's certificate was not valid at the signing time {} (valid from {} to {})",
            found.fields.time,
            show_time(&v.not_before),
            show_time(&v.not_after)
        )));
    }
    let trust = if trust.is_empty() {
        Trust::NotAsked
    } else {
        match chain_to(&checked.signer, &checked.others, trust, time) {
            Some(ca) => Trust::ChainsTo(ca),
            None => Trust::Untrusted,
        }
    };
    Ok(Signature {
        fields: found.fields,
        signer: CertSummary::of(&checked.signer),
        trust,
        unsigned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_are_written_and_read_as_pdf_dates() {
        let t = parse_time("2024-02-11T10:30:00+08:00").unwrap();
        assert_eq!(pdf_date(&t), "D:20240211103000+08'00'");
        assert_eq!(parse_pdf_date(&pdf_date(&t)), Some(t.timestamp()));
        let d = parse_time("2024-02-11").unwrap();
        assert_eq!(pdf_date(&d), "D:20240211000000Z");
        assert_eq!(parse_pdf_date("D:20240211000000Z"), Some(d.timestamp()));
        let west = parse_time("2024-02-11T00:00:00-05:30").unwrap();
        assert_eq!(parse_pdf_date(&pdf_date(&west)), Some(west.timestamp()));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(parse_pdf_date("D:2024"), None);
    }

    #[test]
    fn an_unsigned_or_broken_file_has_no_signature_to_check() {
        assert!(check(b"", &[]).is_none());
        assert!(check(b"%PDF-1.7\n%%EOF", &[]).is_none());
    }

    #[test]
    fn der_lengths_are_read_and_bounded() {
        assert_eq!(cms::der_len(&[0x30, 0x03, 1, 2, 3]), Some(5));
        assert_eq!(cms::der_len(&[0x30, 0x82, 0x01, 0x00]), Some(4 + 256));
        assert_eq!(cms::der_len(&[0x30, 0x80]), None);
        assert_eq!(cms::der_len(&[0x30]), None);
    }
}
