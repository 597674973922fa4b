//! Arbitrary and mutated input never panics: it is either valid, or every problem comes
//! back as a diagnostic with a message.
//!
//! The mutations are deterministic (a fixed-seed generator), so a failure reproduces; the
//! failing input is printed.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use cfp_verify::load_bytes;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that mean something to YAML or to our parsers.
const SPECIAL: &[&[u8]] = &[
    b":",
    b"-",
    b" ",
    b"  ",
    b"\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\"",
    b"'",
    b"#",
    b"&a",
    b"*a",
    b"!",
    b"|",
    b">",
    b"%",
    b"0",
    b"9",
    b".",
    b"e",
    b"-1",
    b"1e400",
    b".nan",
    b"~",
    b"null",
    b"\t",
    b"\xff",
    b"\xe4\xb8",
    b"\xef\xbb\xbf",
    b"0.0000000000000000000000000001",
    b"99999999999999999999999999999",
    b"<<: *a",
    b"---\n",
    b"kg",
    b"tCO2e/t",
    b"/",
    b"%",
    b"\\",
    b"\r\n",
];

fn mutate(source: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = source.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 => {
                let s = SPECIAL[rng.below(SPECIAL.len())];
                bytes.splice(at..at, s.iter().copied());
            }
            1 if len > 0 => {
                let end = (at + 1 + rng.below(40)).min(len);
                bytes.drain(at.min(len)..end);
            }
            2 if len > 0 => {
                let i = at.min(len - 1);
                bytes[i] = SPECIAL[rng.below(SPECIAL.len())]
                    .first()
                    .copied()
                    .unwrap_or(b' ');
            }
            3 => bytes.truncate(at),
            4 => {
                // Duplicate a line.
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let i = rng.below(lines.len());
                let mut out: Vec<u8> = Vec::new();
                for (j, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                    if j == i {
                        out.extend_from_slice(l);
                        out.push(b'\n');
                    }
                }
                bytes = out;
            }
            5 => {
                // Delete a line.
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let i = rng.below(lines.len());
                bytes = lines
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .flat_map(|(_, l)| l.iter().copied().chain([b'\n']))
                    .collect();
            }
            _ => {
                // Re-indent a line by one space either way.
                let lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let i = rng.below(lines.len());
                bytes = lines
                    .into_iter()
                    .enumerate()
                    .flat_map(|(j, mut l)| {
                        if j == i {
                            if l.first() == Some(&b' ') {
                                l.remove(0);
                            } else {
                                l.insert(0, b' ');
                            }
                        }
                        l.push(b'\n');
                        l
                    })
                    .collect();
            }
        }
    }
    bytes
}

/// Loads `bytes`; on success also produces every output, so that no later stage panics.
fn exercise(bytes: &[u8]) {
    match load_bytes("mutant.yaml", bytes, None) {
        Ok(v) => {
            let _ = v.json();
            let _ = cfp_verify::exports::table::calc_table(&v);
            for style in [
                cfp_verify::diag::Style::Human,
                cfp_verify::diag::Style::Short,
            ] {
                let _ = cfp_verify::exports::table::findings_text(
                    &v,
                    "mutant.yaml",
                    cfp_verify::present::wording::Catalogue::builtin(),
                    style,
                );
            }
        }
        Err(invalid) => {
            assert!(
                !invalid.diagnostics.is_empty(),
                "an error without a diagnostic"
            );
            for d in &invalid.diagnostics {
                assert!(!d.message.is_empty());
            }
            let _ = invalid.to_string();
        }
    }
}

fn assert_no_panic(inputs: impl Iterator<Item = Vec<u8>>) {
    let mut valid = 0;
    let mut count = 0;
    for bytes in inputs {
        count += 1;
        let result = catch_unwind(AssertUnwindSafe(|| exercise(&bytes)));
        if result.is_err() {
            panic!("panicked on input:\n{}", String::from_utf8_lossy(&bytes));
        }
        if load_bytes("m.yaml", &bytes, None).is_ok() {
            valid += 1;
        }
    }
    assert!(count > 0);
    // Some mutants (in comments, or harmless) stay valid; most must not.
    assert!(
        valid < count,
        "every mutant was valid: the mutations do nothing"
    );
}

#[test]
fn mutated_samples_never_panic() {
    for source in [
        std::fs::read(common::sample()).unwrap(),
        std::fs::read(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap(),
    ] {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        assert_no_panic((0..1500).map(|_| mutate(&source, &mut rng)));
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    assert_no_panic((0..3000).map(|_| {
        let len = rng.below(200);
        (0..len)
            .map(|_| {
                if rng.below(3) == 0 {
                    SPECIAL[rng.below(SPECIAL.len())][0]
                } else {
                    let alphabet = b"abc: -[]{},\n 0123456789.%kgt";
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect()
    }));
}

#[test]
fn alias_expansion_is_bounded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = load_bytes("bomb.yaml", text.as_bytes(), None).unwrap_err();
    assert!(err.diagnostics[0].message.contains("more than"), "{err}");
}

/// Numbers that stress exact arithmetic: the largest and smallest a file may hold, zero,
/// many digits.
const EXTREME: &[&str] = &[
    "9999999999999999999999999999",
    "0.0000000000000000000000000001",
    "1e27",
    "0",
    "1000000000000000000",
    "13387220671609.38",
    "67.76770033299787411647109880",
    "0.3333333333333333333333333333",
    "100000",
    "1000000000000000000000",
];

/// Replaces the `n`-th number of the text with an extreme one.
fn extreme_numbers(source: &str, rng: &mut Rng) -> String {
    let mut out = source.to_owned();
    for _ in 0..1 + rng.below(3) {
        let starts: Vec<usize> = out
            .char_indices()
            .filter(|(i, c)| {
                c.is_ascii_digit()
                    && out[..*i].ends_with(": ")
                    && out[*i..].split([' ', ',', '}']).next().is_some()
            })
            .map(|(i, _)| i)
            .collect();
        if starts.is_empty() {
            break;
        }
        let at = starts[rng.below(starts.len())];
        let end = out[at..]
            .find([' ', ',', '}', '\n'])
            .map_or(out.len(), |e| at + e);
        out.replace_range(at..end, EXTREME[rng.below(EXTREME.len())]);
    }
    out
}

#[test]
fn valid_mutants_render_without_panicking() {
    use cfp_verify::report::render::{Options, render};
    use cfp_verify::report::world::Fonts;
    let minimal =
        std::fs::read_to_string(common::root().join("tests/fixtures/valid/minimal.yaml")).unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut rendered = 0;
    for i in 0..400 {
        let text = if i == 0 {
            // Accepted by `check` and `calc`, once a panic in the report's freight sum.
            minimal.replace(
                "distance: 200 km, mass: 500 kg",
                "distance: 100000 km, mass: 1000000000000000000 t",
            )
        } else if i % 2 == 0 {
            extreme_numbers(&minimal, &mut rng)
        } else {
            String::from_utf8_lossy(&mutate(minimal.as_bytes(), &mut rng)).into_owned()
        };
        let Ok(v) = load_bytes("mutant.yaml", text.as_bytes(), None) else {
            continue;
        };
        // Every valid mutant of the numbers; every fifth of the others (a render is slower).
        if i % 2 == 1 && i % 10 != 1 {
            continue;
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            render(&v, Fonts::embedded(), &Options::default())
        }));
        match result {
            Ok(Ok(_)) => rendered += 1,
            Ok(Err(e)) => panic!("`check` accepts this file but `render` fails ({e}):\n{text}"),
            Err(_) => panic!("render panicked on:\n{text}"),
        }
        typst::comemo::evict(0);
    }
    assert!(rendered >= 50, "only {rendered} mutants rendered");
}
