//! `spoor report` and `spoor verify-report`: thin over spoor-report.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use spoor_report::{ExportRequest, Filters, Format, Generator};

use crate::output::print_json;
use crate::{EXIT_VERIFY_FAILED, GIT_COMMIT, outln};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One self-contained HTML file (opens offline in any browser)
    Html,
    /// A paginated PDF with embedded fonts
    Pdf,
    /// One row per hit, UTF-8
    Csv,
    /// A Project VIC (VICS 2.0) case file
    Vics,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    case: PathBuf,
    #[arg(long, value_enum)]
    format: FormatArg,
    /// The file to write (never replaced if it exists)
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Only this evidence item (repeatable)
    #[arg(long = "evidence", value_name = "ID")]
    evidence: Vec<String>,
    /// Only hits whose hash-set or reviewed category is this raw value, or `uncategorised` (repeatable)
    #[arg(long = "category", value_name = "C")]
    category: Vec<String>,
    /// Only hits found by this method: md5, sha1, sha256, pdq, vpdq (repeatable)
    #[arg(long = "method", value_name = "M", value_parser = clap::builder::PossibleValuesParser::new(spoor_report::filter::METHODS))]
    method: Vec<String>,
    /// Only hits the examiner has reviewed
    #[arg(long)]
    reviewed_only: bool,
    /// Embed thumbnails of the hits' pictures, blurred and grey (HTML: revealed one at a time by a click; PDF: blurred only), read from the evidence and checked against the scanned SHA-256
    #[arg(long)]
    thumbnails: bool,
    /// Who exports (the audit entry's actor) [default: the case's examiner]
    #[arg(long, env = "SPOOR_EXAMINER")]
    examiner: Option<String>,
    /// Triage section: compare unknown material with the case's own hits only, not with the library's
    /// alert PDQ / vPDQ sets the case's scans used
    #[arg(long)]
    no_library: bool,
    #[command(flatten)]
    library: crate::LibraryArg,
    #[arg(long)]
    json: bool,
}

pub fn report(args: ReportArgs) -> Result<u8> {
    let format = match args.format {
        FormatArg::Html => Format::Html,
        FormatArg::Pdf => Format::Pdf,
        FormatArg::Csv => Format::Csv,
        FormatArg::Vics => Format::Vics,
    };
    let request = ExportRequest {
        format,
        filters: Filters { evidence: args.evidence, category: args.category, method: args.method, reviewed_only: args.reviewed_only },
        output: args.output,
        thumbnails: args.thumbnails,
        generator: Generator { name: "spoor".into(), version: env!("CARGO_PKG_VERSION").into(), commit: GIT_COMMIT.into() },
        generated_utc: None,
        actor: args.examiner,
    };
    let library = (!args.no_library).then(|| spoor_triage::library::LibrarySelection {
        root: args.library.library.clone().unwrap_or_else(spoor_hashset::Library::default_root),
        sets: Vec::new(),
    });
    let outcome = match spoor_report::export_with_library(&args.case, &request, library.as_ref()) {
        Ok(o) => o,
        Err(e @ spoor_report::Error::CaseNotIntact { .. }) => {
            eprintln!("spoor: {e}");
            return Ok(EXIT_VERIFY_FAILED);
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        print_json(&outcome)?;
    } else {
        let r = &outcome.record;
        outln!("Wrote {} ({}, {} bytes, {} hit(s))", outcome.path.display(), r.format, r.size, outcome.hits);
        outln!("  SHA-256        {}", r.sha256);
        outln!("  report digest  {}", r.report_digest);
        outln!("  recorded as export #{} in the case (audit entry #{})", r.export_id, r.audit_seq.unwrap_or_default());
        outln!("  check it later with `spoor verify-report {} {}`", args.case.display(), outcome.path.display());
    }
    Ok(0)
}

pub fn verify_report(case: PathBuf, file: PathBuf, json: bool) -> Result<u8> {
    let check = spoor_report::verify_file(&case, &file)?;
    if json {
        print_json(&check)?;
    } else {
        let number = check.case_number.as_deref().unwrap_or("?");
        let name = file.display();
        if check.is_genuine() {
            for e in &check.exports {
                outln!("{name}: a report of case {number}: export #{}, {}, made {} by {}", e.export_id, e.format, e.time_utc, e.exported_by);
                outln!("  with {}; file name then {}", e.tool_version, e.file_name);
                outln!("  SHA-256 {} ({} bytes) matches the case's record", check.sha256, check.size);
                outln!("  report digest {}", e.report_digest);
                outln!("  audit chain head at export: #{} {}", e.chain_head_seq, e.chain_head_hash);
                outln!("  filters: {}", Filters::command_line(&serde_json::from_value(e.filters.clone()).unwrap_or_default()));
            }
        } else if !check.case_intact {
            outln!("{name}: NOT VERIFIED: case {number} failed verification, so its record of exports cannot vouch for any file");
            if let Some(p) = &check.case_problem {
                outln!("  first mismatch in the case: {p}");
            }
        } else {
            outln!("{name}: NOT a report of case {number}: no export of this case has SHA-256 {}", check.sha256);
            for e in &check.named_exports {
                outln!(
                    "  it names the report digest of export #{} ({}, made {}): it is an altered or re-saved copy of that export",
                    e.export_id,
                    e.format,
                    e.time_utc
                );
            }
        }
    }
    Ok(if check.is_genuine() { 0 } else { EXIT_VERIFY_FAILED })
}
