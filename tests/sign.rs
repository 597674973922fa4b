//! PAdES signatures: `sign`, `render --sign`, and `verify` of signed reports, checked
//! against two independent validators, pyHanko and poppler's `pdfsig`.
//!
//! The keys and certificates are made at test time with the `openssl` command (a CA, RSA
//! and P-256 signers, PEM and PKCS#12). pyHanko is looked up on the PATH, in `$PYHANKO`, or
//! in the virtual environment `scripts/test` makes (`~/.cache/cfp-verify/venv`); outside
//! CI (`CI` unset) its checks are skipped with a note when it is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{cfp, folder, poppler, root, sample_with};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs a command in `dir`; panics with its output when it fails.
fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed by these tests: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const CA_CNF: &str = "\
[ca]
default_ca = ca
[ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
";

/// A CA under `dir/name`: `ca.key`, `ca.pem`.
fn make_ca(dir: &Path, subject: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("ca.cnf"), CA_CNF).unwrap();
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    run(
        dir,
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "ca.key",
        ],
    );
    run(
        dir,
        "openssl",
        &[
            "req", "-new", "-key", "ca.key", "-subj", subject, "-out", "ca.csr",
        ],
    );
    run(
        dir,
        "openssl",
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-selfsign",
            "-keyfile",
            "ca.key",
            "-in",
            "ca.csr",
            "-out",
            "ca.pem",
            "-extensions",
            "root",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20450101000000Z",
            "-notext",
        ],
    );
}

/// A signer `name.key` (PKCS#8 PEM) and `name.pem`, issued by the CA in `dir`, valid
/// between the two dates (`YYYYMMDDHHMMSSZ`).
fn make_signer(dir: &Path, name: &str, algorithm: &[&str], subject: &str, from: &str, to: &str) {
    issue(dir, "ca", "leaf", name, algorithm, subject, (from, to));
}

/// A certificate `name.pem` for a new key `name.key`, issued by `issuer.pem` with the
/// extensions `kind` (`leaf` or `root`, a CA) of the CA configuration in `dir`.
fn issue(
    dir: &Path,
    issuer: &str,
    kind: &str,
    name: &str,
    algorithm: &[&str],
    subject: &str,
    (from, to): (&str, &str),
) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let pem = format!("{name}.pem");
    let mut genpkey = vec!["genpkey"];
    genpkey.extend_from_slice(algorithm);
    genpkey.extend_from_slice(&["-out", &key]);
    run(dir, "openssl", &genpkey);
    run(
        dir,
        "openssl",
        &["req", "-new", "-key", &key, "-subj", subject, "-out", &csr],
    );
    run(
        dir,
        "openssl",
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            &format!("{issuer}.pem"),
            "-keyfile",
            &format!("{issuer}.key"),
            "-in",
            &csr,
            "-out",
            &pem,
            "-extensions",
            kind,
            "-startdate",
            from,
            "-enddate",
            to,
            "-notext",
        ],
    );
}

const RSA: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const P256: &[&str] = &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

/// The test PKI, made once per test run: `pki/` with the CA, `rsa`, `ec` (P-256),
/// `expired`, `weak` (RSA 1024) signers, `rsa.p12` and `ec.p12` (password in `password`),
/// the intermediate CA `inter` and its signer `deep`, `forged` (issued by the `rsa`
/// signer, who is no CA), and `other/ca.pem`, a CA that signed none of them.
fn pki() -> &'static Path {
    static PKI: OnceLock<PathBuf> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = folder("sign", "pki");
        make_ca(&dir, "/CN=cfp-verify Test CA/O=cfp-verify tests");
        let (from, to) = ("20230101000000Z", "20400101000000Z");
        make_signer(&dir, "rsa", RSA, "/CN=Zhang Wei/O=Henan Jingze", from, to);
        make_signer(&dir, "ec", P256, "/CN=Li Na/O=Henan Jingze", from, to);
        make_signer(
            &dir,
            "expired",
            P256,
            "/CN=Old Key/O=Henan Jingze",
            "20200101000000Z",
            "20231231000000Z",
        );
        make_signer(
            &dir,
            "weak",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            "/CN=Weak Key/O=Henan Jingze",
            from,
            to,
        );
        std::fs::write(dir.join("password"), "correct horse\n").unwrap();
        for name in ["rsa", "ec"] {
            run(
                &dir,
                "openssl",
                &[
                    "pkcs12",
                    "-export",
                    "-inkey",
                    &format!("{name}.key"),
                    "-in",
                    &format!("{name}.pem"),
                    "-certfile",
                    "ca.pem",
                    "-passout",
                    "file:password",
                    "-out",
                    &format!("{name}.p12"),
                ],
            );
        }
        // An intermediate CA and its signer; a "signer" issued by a signer (not a CA).
        issue(
            &dir,
            "ca",
            "root",
            "inter",
            RSA,
            "/CN=cfp-verify Intermediate CA",
            (from, to),
        );
        issue(
            &dir,
            "inter",
            "leaf",
            "deep",
            P256,
            "/CN=Wang Fang/O=Henan Jingze",
            (from, to),
        );
        issue(
            &dir,
            "rsa",
            "leaf",
            "forged",
            P256,
            "/CN=Forger",
            (from, to),
        );
        make_ca(&dir.join("other"), "/CN=Another CA");
        dir
    })
}

fn p(name: &str) -> String {
    s(&pki().join(name)).to_owned()
}

/// The sample report, rendered once: `sign/sample/report.pdf` (approved).
fn sample_pdf() -> &'static Path {
    static PDF: OnceLock<PathBuf> = OnceLock::new();
    PDF.get_or_init(|| {
        let dir = folder("sign", "sample");
        let pdf = dir.join("report.pdf");
        let run = cfp(&["render", "samples/chennuo-2023.yaml", "-o", s(&pdf)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        pdf
    })
}

/// A copy of the sample report in a fresh folder `sign/<test>`.
fn copy_sample(test: &str) -> (PathBuf, PathBuf) {
    let dir = folder("sign", test);
    let pdf = dir.join("report.pdf");
    std::fs::copy(sample_pdf(), &pdf).unwrap();
    (dir, pdf)
}

/// The pyHanko command, or `None` (outside CI only) when it is not installed.
fn pyhanko() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PYHANKO").map(PathBuf::from),
        Some(PathBuf::from("pyhanko")),
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache/cfp-verify/venv/bin/pyhanko")),
    ];
    for c in candidates.into_iter().flatten() {
        if Command::new(&c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(c);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "pyHanko is required in CI: scripts/test installs it (pip install pyhanko pyhanko-cli)"
    );
    eprintln!("note: pyHanko not found; its checks are skipped (run scripts/test to install it)");
    None
}

/// What `pyhanko sign validate --trust CA` says of `pdf`: exit success and output.
fn pyhanko_validate(pdf: &Path, ca: &str) -> Option<(bool, String)> {
    let exe = pyhanko()?;
    let out = Command::new(exe)
        .args(["sign", "validate", "--trust", ca, "--trust-replace", s(pdf)])
        .output()
        .unwrap();
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// What `pdfsig` says of `pdf` (its exit status is not a verdict).
fn pdfsig(pdf: &Path) -> String {
    let out = Command::new("pdfsig")
        .arg(s(pdf))
        .output()
        .expect("pdfsig (poppler-utils) is needed by these tests");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that all three validators accept the signed `pdf`.
fn assert_valid(pdf: &Path) {
    let sig = pdfsig(pdf);
    assert!(sig.contains("Signature is Valid"), "pdfsig: {sig}");
    assert!(sig.contains("Total document signed"), "pdfsig: {sig}");
    assert!(sig.contains("ETSI.CAdES.detached"), "pdfsig: {sig}");
    if let Some((ok, said)) = pyhanko_validate(pdf, &p("ca.pem")) {
        assert!(ok, "pyHanko: {said}");
        assert!(said.contains("INTACT:TRUSTED,UNTOUCHED"), "pyHanko: {said}");
    }
    let run = cfp(&["verify", s(pdf), "--trust", &p("ca.pem")]);
    assert_eq!(run.code, 0, "verify: {}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("verified: the signature is valid"),
        "{}",
        run.stdout
    );
}

fn sign(pdf: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["sign", s(pdf)];
    all.extend_from_slice(args);
    cfp(&all)
}

#[test]
fn an_rsa_pem_signature_is_valid_for_pyhanko_pdfsig_and_verify() {
    let (dir, pdf) = copy_sample("rsa");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("rsa.key"),
            "--cert",
            &p("rsa.pem"),
            "--chain",
            &p("ca.pem"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signed_path = dir.join("report.signed.pdf");
    assert!(
        run.stdout.contains("report.signed.pdf: signed by"),
        "{}",
        run.stdout
    );
    let unsigned = std::fs::read(&pdf).unwrap();
    let signed = std::fs::read(&signed_path).unwrap();
    assert_eq!(
        unsigned,
        std::fs::read(sample_pdf()).unwrap(),
        "the report is untouched"
    );
    assert!(
        signed.starts_with(&unsigned),
        "signed = unsigned + an update"
    );
    assert_valid(&signed_path);
    let sig = pdfsig(&signed_path);
    assert!(
        sig.contains("Signer Certificate Common Name: Zhang Wei"),
        "{sig}"
    );
    assert!(sig.contains("SHA-256"), "{sig}");
    // verify names the signer, its issuer, serial and validity, and the trust.
    let run = cfp(&["verify", s(&signed_path), "--trust", &p("ca.pem")]);
    for line in [
        "signer:   O=Henan Jingze,CN=Zhang Wei",
        "issuer:   O=cfp-verify tests,CN=cfp-verify Test CA",
        "serial:   ",
        "valid:    2023-01-01T00:00:00Z to 2040-01-01T00:00:00Z",
        "key:      RSA 2048",
        "time:     D:20240211000000Z",
        "reason:   Approval of verification statement JZNT-CFP-2024-003 r1",
        "location: Jinshui District, Zhengzhou, Henan Province",
        "trust:    chains to the trusted CA O=cfp-verify tests,CN=cfp-verify Test CA",
    ] {
        assert!(run.stdout.contains(line), "no `{line}` in:\n{}", run.stdout);
    }
    // Without --trust the chain is not checked, and it says so.
    let run = cfp(&["verify", s(&signed_path)]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("trust:    not checked"),
        "{}",
        run.stdout
    );
    // Another CA: the signature holds but is not trusted.
    let run = cfp(&["verify", s(&signed_path), "--trust", &p("other/ca.pem")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("does NOT chain"), "{}", run.stdout);
    // --trust asks for a signature: the unsigned report is not enough.
    let run = cfp(&["verify", s(&pdf), "--trust", &p("ca.pem")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("not signed"), "{}", run.stdout);
    // The unsigned report still verifies as before.
    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn the_chain_runs_through_intermediate_cas_only() {
    let (dir, pdf) = copy_sample("chain");
    let deep = dir.join("deep.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("deep.key"),
            "--cert",
            &p("deep.pem"),
            "--chain",
            &p("inter.pem"),
            "-o",
            s(&deep),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid(&deep);
    // Without the intermediate in the signature, the path to the CA is not there.
    let alone = dir.join("alone.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("deep.key"),
            "--cert",
            &p("deep.pem"),
            "-o",
            s(&alone),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cfp(&["verify", s(&alone), "--trust", &p("ca.pem")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("does NOT chain"), "{}", run.stdout);
    // A certificate issued by a signer that is no CA does not chain, with its issuer's
    // certificate in the signature or not.
    let forged = dir.join("forged.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("forged.key"),
            "--cert",
            &p("forged.pem"),
            "--chain",
            &p("rsa.pem"),
            "-o",
            s(&forged),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cfp(&["verify", s(&forged), "--trust", &p("ca.pem")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("does NOT chain"), "{}", run.stdout);
    if let Some((ok, said)) = pyhanko_validate(&forged, &p("ca.pem")) {
        assert!(!ok && said.contains("UNTRUSTED"), "pyHanko: {said}");
    }
}

#[test]
fn a_p256_pkcs12_signature_is_valid_and_the_same_every_time() {
    let (dir, pdf) = copy_sample("p12");
    let first = dir.join("first.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("ec.p12"),
            "--password-file",
            &p("password"),
            "-o",
            s(&first),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid(&first);
    assert!(pdfsig(&first).contains("Common Name: Li Na"));
    // The password from the environment; the same inputs give the same bytes.
    let second = dir.join("second.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .args([
            "sign",
            s(&pdf),
            "--key",
            &p("ec.p12"),
            "--password-env",
            "CFP_TEST_P12",
        ])
        .args(["-o", s(&second)])
        .env("CFP_TEST_P12", "correct horse")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(),
        "two signatures of the same report with the same key and time differ"
    );
    // PEM key and certificate: the same signature as from the PKCS#12 file (which also
    // carries the CA).
    let third = dir.join("third.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("ec.key"),
            "--cert",
            &p("ec.pem"),
            "--chain",
            &p("ca.pem"),
            "-o",
            s(&third),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(&first).unwrap() == std::fs::read(&third).unwrap());
    // An RSA PKCS#12 file, and a time given.
    let fourth = dir.join("fourth.pdf");
    let run = sign(
        &pdf,
        &[
            "--key",
            &p("rsa.p12"),
            "--password-file",
            &p("password"),
            "--time",
            "2024-02-11T10:30:00+08:00",
            "-o",
            s(&fourth),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid(&fourth);
    assert!(
        pdfsig(&fourth).contains("Feb 11 2024 02:30:00"),
        "{}",
        pdfsig(&fourth)
    );
}

#[test]
fn the_signed_report_keeps_its_pdf_a_and_pdf_ua_claims_and_tags_the_field() {
    let (dir, pdf) = copy_sample("pdfa");
    let run = sign(&pdf, &["--key", &p("ec.key"), "--cert", &p("ec.pem")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signed = dir.join("report.signed.pdf");
    let xmp = poppler("pdfinfo", &["-meta", s(&signed)]);
    for claim in [
        "<pdfaid:part>3</pdfaid:part>",
        "<pdfaid:conformance>A</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ] {
        assert!(xmp.contains(claim), "the XMP lacks {claim}");
    }
    let info = poppler("pdfinfo", &[s(&signed)]);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
    };
    assert_eq!(field("Form:"), "AcroForm", "{info}");
    assert_eq!(field("Tagged:"), "yes", "{info}");
    // As many pages as the report it signs.
    let unsigned = poppler("pdfinfo", &[s(&pdf)]);
    let pages = unsigned
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(str::trim)
        .unwrap_or_default();
    assert!(!pages.is_empty(), "{unsigned}");
    assert_eq!(field("Pages:"), pages, "{info}");
    // The text and attachments are those of the report.
    assert_eq!(
        poppler("pdftotext", &[s(&signed), "-"]),
        poppler("pdftotext", &[s(&pdf), "-"])
    );
    assert!(poppler("pdfdetach", &["-list", s(&signed)]).contains("engagement.yaml"));
    // The widget: invisible, printed, with an appearance, in the structure tree as a Form.
    let doc = lopdf::Document::load(&signed).unwrap();
    let catalog = doc.catalog().unwrap();
    let acro = catalog.get(b"AcroForm").unwrap().as_dict().unwrap();
    assert_eq!(acro.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    assert!(acro.get(b"NeedAppearances").is_err());
    let esic = catalog.get(b"Extensions").unwrap().as_dict().unwrap();
    let esic = esic.get(b"ESIC").unwrap().as_dict().unwrap();
    assert_eq!(esic.get(b"ExtensionLevel").unwrap().as_i64().unwrap(), 2);
    let field_id = acro.get(b"Fields").unwrap().as_array().unwrap()[0]
        .as_reference()
        .unwrap();
    let field = doc.get_dictionary(field_id).unwrap();
    assert_eq!(field.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
    assert_eq!(field.get(b"F").unwrap().as_i64().unwrap(), 4);
    let rect: Vec<f32> = field
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(rect, [0.0; 4]);
    assert!(field.get(b"AP").is_ok());
    assert!(
        field.get(b"TU").is_ok(),
        "PDF/UA: a field has a description"
    );
    let key = field.get(b"StructParent").unwrap().as_i64().unwrap();
    let tree = doc
        .get_dictionary(
            catalog
                .get(b"StructTreeRoot")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    let nums = tree
        .get(b"ParentTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap();
    let at = nums
        .chunks_exact(2)
        .find(|pair| pair[0].as_i64().unwrap() == key)
        .expect("the widget's parent-tree entry")[1]
        .as_reference()
        .unwrap();
    let element = doc.get_dictionary(at).unwrap();
    assert_eq!(element.get(b"S").unwrap().as_name().unwrap(), b"Form");
    assert!(element.get(b"Alt").is_ok());
    let page = doc.get_pages()[&1];
    let page = doc.get_dictionary(page).unwrap();
    assert_eq!(page.get(b"Tabs").unwrap().as_name().unwrap(), b"S");
    assert_eq!(
        tree.get(b"ParentTreeNextKey").unwrap().as_i64().unwrap(),
        key + 1
    );
}

/// The signed sample with the bytes of `edit` applied.
fn tampered(dir: &Path, name: &str, signed: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = signed.to_vec();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Where the signature value's hex digits are.
fn contents(bytes: &[u8]) -> std::ops::Range<usize> {
    let key = b"/Contents<";
    let at = bytes.windows(key.len()).rposition(|w| w == key).unwrap() + key.len();
    let end = at + bytes[at..].iter().position(|&b| b == b'>').unwrap();
    at..end
}

/// An incremental update after the signature that rotates the first page: its newest
/// definition (in the signature's update) again, with `/Rotate 90`.
fn append_update(bytes: &mut Vec<u8>) {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let (n, g) = doc.get_pages()[&1];
    let text = String::from_utf8_lossy(bytes).into_owned();
    let head = format!("\n{n} {g} obj\n");
    let at = text.rfind(&head).unwrap() + head.len();
    let end = at + text[at..].find("\nendobj").unwrap();
    let body = text[at..end].strip_suffix(">>").unwrap();
    let prev: usize = text[text.rfind("startxref").unwrap() + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let size = doc.trailer.get(b"Size").unwrap().as_i64().unwrap();
    let (root, _) = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let start = bytes.len();
    bytes.extend_from_slice(format!("{n} {g} obj\n{body}/Rotate 90>>\nendobj\n").as_bytes());
    let xref = bytes.len();
    bytes.extend_from_slice(
        format!(
            "xref\n{n} 1\n{start:010} {g:05} n\r\ntrailer\n<</Size {size}/Root {root} 0 R/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
}

#[test]
fn a_changed_byte_a_later_update_or_another_documents_signature_fails_everywhere() {
    let (dir, pdf) = copy_sample("tamper");
    let run = sign(&pdf, &["--key", &p("rsa.key"), "--cert", &p("rsa.pem")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signed = std::fs::read(dir.join("report.signed.pdf")).unwrap();
    // Another report (issued a day later), signed with the same key.
    let other_yaml = dir.join("other.yaml");
    std::fs::write(
        &other_yaml,
        sample_with("issued: 2024-02-11", "issued: 2024-02-12"),
    )
    .unwrap();
    let other_pdf = dir.join("other.pdf");
    let run = cfp(&["render", s(&other_yaml), "-o", s(&other_pdf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = sign(
        &other_pdf,
        &["--key", &p("rsa.key"), "--cert", &p("rsa.pem")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let other = std::fs::read(dir.join("other.signed.pdf")).unwrap();

    // A byte of the report changed (in the middle of the file).
    let changed = tampered(&dir, "changed.pdf", &signed, |b| {
        let mid = b.len() / 2;
        b[mid] ^= 0x01;
    });
    // The signature value of the one report put into the other's.
    let copied = tampered(&dir, "copied.pdf", &other, |b| {
        let (from, to) = (contents(&signed), contents(b));
        assert_eq!(from.len(), to.len());
        b[to].copy_from_slice(&signed[from]);
    });
    for (pdf, says) in [
        (&changed, "the document was changed after signing"),
        (&copied, "the signature belongs to another document"),
    ] {
        let run = cfp(&["verify", s(pdf), "--trust", &p("ca.pem")]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(
            run.stdout.contains("NOT verified") && run.stdout.contains(says),
            "{}",
            run.stdout
        );
        let sig = pdfsig(pdf);
        assert!(!sig.contains("Signature is Valid"), "pdfsig: {sig}");
        if let Some((ok, said)) = pyhanko_validate(pdf, &p("ca.pem")) {
            assert!(!ok && said.contains("INVALID"), "pyHanko: {said}");
        }
    }

    // A second incremental update after the signature, turning the first page.
    let updated = tampered(&dir, "updated.pdf", &signed, append_update);
    let run = cfp(&["verify", s(&updated), "--trust", &p("ca.pem")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("were added after signing"),
        "{}",
        run.stdout
    );
    let sig = pdfsig(&updated);
    assert!(sig.contains("Not total document signed"), "pdfsig: {sig}");
    if let Some((ok, said)) = pyhanko_validate(&updated, &p("ca.pem")) {
        assert!(
            !ok && said.contains("ILLEGAL_MODIFICATIONS"),
            "pyHanko: {said}"
        );
    }

    // The zero padding after the signature value (not signed, but part of it).
    let padded = tampered(&dir, "padded.pdf", &signed, |b| {
        let end = contents(b).end;
        b[end - 2] = b'1';
    });
    let run = cfp(&["verify", s(&padded)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("not zero padding"), "{}", run.stdout);
    // pdfsig no longer calls it the total document; pyHanko ignores what follows the CMS
    // structure, so only `verify` and pdfsig see this one.
    assert!(pdfsig(&padded).contains("Not total document signed"));

    // Any byte of the signature's update changed, or the file cut anywhere in it: the
    // check says no (or finds no signature), and never panics.
    let update_start = std::fs::read(&pdf).unwrap().len();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..150 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = update_start + (state as usize) % (signed.len() - update_start);
        let mut bytes = signed.clone();
        bytes[at] = bytes[at].wrapping_add(1 + (state >> 32) as u8 % 255);
        if let Some(Ok(_)) = cfp_verify::report::sign::check(&bytes, &[]) {
            panic!("a change of byte {at} went unnoticed");
        }
        if let Some(Ok(_)) = cfp_verify::report::sign::check(&signed[..at], &[]) {
            panic!("the file cut at {at} still verifies");
        }
    }

    // The signature cut off: the file ends before the byte range does.
    let cut = tampered(&dir, "cut.pdf", &signed, |b| {
        b.truncate(b.len() - 10);
    });
    let run = cfp(&["verify", s(&cut)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

#[test]
fn errors_say_what_is_wrong_and_write_nothing() {
    let (dir, pdf) = copy_sample("errors");
    let out = dir.join("out.pdf");
    let wrong = dir.join("wrong-password");
    std::fs::write(&wrong, "battery staple\n").unwrap();
    let draft_yaml = dir.join("draft.yaml");
    std::fs::write(
        &draft_yaml,
        sample_with("status: approved", "status: draft"),
    )
    .unwrap();
    let draft = dir.join("draft.pdf");
    let run = cfp(&["render", s(&draft_yaml), "-o", s(&draft)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let k = |name: &str| p(name);
    let wrong = s(&wrong).to_owned();
    let cases: Vec<(&Path, Vec<String>, &str)> = vec![
        (
            &pdf,
            vec!["--key".into(), k("ec.p12"), "--password-file".into(), wrong],
            "wrong password",
        ),
        (
            &pdf,
            vec!["--key".into(), k("ec.p12")],
            "needs its password",
        ),
        (
            &pdf,
            vec![
                "--key".into(),
                k("ec.p12"),
                "--password-env".into(),
                "CFP_TEST_NO_SUCH_VAR".into(),
            ],
            "`CFP_TEST_NO_SUCH_VAR` (`--password-env`) is not set",
        ),
        (
            &pdf,
            vec![
                "--key".into(),
                k("expired.key"),
                "--cert".into(),
                k("expired.pem"),
            ],
            "is not valid at the signing time 2024-02-11T00:00:00+00:00",
        ),
        (
            &pdf,
            vec![
                "--key".into(),
                k("ec.key"),
                "--cert".into(),
                k("ec.pem"),
                "--time".into(),
                "2022-06-01".into(),
            ],
            "is not valid at the signing time 2022-06-01",
        ),
        (
            &pdf,
            vec!["--key".into(), k("rsa.key"), "--cert".into(), k("ec.pem")],
            "this key does not belong to the certificate",
        ),
        (
            &pdf,
            vec![
                "--key".into(),
                k("weak.key"),
                "--cert".into(),
                k("weak.pem"),
            ],
            "an RSA key of 1024 bits; at least 2048",
        ),
        (
            &pdf,
            vec!["--key".into(), k("ec.key")],
            "no certificate for this key",
        ),
        (
            &pdf,
            vec![
                "--key".into(),
                k("ec.key"),
                "--cert".into(),
                k("ec.pem"),
                "--time".into(),
                "yesterday".into(),
            ],
            "not a time",
        ),
        (
            &draft,
            vec!["--key".into(), k("ec.key"), "--cert".into(), k("ec.pem")],
            "is draft, not approved: only an approved report is signed",
        ),
    ];
    let (ec_key, ec_pem) = (k("ec.key"), k("ec.pem"));
    for (input, args, says) in cases {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(&["-o", s(&out)]);
        let run = sign(input, &all);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(says),
            "{args:?}: expected `{says}` in: {}",
            run.stderr
        );
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    // The default output is not written either.
    let run = sign(&draft, &["--key", &ec_key, "--cert", &ec_pem]);
    assert_eq!(run.code, 1);
    assert!(!dir.join("draft.signed.pdf").exists());
    // `render --sign` refuses a draft before writing anything.
    let rendered = dir.join("rendered.pdf");
    let run = cfp(&[
        "render",
        s(&draft_yaml),
        "-o",
        s(&rendered),
        "--sign",
        &ec_key,
        "--cert",
        &ec_pem,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("not approved"), "{}", run.stderr);
    assert!(!rendered.exists() && !dir.join("rendered.signed.pdf").exists());
    // A signed report is not signed again.
    let signed = dir.join("signed.pdf");
    assert_eq!(
        sign(
            &pdf,
            &["--key", &ec_key, "--cert", &ec_pem, "-o", s(&signed)]
        )
        .code,
        0
    );
    let run = sign(
        &signed,
        &["--key", &ec_key, "--cert", &ec_pem, "-o", s(&out)],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("signed already"), "{}", run.stderr);
    assert!(!out.exists());
    // Signing options without a key are a usage error.
    let run = cfp(&["render", "samples/chennuo-2023.yaml", "--cert", &ec_pem]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn the_archive_keeps_the_unsigned_report_and_lists_the_signed_one() {
    let dir = folder("sign", "archive");
    let archive = dir.join("out");
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&archive),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rev = archive.join("JZNT-CFP-2024-003/r1");
    let report = std::fs::read(rev.join("report.pdf")).unwrap();
    let rsa = [
        "--key",
        &p("rsa.key"),
        "--cert",
        &p("rsa.pem"),
        "--chain",
        &p("ca.pem"),
    ]
    .map(String::from);
    let rsa: Vec<&str> = rsa.iter().map(String::as_str).collect();
    let run = sign(&rev.join("report.pdf"), &rsa);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("listed in SHA256SUMS"),
        "{}",
        run.stdout
    );
    let names = common::names(&rev);
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "engagement.yaml",
            "report.pdf",
            "report.signed.pdf",
            "results.json"
        ]
    );
    assert_eq!(std::fs::read(rev.join("report.pdf")).unwrap(), report);
    let ok = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&rev)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success() && said.contains("report.signed.pdf: OK"),
        "{said}"
    );
    assert_valid(&rev.join("report.signed.pdf"));

    // Rendering again is still reproducible, and leaves the signed report.
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&archive),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("identical"), "{}", run.stdout);
    assert!(rev.join("report.signed.pdf").exists());
    // Signing again with the same key: the same bytes, nothing to do.
    let run = sign(&rev.join("report.pdf"), &rsa);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("already there, identical"),
        "{}",
        run.stdout
    );
    // Another key: refused unless --force.
    let signed = std::fs::read(rev.join("report.signed.pdf")).unwrap();
    let ec = ["--key", &p("ec.key"), "--cert", &p("ec.pem")].map(String::from);
    let ec: Vec<&str> = ec.iter().map(String::as_str).collect();
    let run = sign(&rev.join("report.pdf"), &ec);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("signed already, differently"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(rev.join("report.signed.pdf")).unwrap(),
        signed
    );
    let run = cfp(&[
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&archive),
        "--sign",
        ec[1],
        "--cert",
        ec[3],
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let mut forced = ec.clone();
    forced.push("--force");
    let run = sign(&rev.join("report.pdf"), &forced);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pdfsig(&rev.join("report.signed.pdf")).contains("Li Na"));
    let sums = std::fs::read_to_string(rev.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.matches("report.signed.pdf").count(), 1, "{sums}");

    // `render --sign` in a fresh archive signs as it archives.
    let fresh = dir.join("fresh");
    let mut args = vec![
        "render",
        "samples/chennuo-2023.yaml",
        "--archive",
        s(&fresh),
        "--sign",
    ];
    args.extend_from_slice(&rsa[1..]);
    let run = cfp(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("signed: report.signed.pdf"),
        "{}",
        run.stdout
    );
    let rev2 = fresh.join("JZNT-CFP-2024-003/r1");
    assert_eq!(std::fs::read(rev2.join("report.pdf")).unwrap(), report);
    assert_eq!(
        std::fs::read(rev2.join("report.signed.pdf")).unwrap(),
        signed
    );
}
