//! The report of the fixture case: HTML and CSV snapshots, what the PDF's
//! pages carry, the filters, and that the HTML cannot reach the network.

mod common;

use common::*;
use spoor_report::{Filters, Format, hits_csv, html, pdf};

#[test]
fn html_matches_its_snapshot() {
    let fx = fixture_case();
    let (report, digest) = build(&fx.case, Filters::default(), false);
    let html = html::render(&report, &digest);
    snapshot("fixture-report.html", &mask(&html, &report, &digest, fx.dir.path()));
}

#[test]
fn csv_matches_its_snapshot() {
    let fx = fixture_case();
    let (report, digest) = build(&fx.case, Filters::default(), false);
    let csv = String::from_utf8(hits_csv::render(&report).expect("csv")).expect("UTF-8");
    snapshot("fixture-hits.csv", &mask(&csv, &report, &digest, fx.dir.path()));
}

#[test]
fn the_report_states_what_the_case_holds() {
    let fx = fixture_case();
    let (report, digest) = build(&fx.case, Filters::default(), false);
    let c = spoor_case::Case::open_read_only(&fx.case).expect("open");
    let hits = c.hits().expect("hits");
    assert!(!hits.is_empty());
    assert_eq!(report.hits.len(), hits.len(), "no filter: every hit");
    assert_eq!(report.hits_in_case, hits.len() as u64);
    for (shown, stored) in report.hits.iter().zip(&hits) {
        assert_eq!((shown.file_id, &shown.path, &shown.path_hex, &shown.md5), (stored.file_id, &stored.path, &stored.path_hex, &stored.md5));
    }
    // The non-UTF-8 name is shown readable, and exactly in hex.
    let cafe = report.hits.iter().find(|h| h.path_hex == hex::encode(b"Users/alex/Pictures/caf\xe9.jpg")).expect("the Latin-1 name is a hit");
    assert_eq!(cafe.path, "Users/alex/Pictures/caf\\xe9.jpg");
    // The reviews and the chain head are the case's.
    assert_eq!(report.hits.iter().filter(|h| h.review.is_some()).count(), 2);
    let (seq, hash) = c.chain_head().expect("head");
    assert_eq!((report.chain_head.seq, report.chain_head.hash.as_str()), (seq, hash.as_str()));
    let verify = spoor_case::verify::verify(&fx.case).expect("verify");
    assert_eq!(report.runs[0].content_digest, verify.runs[0].content_digest);
    // The HTML says all of it.
    let html = html::render(&report, &digest);
    for needle in [
        "2026-0042",
        "Operation Example",
        "Team Digitale Opsporing",
        "A. de Vries",
        "Europe/Amsterdam",
        "überblick ☃.png",
        "caf\\xe9.jpg",
        &hex::encode(b"Users/alex/Pictures/caf\xe9.jpg"),
        &digest,
        &hash,
        "not verifiable",
        "0123456789ab",
        "Unit list 2026-11",
        "Reviewed on the lab workstation.",
        "B. Jansen",
        "1 — child abuse material (CAM)",
        "This report contains no pictures",
        "spoor verify-report CASE FILE",
        "sha256sum FILE",
    ] {
        assert!(html.contains(&html::escape(needle)), "the HTML does not say {needle:?}");
    }
    for set in c.hashsets().expect("sets") {
        assert!(html.contains(&set.source_sha256), "source SHA-256 of {} missing", set.name);
        assert!(html.contains(&html::escape(&set.importer_version)), "importer of {} missing", set.name);
    }
    // PDQ and vPDQ: the fixture case loads no fingerprint set, so no hit
    // uses them, but the thresholds the scan ran with are stated.
    assert_eq!(report.method("pdq").map(|m| m.hits_in_case), Some(0));
    assert_eq!(report.method("vpdq").map(|m| m.hits_in_case), Some(0));
    for key in ["pdq_max_distance", "pdq_min_quality", "vpdq_max_distance", "vpdq_min_quality", "vpdq_query_match_percent"] {
        assert!(html.contains(key), "the threshold {key} is not stated");
    }
}

#[test]
fn the_digest_is_the_same_for_every_format_and_changes_with_the_content() {
    let fx = fixture_case();
    let (report, digest) = build(&fx.case, Filters::default(), false);
    let (again, digest2) = build(&fx.case, Filters::default(), false);
    assert_eq!(report, again);
    assert_eq!(digest, digest2, "the same content, the same digest");
    let (_, thumbs) = build(&fx.case, Filters::default(), true);
    assert_ne!(digest, thumbs, "what the report says (thumbnails asked for) is in the digest");
    let html = html::render(&report, &digest);
    let pdf_text = pdf::page_texts(&report, &digest).expect("pdf layout").join("\n");
    for format in Format::ALL {
        let bytes = spoor_report::render(&report, &digest, format).expect("render");
        assert!(!bytes.is_empty(), "{format}");
    }
    assert!(html.contains(&digest) && pdf_text.contains(&digest));
}

#[test]
fn thumbnails_asked_for_are_embedded_blurred_and_checked_against_the_scan() {
    let fx = fixture_case();
    let (plain, plain_digest) = build(&fx.case, Filters::default(), false);
    assert!(plain.pictures.is_empty());
    assert!(!html::render(&plain, &plain_digest).contains("<img"), "no picture without --thumbnails");

    let (report, digest) = build(&fx.case, Filters::default(), true);
    let files: std::collections::BTreeSet<i64> = report.hits.iter().map(|h| h.file_id).collect();
    assert_eq!(report.pictures.len(), files.len(), "one picture entry per file with a hit");
    let shown: Vec<_> = report.pictures.iter().filter(|p| p.thumbnail.is_some()).collect();
    assert!(!shown.is_empty(), "the fixture's pictures with hits get thumbnails");
    for p in &report.pictures {
        let hit = report.hits.iter().find(|h| h.file_id == p.file_id).expect("a hit");
        let is_picture = hit.file_type.as_deref().is_some_and(|t| t.starts_with("image/"));
        match (&p.thumbnail, &p.unavailable) {
            (Some(t), None) => {
                assert!(is_picture, "{} got a thumbnail but is {:?}", p.path, hit.file_type);
                assert!(t.width <= spoor_report::picture::SIDE && t.height <= spoor_report::picture::SIDE);
                assert!(image_decodes(&t.jpeg) && image_decodes(&t.blurred_jpeg));
            }
            (None, Some(reason)) => assert!(!reason.is_empty()),
            other => panic!("{}: {other:?}", p.path),
        }
    }
    let html = html::render(&report, &digest);
    assert_eq!(html.matches("<img ").count(), shown.len());
    assert!(html.contains("img-src data:"), "the CSP allows the embedded pictures only");
    assert!(html.contains("filter: blur(14px) grayscale(1)"), "blurred and grey by default");
    assert!(html.contains("This report contains pictures."), "a notice on the first page");
    assert_eq!(network_references(&html), Vec::<String>::new());
    let pdf = pdf::render(&report, &digest).expect("pdf");
    assert!(pdf.windows(9).any(|w| w == b"DCTDecode"), "the PDF embeds the (blurred) JPEGs");

    // A file changed since the scan is not shown, and the report says why.
    let victim = report.hits.iter().find(|h| shown.iter().any(|p| p.file_id == h.file_id)).expect("a shown hit");
    let path = fx.manifest.evidence_root.join(&victim.path);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.push(0);
    std::fs::write(&path, bytes).expect("change the evidence file");
    let (after, _) = build(&fx.case, Filters::default(), true);
    let p = after.pictures.iter().find(|p| p.file_id == victim.file_id).expect("entry");
    assert!(p.thumbnail.is_none());
    assert!(p.unavailable.as_deref().is_some_and(|r| r.contains("changed since the scan")), "{p:?}");
}

fn image_decodes(jpeg: &[u8]) -> bool {
    spoor_pdq::decode::decode(jpeg, &spoor_pdq::decode::Limits::default()).is_ok()
}

#[test]
fn filters_select_hits_and_are_stated_verbatim() {
    let fx = fixture_case();
    let (all, _) = build(&fx.case, Filters::default(), false);
    let reviewed = Filters { reviewed_only: true, ..Filters::default() };
    let (r, digest) = build(&fx.case, reviewed, false);
    assert_eq!(r.hits.len(), all.hits.iter().filter(|h| h.review.is_some()).count());
    assert!(r.hits.iter().all(|h| h.review.is_some()));
    let html = html::render(&r, &digest);
    assert!(html.contains("<code>--reviewed-only</code>"), "the filter is stated verbatim");
    assert!(html.contains(&format!("{} of the {} hits in the case", r.hits.len(), all.hits.len())));

    let by_method = Filters { method: vec!["sha256".into()], ..Filters::default() };
    let (r, _) = build(&fx.case, by_method, false);
    assert!(!r.hits.is_empty() && r.hits.iter().all(|h| h.method == "sha256"));
    assert!(r.hits.len() < all.hits.len());

    // Category 0 is a value: it selects the hits whose set says 0, and only those.
    let zero = Filters { category: vec!["0".into()], ..Filters::default() };
    let (r, _) = build(&fx.case, zero, false);
    assert!(!r.hits.is_empty());
    assert!(r.hits.iter().all(|h| h.category.as_deref() == Some("0") || h.review.as_ref().and_then(|v| v.category.as_deref()) == Some("0")));
    let uncategorised = Filters { category: vec!["uncategorised".into()], ..Filters::default() };
    let (r, _) = build(&fx.case, uncategorised, false);
    assert!(!r.hits.is_empty() && r.hits.iter().all(|h| h.category.is_none()));

    let evidence = Filters { evidence: vec![ITEM.into()], ..Filters::default() };
    let (r, digest) = build(&fx.case, evidence, false);
    assert_eq!(r.hits.len(), all.hits.len());
    assert!(html::render(&r, &digest).contains("--evidence ITEM-001"));

    let c = spoor_case::Case::open_read_only(&fx.case).expect("open");
    let verification = spoor_case::verify::verify(&fx.case).expect("verify");
    let bad = spoor_report::BuildOptions {
        filters: Filters { evidence: vec!["ITEM-999".into()], ..Filters::default() },
        generator: generator(),
        generated_utc: GENERATED.into(),
        thumbnails: false,
    };
    let err = spoor_report::Report::build(&c, &verification, &bad).expect_err("an unknown evidence item is an error");
    assert!(err.to_string().contains("ITEM-999"), "{err}");
}

#[test]
fn every_pdf_page_carries_the_case_number_digest_and_page_number() {
    let fx = fixture_case();
    let (report, digest) = build(&fx.case, Filters::default(), false);
    let pages = pdf::page_texts(&report, &digest).expect("layout");
    assert!(pages.len() >= 3, "the fixture report spans several pages, got {}", pages.len());
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("case 2026-0042"), "page {} lacks the case number", i + 1);
        assert!(page.contains(&digest), "page {} lacks the report digest", i + 1);
        assert!(page.contains(&format!("Page {} of {n}", i + 1)), "page {} lacks its number", i + 1);
    }
    // A table continued on a new page repeats its header row.
    let continued = pages.iter().skip(1).filter(|p| p.contains("Digests (MD5,")).count();
    let hits_pages = pages.iter().filter(|p| p.contains("überblick ☃.png") || p.contains("caf\\xe9.jpg")).count();
    assert!(continued >= 1 && hits_pages >= 1);
    for path in report.hits.iter().map(|h| &h.path_hex) {
        assert!(pages.iter().any(|p| p.contains(path.as_str())), "hit {path} is on no page");
    }
    let bytes = pdf::render(&report, &digest).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(bytes.windows(9).any(|w| w == b"FontFile2"), "the font must be embedded");
    assert_eq!(bytes, pdf::render(&report, &digest).expect("pdf"), "the same report gives the same bytes");
}

/// The ways an HTML file can make a browser fetch something.
fn network_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for needle in ["http://", "https://", "ftp://", "<link", "@import", "<script", "<iframe", "<object", "<embed", "<base", "srcset", "@font-face", "url("] {
        if lower.contains(needle) {
            found.push(needle.to_string());
        }
    }
    for attr in ["src=", "href=", "action=", "poster=", "data="] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(attr) {
            let start = from + at + attr.len();
            let value: String = lower[start..].chars().skip(1).take_while(|c| *c != '"' && *c != '\'').collect();
            // Fragments and pictures inside the file itself are not requests.
            if !value.starts_with('#') && !value.starts_with("data:image/jpeg;base64,") {
                found.push(format!("{attr}{value}"));
            }
            from = start;
        }
    }
    if lower.contains("=\"//") || lower.contains("='//") {
        found.push("protocol-relative URL".into());
    }
    found
}

#[test]
fn the_html_makes_no_network_request() {
    let fx = fixture_case();
    for thumbnails in [false, true] {
        let (report, digest) = build(&fx.case, Filters::default(), thumbnails);
        let html = html::render(&report, &digest);
        assert_eq!(network_references(&html), Vec::<String>::new());
        assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"), "a CSP must forbid loading");
    }
    // The check itself finds what it must find.
    for planted in [
        "<img src=\"https://example.org/x.png\">",
        "<img src=\"x.png\">",
        "<img src=\"data:text/html,<script>\">",
        "<link rel=stylesheet href=\"//cdn.example/x.css\">",
        "<style>@import 'x.css';</style>",
        "<div style=\"background:url(x.png)\"></div>",
        "<script src=\"a.js\"></script>",
    ] {
        assert!(!network_references(planted).is_empty(), "{planted} was not caught");
    }
}

#[test]
fn a_hostile_file_name_stays_text() {
    let fx = fixture_case();
    let (mut report, _) = build(&fx.case, Filters::default(), false);
    report.hits[0].path = "<script>alert(1)</script>=cmd|' /C calc'!A0.jpg".into();
    report.hits[0].review = None;
    let digest = report.digest().expect("digest");
    let html = html::render(&report, &digest);
    assert!(!html.contains("<script>alert"), "markup in a name must be escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    report.hits[0].path = "=HYPERLINK(\"x\")".into();
    let csv = String::from_utf8(hits_csv::render(&report).expect("csv")).expect("utf-8");
    assert!(csv.contains("'=HYPERLINK"), "a formula in a name must be made inert");
}

#[test]
fn unscanned_and_unfinished_evidence_is_said_to_be_so() {
    use spoor_case::{Case, NewCase, NewEvidence, RunEnd, RunStart};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.spoor");
    let mut case = Case::create(
        &path,
        &NewCase { case_number: "2026-0043".into(), title: String::new(), agency: String::new(), examiner: "A. de Vries".into(), time_zone: "UTC".into() },
        "spoor test",
    )
    .expect("create");
    for id in ["ITEM-001", "ITEM-002"] {
        case.add_evidence(&NewEvidence { evidence_id: id.into(), description: String::new(), source_path: b"/mnt/x".to_vec(), acquisition_hashes: vec![] })
            .expect("evidence");
    }
    let run = case
        .start_run(&RunStart {
            tool_name: "spoor".into(),
            tool_version: "0.1.0".into(),
            git_commit: "abc".into(),
            host: "lab".into(),
            settings: serde_json::json!({ "evidence": ["ITEM-001"] }),
            hashsets: vec![],
        })
        .expect("start");
    let ev = case.evidence_item("ITEM-001").expect("query").expect("item");
    let mut batch = spoor_case::Batch::default();
    batch.files.push(spoor_case::NewFile {
        evidence_row: ev.row_id,
        path: b"a.jpg".to_vec(),
        path_display: "a.jpg".into(),
        kind: "file".into(),
        status: "hashed".into(),
        ..spoor_case::NewFile::default()
    });
    case.write_batch(run.run_id, &batch).expect("batch");
    case.end_run(run.run_id, &RunEnd::Cancelled).expect("cancel");
    drop(case);
    let (report, digest) = build(&path, Filters::default(), false);
    let html = html::render(&report, &digest);
    assert!(html.contains("Incomplete scan of ITEM-001"), "a cancelled run's partial results must be flagged");
    assert!(html.contains("ITEM-002 was not scanned"), "an unscanned item must be flagged");
    assert!(html.contains("No hit matches the filters."));
    assert!(pdf::page_texts(&report, &digest).expect("pdf").concat().contains("Incomplete scan of ITEM-001"));
}
