//! The command line: clap types for the subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The version `--version` prints: the package's, with the git commit it was built from
/// when it was built from a git checkout (see `build.rs`).
pub const VERSION: &str = env!("CFP_VERIFY_VERSION");

/// Product carbon footprint verification reports from one YAML engagement file.
#[derive(Debug, Parser)]
#[command(name = "cfp-verify", version = VERSION, about)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
    /// How problems in an engagement file, a template or the generated typst source are
    /// printed: `human` shows the line with a caret under the value (coloured on a terminal
    /// unless NO_COLOR is set); `short` prints one `FILE:LINE:COL: [PATH: ]message` line
    /// each, for scripts and editors.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub diagnostic_format: DiagnosticFormat,
    /// When to colour problems and findings: `auto` on a terminal unless the NO_COLOR
    /// environment variable is set.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorChoice,
    /// Print only errors and the output asked for: no findings, summaries, "written"
    /// lines or progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// See [`Cli::color`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

/// See [`Cli::diagnostic_format`].
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiagnosticFormat {
    /// The source line, a caret and labels.
    Human,
    /// One line per problem.
    Short,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate engagement files and print the verification findings.
    ///
    /// Exit status: 0 all valid (findings are warnings), 1 any invalid, 2 usage error.
    Check {
        /// The engagement files (YAML, format cfp-verify/1); `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the problems and findings as JSON on standard output: per file, each with
        /// its line, column, YAML path, code and message (findings in both languages).
        #[arg(long)]
        json: bool,
        /// A templates folder whose wording catalogue (`DIR/common/wording.yaml`) words the
        /// findings, as in the report.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Render the verification report as PDF/A and archive it with its results and source.
    ///
    /// Ends with one line: the PDF's path, its pages, size and the time taken. An approved
    /// revision in the archive is never replaced by different output.
    Render {
        /// Engagement files, or folders of them (`*.yaml`): several are rendered in parallel.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// How the reports are made and where they go.
        #[command(flatten)]
        report: ReportArgs,
        /// Also sign each report with this key (approved reports only): `report.signed.pdf`
        /// beside `report.pdf` in the archive, or `NAME.signed.pdf` beside `-o NAME.pdf`.
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
        /// The signer's certificate and how the key is read (with `--sign`).
        #[command(flatten)]
        signer: SignerArgs,
    },
    /// Sign an approved report PDF: a PAdES signature (B-B) that PDF readers, pyHanko and
    /// pdfsig validate, appended so that the report's own bytes stay as they are.
    ///
    /// A report in the archive (`<archive>/<number>/r<revision>/report.pdf`) gets
    /// `report.signed.pdf` beside it, listed in `SHA256SUMS`; any other `NAME.pdf` gets
    /// `NAME.signed.pdf`. Nothing is written on any error.
    Sign {
        /// The report PDF (made by `render`, approved).
        pdf: PathBuf,
        /// The signer's private key: PEM (PKCS#8; RSA of at least 2048 bits, ECDSA P-256 or
        /// P-384) or PKCS#12 (`.p12`, `.pfx`, with its certificates).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The signer's certificate and how the key is read.
        #[command(flatten)]
        signer: SignerArgs,
        /// Write the signed PDF here.
        #[arg(short, long, value_name = "PDF")]
        output: Option<PathBuf>,
        /// Replace a different signed PDF that is already there.
        #[arg(long)]
        force: bool,
    },
    /// Check that a report PDF is exactly what its attached engagement gives.
    ///
    /// Needs nothing but the PDF, unless it was made with `--templates` or `--font-dir`:
    /// then give the same folders. Exit status: 0 verified, 1 not verified or not a report.
    Verify {
        /// The report PDF.
        pdf: PathBuf,
        /// The templates folder the report was rendered with, for a report made with
        /// `--templates`: its templates must be the ones recorded in the PDF.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// The fonts folder the report was rendered with (`render --font-dir`).
        #[arg(long, value_name = "DIR")]
        font_dir: Option<PathBuf>,
        /// A CA certificate (PEM) the signer's certificate must chain to; repeat for several.
        /// With it, an unsigned PDF is not verified.
        #[arg(long, value_name = "CA.pem")]
        trust: Vec<PathBuf>,
        /// Give up after this many seconds (a hostile PDF may carry a huge engagement).
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        timeout: u64,
    },
    /// Show what changed between two revisions: figures per product and stage, and the
    /// inventory lines that changed.
    Diff {
        /// The older engagement file or report PDF.
        old: PathBuf,
        /// The newer engagement file or report PDF.
        new: PathBuf,
        /// Print the changes as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render again whenever the engagement file or a template changes; a broken file is
    /// reported and the last good PDF kept.
    ///
    /// Without `-o`, the PDF goes to <archive>/preview/<file name>.pdf. The `--templates`
    /// folder is watched too.
    Watch {
        /// The engagement file.
        file: PathBuf,
        /// How the preview is made and where it goes.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Export the verified footprints for customers' supply-chain platforms.
    Export {
        /// The engagement file.
        file: PathBuf,
        /// WBCSD PACT (v3) ProductFootprints, one per product, as a JSON array.
        #[arg(long, required = true)]
        pact: bool,
        /// Write to this file instead of printing (`-`: print).
        #[arg(short, long, value_name = "JSON")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the engagement format, for editors: save it and put
    /// `# yaml-language-server: $schema=cfp-verify.schema.json` on an engagement's first line.
    Schema {
        /// Print the JSON Schema of the results JSON (`calc --json`) instead.
        #[arg(long)]
        results: bool,
    },
    /// Print a shell completion script: `cfp-verify completions bash > /etc/bash_completion.d/cfp-verify`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write a commented starter engagement (and its folder) that `check` accepts and
    /// `render` turns into a report. Never overwrites a file.
    Init {
        /// The folder to write `engagement.yaml` into [default: the current folder].
        dir: Option<PathBuf>,
        /// The languages of the starter's texts.
        #[arg(long, value_enum, default_value = "zh+en")]
        lang: Lang,
    },
    /// Print every figure per product: stage totals, per unit, shares, lines, data quality
    /// and the reconciliation of claimed figures.
    Calc {
        /// The engagement files (YAML, format cfp-verify/1); `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the results as JSON instead of tables (an array of them for several files).
        #[arg(long)]
        json: bool,
        /// Write the calculation as an Excel workbook with live formulas instead (`-`:
        /// to standard output). One engagement file only.
        #[arg(long, value_name = "XLSX", conflicts_with = "json")]
        xlsx: Option<PathBuf>,
    },
}

/// How a report is rendered and where it goes (`render`, `watch`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the PDF (and the JSON beside it) here instead of into the archive.
    #[arg(short, long, value_name = "PDF")]
    pub output: Option<PathBuf>,
    /// The archive folder. `render` puts each revision in <DIR>/<number>/r<revision>/;
    /// `watch` never archives: its preview goes to <DIR>/preview/ (without `-o`). Both read
    /// the superseded revision from here, to show what changed.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub archive: PathBuf,
    /// The report's languages [default: the engagement's `report.languages`].
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// A folder of templates that replace the built-in ones of the same name, laid out as
    /// the built-in ones: `DIR/<style>/report.typ.j2`, `DIR/common/wording.yaml`, …
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The report style: a folder of templates, built in (`default`) or in `--templates DIR`.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub style: String,
    /// A folder of extra fonts (.otf, .ttf, .ttc), e.g. the full Noto CJK.
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
    /// Also write the generated typst source here (for template authors).
    #[arg(long, value_name = "TYP")]
    pub typst: Option<PathBuf>,
}

/// The languages of a rendered report.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// Chinese only.
    Zh,
    /// English only.
    En,
    /// Chinese, then English.
    #[value(name = "zh+en")]
    ZhEn,
    /// English, then Chinese.
    #[value(name = "en+zh")]
    EnZh,
}

/// The signer's certificate, its chain, the PKCS#12 password's source and the signing time
/// (`sign`, `render --sign`).
#[derive(Debug, Args)]
pub struct SignerArgs {
    /// The signer's certificate (PEM or DER); not needed with PKCS#12 or a PEM holding it.
    #[arg(long, value_name = "CERT")]
    pub cert: Option<PathBuf>,
    /// A CA certificate (PEM) to put in the signature for readers to build the chain;
    /// repeat for several.
    #[arg(long, value_name = "CA")]
    pub chain: Vec<PathBuf>,
    /// Read the PKCS#12 password from this file's first line.
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the PKCS#12 password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The signing time (`2024-02-11T10:00:00+08:00`, or a date) [default: the report's
    /// issue date, midnight UTC].
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
}

impl SignerArgs {
    /// Whether any of these was given.
    pub fn given(&self) -> bool {
        self.cert.is_some()
            || !self.chain.is_empty()
            || self.password_file.is_some()
            || self.password_env.is_some()
            || self.time.is_some()
    }
}
