//! Nothing lost, nothing forged: the archive under concurrency and crashes, `-o` that never
//! replaces what it must not, `verify` that cannot be fooled, and no file from outside the
//! engagement's folder in the output.
//!
//! Needs poppler-utils (pdfdetach) and python3 (to write a hostile PDF by hand).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{cfp, folder, poppler, root};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn minimal() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap()
}

/// The minimal engagement with a logo, in `dir`, with `assets/logo.png`.
fn with_logo(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/render/assets/logo.png"),
        dir.join("assets/logo.png"),
    )
    .unwrap();
    let text = minimal().replacen(
        "  name: {zh: 测试核查机构, en: Test Verification Body}",
        "  name: {zh: 测试核查机构, en: Test Verification Body}\n  logo: assets/logo.png",
        1,
    );
    let file = dir.join("e.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Every file `SHA256SUMS` lists has that digest, and the folder holds the four files.
fn assert_complete_revision(rev: &Path) {
    let sums = std::fs::read_to_string(rev.join("SHA256SUMS"))
        .unwrap_or_else(|e| panic!("{}: {e}", rev.display()));
    for line in sums.lines() {
        let (hex, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(rev.join(name)).unwrap();
        assert_eq!(
            cfp_verify::report::archive::sha256_hex(&bytes),
            hex,
            "{name}"
        );
    }
    let names = common::names(rev);
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "engagement.yaml",
            "report.pdf",
            "results.json"
        ]
    );
}

/// The names in a report number's folder other than its lock file.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    names.sort();
    names
}

// 1. The archive never loses or mixes a revision.

#[test]
fn a_batch_with_two_files_for_one_revision_is_refused_before_rendering() {
    let dir = folder("trust", "batch-clash");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.yaml"), minimal()).unwrap();
    std::fs::write(
        input.join("b.yaml"),
        minimal().replace("output: 1000", "output: 2000"),
    )
    .unwrap();
    std::fs::write(
        input.join("c.yaml"),
        minimal().replace("TEST-CFP-001", "TEST-CFP-002"),
    )
    .unwrap();
    let run = cfp(&["render", s(&input), "--archive", s(&dir.join("out"))]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("would be archived as the same revision")
            && run.stderr.contains("TEST-CFP-001 r1:")
            && run.stderr.contains("a.yaml")
            && run.stderr.contains("b.yaml"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("out").exists(), "something was rendered");
}

#[test]
fn concurrent_renders_of_one_revision_never_replace_the_approved_one() {
    let dir = folder("trust", "concurrent");
    let approved = dir.join("approved.yaml");
    let draft = dir.join("draft.yaml");
    std::fs::write(
        &approved,
        minimal()
            .replace("status: reviewed", "status: approved")
            .replacen(
                "  reviewers:",
                "  approver: {name: {zh: 赵六, en: Zhao Liu}}\n  reviewers:",
                1,
            ),
    )
    .unwrap();
    std::fs::write(
        &draft,
        minimal().replace("status: reviewed", "status: draft"),
    )
    .unwrap();
    let approved_bytes = std::fs::read(&approved).unwrap();
    for round in 0..4 {
        let archive = dir.join(format!("out{round}"));
        // Alternate which starts first.
        let order = if round % 2 == 0 {
            [&approved, &draft]
        } else {
            [&draft, &approved]
        };
        let children: Vec<_> = order
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
                    .args(["render", s(f), "--archive", s(&archive)])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let rev = archive.join("TEST-CFP-001/r1");
        assert_complete_revision(&rev);
        assert!(
            std::fs::read(rev.join("engagement.yaml")).unwrap() == approved_bytes,
            "round {round}: the approved revision was replaced"
        );
        let approved_run = &outputs[if round % 2 == 0 { 0 } else { 1 }];
        assert!(
            approved_run.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&approved_run.stderr)
        );
        assert_eq!(entries(&archive.join("TEST-CFP-001")), ["r1"]);
    }

    // Two identical approved renders at once: both succeed, one writes, one finds it there.
    let archive = dir.join("twins");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
                .args(["render", s(&approved), "--archive", s(&archive)])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_complete_revision(&archive.join("TEST-CFP-001/r1"));
}

#[test]
fn a_replace_interrupted_between_its_renames_is_repaired() {
    let dir = folder("trust", "crash");
    let archive = dir.join("out");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let run = cfp(&["render", s(&file), "--archive", s(&archive)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let number = archive.join("TEST-CFP-001");
    let rev = number.join("r1");
    // What kill -9 between the two renames leaves: the revision renamed away, a new folder
    // fully or partly written, no r1.
    std::fs::rename(&rev, number.join(".r1.old")).unwrap();
    std::fs::create_dir(number.join(".r1.new-Xy12")).unwrap();
    std::fs::write(number.join(".r1.new-Xy12/report.pdf"), b"%PDF-half").unwrap();
    let run = cfp(&["check", s(&file)]);
    assert_eq!(run.code, 0);
    // The next run repairs, then decides: the revision is back and identical.
    let run = cfp(&["render", s(&file), "--archive", s(&archive)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("already archived, identical"),
        "{}",
        run.stdout
    );
    assert_complete_revision(&rev);
    assert_eq!(entries(&number), ["r1"]);

    // Crashed after the second rename: the old folder is only removed.
    std::fs::create_dir(number.join(".r1.old")).unwrap();
    std::fs::write(number.join(".r1.old/report.pdf"), b"old").unwrap();
    std::fs::create_dir(number.join(".r1.new-zz")).unwrap();
    let changed = dir.join("e2.yaml");
    std::fs::write(&changed, minimal().replace("output: 1000", "output: 1001")).unwrap();
    let run = cfp(&["render", s(&changed), "--archive", s(&archive)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("replaced the unapproved revision"));
    assert_complete_revision(&rev);
    assert_eq!(entries(&number), ["r1"]);
}

#[test]
fn output_never_replaces_the_engagement_its_json_an_archive_or_a_special_file() {
    let dir = folder("trust", "output");
    // An engagement whose name the results JSON would take.
    let eng = dir.join("report.json");
    std::fs::write(&eng, minimal()).unwrap();
    let before = std::fs::read(&eng).unwrap();

    // `-o report.json`: the PDF and then the JSON would both be written there.
    let run = cfp(&["render", s(&eng), "-o", s(&dir.join("x.json"))]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("must end in `.pdf`"), "{}", run.stderr);
    assert!(!dir.join("x.json").exists());

    // `-o report.pdf` beside `report.json`: the results JSON would replace the engagement.
    let run = cfp(&["render", s(&eng), "-o", s(&dir.join("report.pdf"))]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is the engagement file itself"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&eng).unwrap(), before);
    assert!(!dir.join("report.pdf").exists());

    // Into an archived revision.
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    assert_eq!(
        cfp(&["render", s(&file), "--archive", s(&dir.join("out"))]).code,
        0
    );
    let archived = dir.join("out/TEST-CFP-001/r1/report.pdf");
    let pdf = std::fs::read(&archived).unwrap();
    let changed = dir.join("e2.yaml");
    std::fs::write(&changed, minimal().replace("output: 1000", "output: 7")).unwrap();
    let run = cfp(&["render", s(&changed), "-o", s(&archived)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("archived revision"), "{}", run.stderr);
    assert!(std::fs::read(&archived).unwrap() == pdf);

    // A link to a regular file is written through; the link stays a link.
    let real = dir.join("real.pdf");
    std::fs::write(&real, b"old").unwrap();
    let link = dir.join("link.pdf");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let run = cfp(&["render", s(&file), "-o", s(&link)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read(&real).unwrap().starts_with(b"%PDF-"));

    // A FIFO (like /dev/stdout) is refused, never replaced by a regular file.
    let fifo = dir.join("pipe.pdf");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let run = cfp(&["render", s(&file), "-o", s(&fifo)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // `export -o` and `calc --xlsx` onto the engagement itself.
    let before = std::fs::read(&file).unwrap();
    for args in [
        vec!["export", s(&file), "--pact", "-o", s(&file)],
        vec!["calc", s(&file), "--xlsx", s(&file)],
    ] {
        let run = cfp(&args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.stderr.contains("is the engagement file itself"),
            "{}",
            run.stderr
        );
        assert!(std::fs::read(&file).unwrap() == before);
    }

    // A missing folder is an error, not created.
    let run = cfp(&["render", s(&file), "-o", s(&dir.join("no/such/x.pdf"))]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(!dir.join("no").exists());
}

// 2. `verify` cannot be fooled.

/// A templates folder whose report prints a made-up figure.
fn forged_templates(dir: &Path, figure: &str) -> PathBuf {
    let t = dir.join(format!("templates-{figure}"));
    std::fs::create_dir_all(t.join("default")).unwrap();
    let report = std::fs::read_to_string(root().join("templates/default/report.typ.j2")).unwrap();
    std::fs::write(
        t.join("default/report.typ.j2"),
        format!("{report}\n#text[Verified total: {figure} kgCO2e]\n"),
    )
    .unwrap();
    t
}

#[test]
fn a_report_made_with_other_templates_is_not_verified_unless_they_are_vouched_for() {
    let dir = folder("trust", "forged");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let t = forged_templates(&dir, "1.00");
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", s(&file), "--templates", s(&t), "-o", s(&pdf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(poppler("pdftotext", &[s(&pdf), "-"]).contains("Verified total: 1.00"));

    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let sha = cfp_verify::report::archive::sha256_hex(
        &std::fs::read(t.join("default/report.typ.j2")).unwrap(),
    );
    assert!(
        run.stdout.contains("NOT verified")
            && run.stdout.contains("not built in")
            && run
                .stdout
                .contains(&format!("default/report.typ.j2  sha256 {sha}")),
        "{}",
        run.stdout
    );

    // Vouched for with the same folder: verified.
    let run = cfp(&["verify", s(&pdf), "--templates", s(&t)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // Another folder: not verified, and both sets are named.
    let other = forged_templates(&dir, "2.00");
    let run = cfp(&["verify", s(&pdf), "--templates", s(&other)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("made with the templates") && run.stdout.contains(&sha),
        "{}",
        run.stdout
    );

    // A report made with the built-in templates is not verified against other ones.
    let plain = dir.join("plain.pdf");
    assert_eq!(cfp(&["render", s(&file), "-o", s(&plain)]).code, 0);
    let run = cfp(&["verify", s(&plain), "--templates", s(&t)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("built in"), "{}", run.stdout);
}

/// Writes a PDF whose embedded files are `files` (name, size of zeros), each compressed.
fn bomb_pdf(path: &Path, engagement: &[u8], zeros: &[(&str, usize)]) {
    const SCRIPT: &str = r#"
import sys, zlib
out, eng = sys.argv[1], open(sys.argv[2], "rb").read()
files = [("engagement.yaml", eng)] + [(n, b"\0" * int(k)) for n, k in zip(sys.argv[3::2], sys.argv[4::2])]
objs = ["<< /Type /Catalog /Pages 2 0 R /Names 3 0 R >>",
        "<< /Type /Pages /Kids [] /Count 0 >>", None]
names = []
for name, data in files:
    z = zlib.compress(data, 9)
    objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream")
    stream = len(objs)
    objs.append("<< /Type /Filespec /F (%s) /UF (%s) /EF << /F %d 0 R >> >>" % (name, name, stream))
    names.append("(%s) %d 0 R" % (name, len(objs)))
objs[2] = "<< /EmbeddedFiles << /Names [%s] >> >>" % " ".join(names)
body, offsets = b"%PDF-1.7\n", []
for i, o in enumerate(objs):
    offsets.append(len(body))
    o = o if isinstance(o, bytes) else o.encode()
    body += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
xref = len(body)
body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(out, "wb").write(body)
"#;
    let eng = path.with_extension("eng");
    std::fs::write(&eng, engagement).unwrap();
    let mut cmd = Command::new("python3");
    cmd.args(["-c", SCRIPT, s(path), s(&eng)]);
    for (name, size) in zeros {
        cmd.args([name.to_string(), size.to_string()]);
    }
    assert!(cmd.status().expect("python3 is needed").success());
}

#[test]
fn verify_reads_only_what_it_needs_within_a_size_budget() {
    let dir = folder("trust", "bomb");
    let eng = minimal();
    // Forty attachments of 60 MB of zeros (a few MB on disk): the ones verify does not
    // need are never decompressed.
    let many: Vec<(String, usize)> = (0..40)
        .map(|i| (format!("junk{i}.bin"), 60 << 20))
        .collect();
    let many: Vec<(&str, usize)> = many.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    let pdf = dir.join("many.pdf");
    bomb_pdf(&pdf, eng.as_bytes(), &many);
    let run = cfp(&["verify", s(&pdf)]);
    // Not ours, so not verified, but answered without reading the junk.
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("NOT verified"),
        "{}{}",
        run.stdout,
        run.stderr
    );

    // One needed attachment beyond the per-attachment limit.
    let pdf = dir.join("big-results.pdf");
    bomb_pdf(&pdf, eng.as_bytes(), &[("results.json", 100 << 20)]);
    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`results.json` decompresses to more than 64 MB"),
        "{}",
        run.stderr
    );

    // Needed attachments that together pass the budget.
    let pdf = dir.join("budget.pdf");
    bomb_pdf(
        &pdf,
        eng.as_bytes(),
        &[
            ("render.json", 60 << 20),
            ("previous-engagement.yaml", 60 << 20),
            ("results.json", 60 << 20),
        ],
    );
    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("decompresses to more than"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_template_that_loops_for_ever_is_stopped() {
    let dir = folder("trust", "loop");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let t = dir.join("t");
    std::fs::create_dir_all(t.join("default")).unwrap();
    std::fs::write(
        t.join("default/report.typ.j2"),
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x\n",
    )
    .unwrap();
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", s(&file), "--templates", s(&t), "-o", s(&pdf)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fuel"), "{}", run.stderr);
    assert!(!pdf.exists());
}

#[test]
fn a_report_made_with_extra_fonts_verifies_with_them() {
    let dir = folder("trust", "fonts");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let fonts = root().join("fonts");
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", s(&file), "--font-dir", s(&fonts), "-o", s(&pdf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cfp(&["verify", s(&pdf), "--font-dir", s(&fonts)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

// 3. No file outside the engagement folder reaches the output.

#[test]
fn only_the_templates_the_report_uses_are_read_and_attached() {
    let dir = folder("trust", "template-files");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let t = forged_templates(&dir, "3.00");
    std::fs::write(t.join("secrets.env"), "TOKEN=hunter2\n").unwrap();
    std::fs::write(t.join("reprot.typ.j2"), "misspelt\n").unwrap();
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", s(&file), "--templates", s(&t), "-o", s(&pdf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A misspelt template is named, with the names that are known.
    assert!(
        run.stderr.contains("`reprot.typ.j2` is not used")
            && run
                .stderr
                .contains("`default/report.typ.j2`, `default/style.typ.j2`"),
        "{}",
        run.stderr
    );
    let list = poppler("pdfdetach", &["-list", s(&pdf)]);
    assert!(list.contains("templates/default/report.typ.j2"), "{list}");
    assert!(
        !list.contains("secrets") && !list.contains("reprot"),
        "{list}"
    );

    // A link leading outside the folder is refused, even when a template asks for it.
    std::os::unix::fs::symlink("/etc/passwd", t.join("passwd.typ.j2")).unwrap();
    let report = std::fs::read_to_string(t.join("default/report.typ.j2")).unwrap();
    std::fs::write(
        t.join("default/report.typ.j2"),
        format!("{report}\n{{% include \"passwd.typ.j2\" %}}\n"),
    )
    .unwrap();
    let pdf2 = dir.join("r2.pdf");
    let run = cfp(&["render", s(&file), "--templates", s(&t), "-o", s(&pdf2)]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("passwd.typ.j2"), "{}", run.stderr);
    assert!(!pdf2.exists());
}

#[test]
fn images_are_read_once_inside_the_folder() {
    let dir = folder("trust", "images");
    let file = with_logo(&dir);
    let logo = std::fs::read(dir.join("assets/logo.png")).unwrap();
    let outside = folder("trust", "images-outside").join("secret.png");
    std::fs::copy(
        root().join("tests/fixtures/render/assets/seal.png"),
        &outside,
    )
    .unwrap();

    // A link to an outside file is refused at its key.
    std::fs::rename(dir.join("assets/logo.png"), dir.join("assets/real.png")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("assets/logo.png")).unwrap();
    let run = cfp(&["check", s(&file)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("verifier.logo: `assets/logo.png` leads outside"),
        "{}",
        run.stderr
    );

    // Swapping the image for such a link while rendering: the PDF holds the inside image
    // or nothing, never the outside file.
    std::fs::remove_file(dir.join("assets/logo.png")).unwrap();
    std::fs::copy(dir.join("assets/real.png"), dir.join("assets/logo.png")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let assets = dir.join("assets");
        let outside = outside.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let tmp = assets.join("swap.png");
                let _ = std::fs::remove_file(&tmp);
                let _ = std::os::unix::fs::symlink(&outside, &tmp);
                let _ = std::fs::rename(&tmp, assets.join("logo.png"));
                std::thread::sleep(std::time::Duration::from_millis(1));
                let _ = std::fs::copy(assets.join("real.png"), assets.join("copy.png"));
                let _ = std::fs::rename(assets.join("copy.png"), assets.join("logo.png"));
                // The inside image most of the time, so that on a loaded machine some
                // renders still read it: the test is about what a render embeds.
                std::thread::sleep(std::time::Duration::from_millis(6));
            }
        })
    };
    let mut rendered = 0;
    for i in 0..20 {
        let pdf = dir.join(format!("r{i}.pdf"));
        if cfp(&["render", s(&file), "-o", s(&pdf)]).code != 0 {
            continue;
        }
        rendered += 1;
        let files = cfp_verify::report::verify::attachments(&std::fs::read(&pdf).unwrap()).unwrap();
        assert!(
            files.get("assets/logo.png") == Some(&logo),
            "render {i} embedded another file"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(rendered > 0, "no render got through");
}

// 4. Every input `check` accepts renders, or `check` rejects it with a located message.

#[test]
fn huge_figures_check_calc_and_render() {
    let dir = folder("trust", "huge");
    let file = dir.join("e.yaml");
    std::fs::write(
        &file,
        minimal().replace(
            "distance: 200 km, mass: 500 kg",
            "distance: 100000 km, mass: 1000000000000000000 t",
        ),
    )
    .unwrap();
    assert_eq!(cfp(&["check", s(&file)]).code, 0);
    let run = cfp(&["calc", "--json", s(&file)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 1e18 t x 1e5 km x 0.129 kgCO2e/tkm = 1.29e22 kg, exactly.
    assert!(
        run.stdout
            .contains("\"transport\": \"12900000000000000000000.00\""),
        "{}",
        run.stdout
    );
    let pdf = dir.join("r.pdf");
    let run = cfp(&["render", s(&file), "-o", s(&pdf)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(poppler("pdftotext", &[s(&pdf), "-"]).contains("12900000000000000000000.00"));
}

#[test]
fn images_that_are_not_images_are_refused_at_their_key() {
    let dir = folder("trust", "bad-images");
    let file = with_logo(&dir);
    for (bytes, why) in [
        (&b""[..], "the file is empty"),
        (&b"hello, not a picture"[..], "cannot be shown"),
        (
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>"[..],
            "cannot be shown",
        ),
    ] {
        std::fs::write(dir.join("assets/logo.png"), bytes).unwrap();
        let run = cfp(&["check", s(&file)]);
        assert_eq!(run.code, 1, "{why}");
        assert!(
            run.stderr.contains("e.yaml:23:")
                && run
                    .stderr
                    .contains("verifier.logo: `assets/logo.png` cannot be shown")
                && run.stderr.contains(why),
            "{}",
            run.stderr
        );
        let pdf = dir.join("r.pdf");
        assert_eq!(cfp(&["render", s(&file), "-o", s(&pdf)]).code, 1);
        assert!(!pdf.exists() && !dir.join("r.typ").exists());
    }
    // A broken SVG named .svg.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("logo.png", "logo.svg");
    std::fs::write(&file, text).unwrap();
    std::fs::write(
        dir.join("assets/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
    )
    .unwrap();
    let run = cfp(&["check", s(&file)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("verifier.logo: `assets/logo.svg` cannot be shown"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_render_writes_nothing() {
    let dir = folder("trust", "nothing");
    let file = dir.join("e.yaml");
    std::fs::write(&file, minimal()).unwrap();
    let t = dir.join("t");
    std::fs::create_dir_all(t.join("default")).unwrap();
    // Valid minijinja, invalid typst.
    std::fs::write(t.join("default/report.typ.j2"), "#let x = (\n").unwrap();
    let run = cfp(&[
        "render",
        s(&file),
        "--templates",
        s(&t),
        "--archive",
        s(&dir.join("out")),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--typst FILE"), "{}", run.stderr);
    assert!(!dir.join("out").exists(), "a failed render wrote something");
    // Asked for, the source is kept for the template author.
    let typ = dir.join("r.typ");
    let run = cfp(&[
        "render",
        s(&file),
        "--templates",
        s(&t),
        "--typst",
        s(&typ),
        "-o",
        s(&dir.join("r.pdf")),
    ]);
    assert_eq!(run.code, 1);
    assert!(typ.exists() && !dir.join("r.pdf").exists());
}

#[test]
fn sample_with_a_logo_verifies_from_the_pdf_alone() {
    // Images come from the attachments when verifying: the folder is not needed.
    let dir = folder("trust", "verify-images");
    let file = with_logo(&dir);
    let pdf = dir.join("r.pdf");
    assert_eq!(cfp(&["render", s(&file), "-o", s(&pdf)]).code, 0);
    std::fs::remove_dir_all(dir.join("assets")).unwrap();
    let run = cfp(&["verify", s(&pdf)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

// 7. Smaller defects.

#[test]
fn watch_renders_again_when_an_image_changes() {
    let dir = folder("trust", "watch-image");
    let file = with_logo(&dir);
    let pdf = dir.join("preview.pdf");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfp-verify"))
        .args(["watch", s(&file), "-o", s(&pdf)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let logo_in = |pdf: &Path| {
        std::fs::read(pdf)
            .ok()
            .and_then(|b| cfp_verify::report::verify::attachments(&b).ok())
            .and_then(|f| f.get("assets/logo.png").cloned())
    };
    let wait = |what: &str, ready: &dyn Fn() -> bool| {
        for _ in 0..300 {
            if ready() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        eprintln!("timed out waiting for {what}");
        false
    };
    let old = std::fs::read(dir.join("assets/logo.png")).unwrap();
    let first = wait("the first render", &|| logo_in(&pdf) == Some(old.clone()));
    let new = std::fs::read(root().join("tests/fixtures/render/assets/seal.png")).unwrap();
    // As an image editor saves: a new file renamed over the old one.
    std::fs::write(dir.join("assets/.logo.png.tmp"), &new).unwrap();
    std::fs::rename(
        dir.join("assets/.logo.png.tmp"),
        dir.join("assets/logo.png"),
    )
    .unwrap();
    let second = first && wait("the new logo", &|| logo_in(&pdf) == Some(new.clone()));
    let _ = child.kill();
    let _ = child.wait();
    assert!(first && second, "watch did not render the changed image");
}
