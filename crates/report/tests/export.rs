//! Exports: written, recorded in the case, recognised later; refused for an
//! altered case; and the VICS export read back by Spoor's own importer.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use spoor_report::{Error, ExportRequest, Filters, Format};

fn request(format: Format, output: &Path, filters: Filters) -> ExportRequest {
    ExportRequest {
        format,
        filters,
        output: output.to_path_buf(),
        thumbnails: false,
        generator: generator(),
        generated_utc: Some(GENERATED.into()),
        actor: Some("C. Bakker".into()),
    }
}

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

#[test]
fn every_format_is_written_recorded_and_recognised() {
    let fx = fixture_case();
    let before = spoor_case::Case::open_read_only(&fx.case).expect("open").chain_head().expect("head");
    let mut outputs = Vec::new();
    for (i, format) in Format::ALL.into_iter().enumerate() {
        let out = fx.path(&format!("report-{i}.{format}"));
        let filters = Filters { reviewed_only: i == 0, ..Filters::default() };
        let outcome = spoor_report::export(&fx.case, &request(format, &out, filters)).expect("export");
        assert_eq!(outcome.record.sha256, sha256_file(&out), "{format}: the recorded SHA-256 is the file's");
        assert_eq!(outcome.record.format, format.as_str());
        assert_eq!(outcome.record.exported_by, "C. Bakker");
        assert_eq!(outcome.record.time_utc, GENERATED);
        outputs.push((format, out, outcome));
    }
    // Each export is one audit entry carrying its filters, and the first
    // export's chain head is the head before it.
    let case = spoor_case::Case::open_read_only(&fx.case).expect("open");
    let log = case.audit_log().expect("log");
    let exports: Vec<_> = log.iter().filter(|e| e.action == "report.export").collect();
    assert_eq!(exports.len(), 4);
    assert_eq!(exports[0].details["filters"]["reviewed_only"], true);
    assert_eq!(exports[0].seq, before.0 + 1);
    assert_eq!((outputs[0].2.record.chain_head_seq, outputs[0].2.record.chain_head_hash.clone()), before);
    assert_eq!(outputs[1].2.record.chain_head_seq, before.0 + 1, "the second export's head is the first export's entry");
    drop(case);
    assert!(spoor_case::verify::verify(&fx.case).expect("verify").is_intact(), "exports keep the case intact");

    for (format, out, outcome) in &outputs {
        let check = spoor_report::verify_file(&fx.case, out).expect("verify-report");
        assert!(check.is_genuine(), "{format}: {check:?}");
        assert_eq!(check.exports.len(), 1);
        assert_eq!(check.exports[0].export_id, outcome.record.export_id);
    }
    // The HTML and the PDF state the report digest the case recorded.
    let html = std::fs::read_to_string(&outputs[0].1).expect("html");
    assert!(html.contains(&outputs[0].2.record.report_digest));

    // One byte changed: not a report of this case, though it names one.
    let (_, html_path, html_outcome) = &outputs[0];
    let mut bytes = std::fs::read(html_path).expect("read");
    let at = html.find("Operation Example").expect("title");
    bytes[at] = b'o';
    let altered = fx.path("altered.html");
    std::fs::write(&altered, &bytes).expect("write");
    let check = spoor_report::verify_file(&fx.case, &altered).expect("verify-report");
    assert!(!check.is_genuine());
    assert!(check.exports.is_empty());
    assert_eq!(check.named_exports.iter().map(|e| e.export_id).collect::<Vec<_>>(), vec![html_outcome.record.export_id]);

    // Some other file: not a report at all.
    let other = fx.path("other.txt");
    std::fs::write(&other, "hello").expect("write");
    let check = spoor_report::verify_file(&fx.case, &other).expect("verify-report");
    assert!(!check.is_genuine() && check.named_exports.is_empty());
}

#[test]
fn an_existing_file_is_never_replaced() {
    let fx = fixture_case();
    let out = fx.path("report.html");
    std::fs::write(&out, "keep me").expect("write");
    let err = spoor_report::export(&fx.case, &request(Format::Html, &out, Filters::default())).expect_err("must refuse");
    assert!(matches!(err, Error::OutputExists { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "keep me");
    let case = spoor_case::Case::open_read_only(&fx.case).expect("open");
    assert!(case.exports().expect("exports").is_empty(), "nothing recorded");
    let leftovers: Vec<_> = std::fs::read_dir(fx.dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn an_altered_case_is_not_reported_on_and_its_reports_are_not_vouched_for() {
    let fx = fixture_case();
    let out = fx.path("report.pdf");
    spoor_report::export(&fx.case, &request(Format::Pdf, &out, Filters::default())).expect("export");
    tamper(&fx.case);
    let err = spoor_report::export(&fx.case, &request(Format::Html, &fx.path("later.html"), Filters::default()))
        .expect_err("an altered case is refused");
    assert!(matches!(err, Error::CaseNotIntact { .. }), "{err}");
    assert!(!fx.path("later.html").exists());
    let check = spoor_report::verify_file(&fx.case, &out).expect("verify-report");
    assert!(!check.case_intact && !check.is_genuine(), "{check:?}");
    assert_eq!(check.exports.len(), 1, "the file is still found, but the case cannot vouch for it");
}

/// Changes a hit's category behind the tool's back, as a tamperer with
/// the `sqlite3` shell would.
fn tamper(case: &Path) {
    let conn = rusqlite::Connection::open(case).expect("open the case as plain SQLite");
    let n = conn.execute("UPDATE hits SET category = '4' WHERE id = (SELECT MIN(id) FROM hits)", []).expect("update");
    assert_eq!(n, 1);
}

#[test]
fn the_vics_export_reads_back_through_spoors_own_importer() {
    let fx = fixture_case();
    let out = fx.path("case-export.json");
    let outcome = spoor_report::export(&fx.case, &request(Format::Vics, &out, Filters::default())).expect("export");
    assert!(outcome.hits > 0);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("JSON");
    assert_eq!(json["@odata.context"], "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases");
    assert_eq!(json["value"][0]["CaseNumber"], "2026-0042");

    // What the export must carry, per MD5: the hits' content and names, and
    // the examiner's category if any file of that content was reviewed with
    // one, else the first hash-set category.
    let case = spoor_case::Case::open_read_only(&fx.case).expect("open");
    type Expected = (String, String, u64, Option<String>, Option<String>, Vec<String>);
    let mut expected: BTreeMap<String, Expected> = BTreeMap::new();
    for h in case.hits().expect("hits") {
        let md5 = h.md5.clone().expect("md5");
        let name = h.path.rsplit('/').next().expect("a name").to_string();
        let e = expected.entry(md5).or_insert((h.sha1.clone().expect("sha1"), h.sha256.clone().expect("sha256"), h.size, None, None, Vec::new()));
        if e.3.is_none() {
            e.3 = h.review.as_ref().and_then(|r| r.category.clone());
        }
        if e.4.is_none() {
            e.4 = h.category.clone();
        }
        if !e.5.contains(&name) {
            e.5.push(name);
        }
    }
    assert!(expected.values().any(|e| e.3.is_some()), "a reviewed category travels too");

    let library = spoor_hashset::Library::open(&fx.path("roundtrip-library")).expect("library");
    let info = library
        .import(
            &out,
            &spoor_hashset::ImportOptions {
                name: "Spoor export".into(),
                version: Some("1".into()),
                kind: spoor_hashset::SetKind::Alert,
                format: None,
                ..spoor_hashset::ImportOptions::default()
            },
        )
        .expect("Spoor's importer reads Spoor's VICS export");
    assert_eq!(info.format, spoor_hashset::Format::Vics, "detected as VICS");
    assert_eq!(info.record_count, expected.len() as u64, "one Media record per distinct MD5");
    let matcher = library.load(&[]).expect("load");
    for (md5, (sha1, sha256, size, reviewed, from_set, names)) in &expected {
        let category = reviewed.clone().or(from_set.clone());
        let md5_bytes: [u8; 16] = hex::decode(md5).expect("hex").try_into().expect("16 bytes");
        let sha1_bytes: [u8; 20] = hex::decode(sha1).expect("hex").try_into().expect("20 bytes");
        let found = matcher.lookup(&md5_bytes, &sha1_bytes, &[0u8; 32]).expect("lookup");
        assert_eq!(found.len(), 1, "{md5}: one record");
        let record = &found[0].record;
        assert_eq!(record.md5.as_deref(), Some(md5.as_str()));
        assert_eq!(record.sha1.as_deref(), Some(sha1.as_str()));
        assert_eq!(record.sha256.as_deref(), Some(sha256.as_str()));
        assert_eq!(record.media_size, Some(*size), "{md5}: MediaSize");
        assert_eq!(record.category, category, "{md5}: Category (0 is a value, none is null)");
        let mut got: Vec<&str> = record.names().collect();
        got.sort_unstable();
        let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(got, want, "{md5}: file names");
    }
}

/// An export's progress counts every hit of the case and ends recording.
#[test]
fn export_progress_counts_the_hits() {
    use std::sync::atomic::Ordering;
    let fx = fixture_case();
    let hits_in_case = spoor_case::Case::open_read_only(&fx.case).expect("open").hit_details().expect("hits").len() as u64;
    assert!(hits_in_case > 0);
    let progress = spoor_report::ExportProgress::default();
    let out = fx.path("progress.csv");
    let outcome = spoor_report::export_with_progress(&fx.case, &request(Format::Csv, &out, Filters::default()), &progress).expect("export");
    assert_eq!(progress.hits_total.load(Ordering::Relaxed), hits_in_case);
    assert_eq!(progress.hits_done.load(Ordering::Relaxed), hits_in_case);
    assert_eq!(progress.stage(), spoor_report::ExportStage::Recording);
    assert_eq!(outcome.hits, hits_in_case);
}
