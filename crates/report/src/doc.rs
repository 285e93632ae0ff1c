//! The words of a report: the model turned into a sequence of blocks
//! (headings, paragraphs, field lists, tables) that the HTML and the PDF
//! renderers both draw, so the two formats say exactly the same thing.

use crate::category;
use crate::model::{HitMetadata, MethodSection, Report, ReportHit};

/// How a run of text is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Normal,
    Strong,
    /// Digests, commands, identifiers: monospaced.
    Code,
    /// Secondary detail: smaller and grey.
    Muted,
}

/// A run of text in one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

/// A paragraph: spans set one after the other, wrapped.
pub type Line = Vec<Span>;

/// A table: column titles with relative widths, then rows of cells; each
/// cell is one or more paragraphs.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<Vec<Line>>>,
    /// Said instead of an empty table.
    pub empty: String,
}

/// One block of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// The report's title and subtitle.
    Title { title: String, subtitle: String },
    Heading { level: u8, id: String, text: String },
    Para(Line),
    Bullets(Vec<Line>),
    /// Label and value pairs.
    Fields(Vec<(String, Vec<Line>)>),
    Table(Table),
    /// A remark set apart in a box.
    Notice(Line),
    /// What follows goes on landscape (or again portrait) pages: the wide
    /// hits table. Always in pairs, landscape first.
    Orientation { landscape: bool },
    /// Thumbnails in a grid, each with its caption or the reason it is
    /// missing. Shown blurred and grey: the HTML reveals one on a click,
    /// the PDF never does.
    Pictures(Vec<PictureCell>),
}

/// One thumbnail of a [`Block::Pictures`] grid.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureCell {
    pub caption: Vec<Line>,
    pub thumbnail: Option<crate::picture::Thumbnail>,
}

fn span(text: impl Into<String>, style: Style) -> Span {
    Span { text: text.into(), style }
}
fn t(text: impl Into<String>) -> Span {
    span(text, Style::Normal)
}
fn b(text: impl Into<String>) -> Span {
    span(text, Style::Strong)
}
fn c(text: impl Into<String>) -> Span {
    span(text, Style::Code)
}
fn m(text: impl Into<String>) -> Span {
    span(text, Style::Muted)
}
fn line(text: impl Into<String>) -> Line {
    vec![t(text)]
}
fn cell(text: impl Into<String>) -> Vec<Line> {
    vec![line(text)]
}
fn code_cell(text: impl Into<String>) -> Vec<Line> {
    vec![vec![c(text)]]
}
fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

/// Thousands separated by a thin space, as in `12 345`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// The category of a hit as the report names it: raw value and name.
pub fn category_label(raw: Option<&str>, name: Option<&str>) -> String {
    match (raw, name) {
        (None, _) => "uncategorised".into(),
        (Some(r), Some(n)) => format!("{r} — {n}"),
        (Some(r), None) => r.to_string(),
    }
}

/// The file name the report's own title and headers use.
pub fn title(report: &Report) -> String {
    format!("Spoor examination report — case {}", report.case.case_number)
}

/// The whole document.
pub fn document(r: &Report, digest: &str) -> Vec<Block> {
    let mut out = Vec::new();
    header(r, digest, &mut out);
    evidence(r, &mut out);
    tools(r, &mut out);
    hashsets(r, &mut out);
    methodology(r, &mut out);
    summary(r, &mut out);
    hits(r, &mut out);
    triage(r, &mut out);
    warnings(r, &mut out);
    audit(r, &mut out);
    how_to_verify(r, digest, &mut out);
    out
}

fn header(r: &Report, digest: &str, out: &mut Vec<Block>) {
    let case = &r.case;
    out.push(Block::Title {
        title: title(r),
        subtitle: if case.title.is_empty() { "Hash and fingerprint matching of seized media".into() } else { case.title.clone() },
    });
    let v = &r.verification;
    let verification = if v.intact {
        vec![vec![
            b("intact"),
            t(format!(
                " — the audit chain of {} entries and all {} rows were recomputed and match",
                count(v.audit_entries),
                count(v.rows_checked)
            )),
        ]]
    } else {
        let mut lines = vec![vec![b("FAILED"), t(" — the case was altered or damaged after the tool wrote it:")]];
        lines.extend(v.problems.iter().map(|p| line(p.clone())));
        lines
    };
    out.push(Block::Fields(vec![
        ("Case number".into(), cell(&case.case_number)),
        ("Title".into(), cell(or_dash(Some(&case.title)))),
        ("Agency".into(), cell(or_dash(Some(&case.agency)))),
        ("Examiner".into(), cell(&case.examiner)),
        ("Time zone".into(), cell(format!("{} (every time in this report is UTC)", case.time_zone))),
        ("Case opened".into(), cell(format!("{} UTC", case.created_utc))),
        ("Report generated".into(), cell(format!("{} UTC", r.generated_utc))),
        ("Generated by".into(), cell(r.generator.label())),
        ("Filters".into(), vec![vec![c(r.filters_command_line.clone())], filter_words(r)]),
        (
            "Hits shown".into(),
            cell(format!("{} of the {} hits in the case", count(r.hits.len() as u64), count(r.hits_in_case))),
        ),
        ("Case verification".into(), verification),
        (
            "Audit chain head".into(),
            vec![vec![t(format!("entry #{} ", r.chain_head.seq)), c(r.chain_head.hash.clone())]],
        ),
        ("Report digest".into(), vec![vec![c(digest)], vec![m("SHA-256 of this report's content; it is shown on every page")]]),
    ]));
    for e in &r.evidence {
        let run = e.totals.run_id.and_then(|id| r.runs.iter().find(|run| run.run_id == id));
        match run {
            Some(run) if run.state != "completed" => out.push(Block::Notice(vec![
                b(format!("Incomplete scan of {}. ", e.evidence_id)),
                t(format!(
                    "Its latest scan, run {}, is {}, not completed: the hits, counts and warnings shown for this item cover only what that run recorded so far.",
                    run.run_id, run.state
                )),
            ])),
            None => out.push(Block::Notice(vec![b(format!("{} was not scanned. ", e.evidence_id)), t("No hit can be shown for it.")])),
            _ => {}
        }
    }
    if r.thumbnails_requested {
        let shown = r.pictures.iter().filter(|p| p.thumbnail.is_some()).count() as u64;
        out.push(Block::Notice(vec![
            b("This report contains pictures. "),
            t(format!(
                "Thumbnails of {} of the {} files with hits are in section 6a, blurred and grey. In the HTML report a click on one reveals it and a second click hides it again; the PDF shows them blurred only. Each was read from the evidence when the report was made and shown only if its SHA-256 still matched the scan's.",
                count(shown),
                count(r.pictures.len() as u64)
            )),
        ]));
    } else {
        out.push(Block::Notice(vec![t("This report contains no pictures (the default).")]));
    }
}

fn filter_words(r: &Report) -> Line {
    let f = &r.filters;
    if f.is_empty() {
        return vec![m("No filter: every hit of the latest scan of each evidence item is shown.")];
    }
    let mut parts = Vec::new();
    if !f.evidence.is_empty() {
        parts.push(format!("evidence items {}", f.evidence.join(", ")));
    }
    if !f.category.is_empty() {
        parts.push(format!("hits whose hash-set or examiner's category is {}", f.category.join(" or ")));
    }
    if !f.method.is_empty() {
        parts.push(format!("hits found by {}", f.method.join(" or ")));
    }
    if f.reviewed_only {
        parts.push("hits the examiner has reviewed".into());
    }
    vec![m(format!("Only {}.", parts.join("; ")))]
}

fn evidence(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "evidence".into(), text: "1. Evidence items".into() });
    if r.evidence.is_empty() {
        out.push(Block::Para(line("The case holds no evidence item.")));
    }
    for e in &r.evidence {
        out.push(Block::Heading { level: 2, id: format!("evidence-{}", slug(&e.evidence_id)), text: e.evidence_id.clone() });
        let scanned = match e.totals.run_id {
            Some(run) => format!("scan run {run}"),
            None => "not scanned".into(),
        };
        out.push(Block::Fields(vec![
            ("Description".into(), cell(or_dash(Some(&e.description)))),
            ("Source".into(), vec![vec![c(e.source_path.clone())], vec![m("a mounted folder, read by Spoor")]]),
            ("Registered".into(), cell(format!("{} UTC by {}", e.added_utc, e.added_by))),
            ("Latest scan".into(), cell(scanned)),
        ]));
        out.push(Block::Table(Table {
            columns: vec![("Acquisition hash".into(), 1.0), ("Value".into(), 3.2), ("Status".into(), 2.4)],
            rows: e
                .acquisition_hashes
                .iter()
                .map(|h| {
                    vec![
                        cell(h.algorithm.to_uppercase()),
                        code_cell(h.value.clone()),
                        vec![vec![b(h.status.clone())], vec![m(h.explanation.clone())]],
                    ]
                })
                .collect(),
            empty: "No acquisition hash was supplied for this item.".into(),
        }));
    }
}

fn tools(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "tools".into(), text: "2. Tool and scan runs".into() });
    out.push(Block::Para(vec![t(format!(
        "The findings were made by the following build(s) of Spoor. This report was written by {}.",
        r.generator.label()
    ))]));
    out.push(Block::Table(Table {
        columns: vec![("Tool".into(), 1.0), ("Version".into(), 1.0), ("Commit".into(), 1.4), ("Scan runs".into(), 1.0)],
        rows: r
            .tools
            .iter()
            .map(|tu| {
                vec![
                    cell(&tu.name),
                    cell(&tu.version),
                    code_cell(tu.commit.clone()),
                    cell(tu.runs.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
                ]
            })
            .collect(),
        empty: "No scan has been run in this case.".into(),
    }));
    out.push(Block::Table(Table {
        columns: vec![
            ("Run".into(), 0.5),
            ("State and times (UTC)".into(), 2.0),
            ("Host and evidence".into(), 1.4),
            ("Counts".into(), 1.5),
            ("Content digest".into(), 2.4),
        ],
        rows: r
            .runs
            .iter()
            .map(|run| {
                let c_ = &run.counts;
                vec![
                    cell(run.run_id.to_string()),
                    vec![
                        vec![b(run.state.clone())],
                        line(format!("started {}", run.started_utc)),
                        line(format!("ended {}", or_dash(run.ended_utc.as_deref()))),
                    ],
                    vec![line(run.host.clone()), vec![m(run.evidence.join(", "))]],
                    vec![
                        line(format!("{} entries", count(c_.files))),
                        line(format!("{} hits", count(c_.hits))),
                        line(format!("{} known-good", count(c_.known_good))),
                        line(format!("{} warnings", count(c_.warnings))),
                    ],
                    match &run.content_digest {
                        Some(d) => vec![vec![c(d.clone())]],
                        None => vec![vec![m("none: the run did not complete")]],
                    },
                ]
            })
            .collect(),
        empty: "No scan has been run in this case.".into(),
    }));
}

fn hashsets(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "hashsets".into(), text: "3. Hash sets used".into() });
    out.push(Block::Para(line(
        "Every hash set the scans of this case used, exactly as it was imported. The SHA-256 identifies the source file the set was imported from.",
    )));
    out.push(Block::Table(Table {
        columns: vec![
            ("Set".into(), 1.5),
            ("Kind, format, categories".into(), 1.5),
            ("Source file and its SHA-256".into(), 2.6),
            ("Records".into(), 0.8),
            ("Imported (UTC), importer".into(), 1.6),
        ],
        rows: r
            .hashsets
            .iter()
            .map(|h| {
                let s = &h.set;
                vec![
                    vec![
                        vec![b(s.name.clone())],
                        line(format!("version {}", or_dash(s.version.as_deref()))),
                        vec![m(format!("{} hits shown", count(h.hits_shown)))],
                    ],
                    vec![
                        line(match s.kind.as_str() {
                            "alert" => "alert (known material)".to_string(),
                            "ignore" => "ignore (known-good)".to_string(),
                            k => k.to_string(),
                        }),
                        line(format!("format {}", s.format)),
                        line(format!("categories: {}", h.profile_label)),
                    ],
                    vec![line(s.source_name.clone()), vec![c(s.source_sha256.clone())]],
                    cell(count(s.record_count)),
                    vec![line(s.imported_utc.clone()), vec![m(s.importer_version.clone())]],
                ]
            })
            .collect(),
        empty: "No hash set has been used in this case.".into(),
    }));
}

fn method_meaning(method: &str) -> &'static str {
    match method {
        "md5" => "Exact: the file's MD5 digest equals one the hash set lists, so its content is byte for byte the content the set describes. MD5 collisions can be made on purpose; where a set lists a stronger digest as well, Spoor reports the strongest digest that matched.",
        "sha1" => "Exact: the file's SHA-1 digest equals one the set lists. SHA-1 collisions can be made, at great cost.",
        "sha256" => "Exact: the file's SHA-256 digest equals one the set lists. No SHA-256 collision is known.",
        "pdq" => "Perceptual, pictures: PDQ (Meta) reduces a picture to 256 bits that change little when the picture is resized, recompressed or slightly edited. Two pictures match when few of the 256 bits differ; that number, the Hamming distance, is shown with each hit. A match means the pictures look alike, not that the files are the same: each needs review.",
        "vpdq" => "Perceptual, videos: frames are sampled about once a second and PDQ-hashed; two videos match when enough of their frames match. A match means the videos look alike: each needs review.",
        _ => "",
    }
}

fn method_status(ms: &MethodSection) -> Vec<Line> {
    let mut lines = vec![line(format!(
        "{} hits shown; {} in the case",
        count(ms.hits_shown),
        count(ms.hits_in_case)
    ))];
    if ms.kind == "exact" {
        lines.push(vec![m("threshold: none (the digests must be equal)")]);
        return lines;
    }
    if ms.thresholds.is_empty() {
        if ms.hits_in_case == 0 {
            lines.push(vec![m(
                "Not used in this case: the scans recorded no setting for it (they were made by a version of Spoor without this method).",
            )]);
        } else {
            lines.push(vec![m("The scans recorded no threshold for this method.")]);
        }
    } else {
        for (run, v) in &ms.thresholds {
            lines.push(vec![t(format!("scan run {run}: ")), c(v.to_string())]);
        }
    }
    if let Some(d) = ms.max_distance_shown {
        lines.push(line(format!("largest distance among the hits shown: {d}")));
    }
    lines
}

fn methodology(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "methodology".into(), text: "4. Methodology".into() });
    out.push(Block::Para(line(
        "Spoor opened every regular file of each evidence item read-only, read it once to compute its MD5, SHA-1 and SHA-256 digests, identified its type from its content (not from its name), and looked the digests up in the hash sets above. It never writes to the evidence and never follows symbolic links. Every file, hit and warning was recorded in the case file, whose audit log seals each row in a SHA-256 hash chain.",
    )));
    out.push(Block::Heading { level: 2, id: "methods".into(), text: "Match methods".into() });
    out.push(Block::Table(Table {
        columns: vec![("Method".into(), 0.7), ("What a match means".into(), 3.6), ("Use and thresholds in this case".into(), 2.2)],
        rows: r
            .methods
            .iter()
            .map(|ms| vec![vec![vec![b(ms.method.clone())], vec![m(ms.kind.clone())]], cell(method_meaning(&ms.method)), method_status(ms)])
            .collect(),
        empty: String::new(),
    }));
    let known_good: u64 = r.evidence.iter().map(|e| e.totals.known_good).sum();
    out.push(Block::Heading { level: 2, id: "known-good".into(), text: "Known-good, set aside".into() });
    out.push(Block::Para(line(format!(
        "A file whose digest an ignore set lists (for example NIST's NSRL of known software) is known-good: it is recorded and counted, but it is not a hit and needs no review. This saves the examiner from looking at operating-system and program files. {} file(s) of the evidence items in this report were set aside this way.",
        count(known_good)
    ))));
    let pictures: u64 = r.evidence.iter().map(|e| e.totals.pictures).sum();
    let below: u64 = r.evidence.iter().map(|e| e.totals.pictures_below_quality).sum();
    out.push(Block::Heading { level: 2, id: "pdq".into(), text: "Pictures: PDQ fingerprints".into() });
    out.push(Block::Para(line(format!(
        "Every picture Spoor could decode was fingerprinted with PDQ from its stored pixels (an EXIF orientation is recorded, not applied, as the reference implementation does; an animated picture is fingerprinted by its first frame). A picture whose PDQ quality is under the scan's minimum (pdq_min_quality above) was recorded but not matched, because the fingerprint of a nearly featureless picture is unreliable: {} of the {} picture(s) fingerprinted in the evidence items of this report. Every other picture was compared, through all eight rotations and mirror images of its fingerprint (the dihedral variants), with every fingerprint of at least that quality in the PDQ sets; it matched where one variant came within the scan's maximum Hamming distance (pdq_max_distance above). A PDQ hit shows the distance and the variant: the picture, so rotated or mirrored, looks like the listed one. Known-good is decided by exact digests only: a picture that merely looks like one in an ignore set is never set aside, and ignore sets of PDQ fingerprints are not searched.",
        count(below),
        count(pictures)
    ))));
    out.push(Block::Heading { level: 2, id: "categories".into(), text: "Categories".into() });
    out.push(Block::Para(line(
        "A category is shown as the hash set wrote it (the raw value), with its name where the set's category scheme defines one: VICS US 0 non-pertinent, 1 child abuse material (CAM), 2 child exploitive (non-CAM) / age difficult, 3 CGI / animation, 4 comparison images; UK CAID Category A, B, C and non-indecent. A hit without a category is \"uncategorised\"; category 0 is a value, not a missing one. A set with no recorded scheme shows the raw value only. The examiner's review, where there is one, is shown beside the set's category and does not replace it.",
    )));
    let noatime: u64 = r.evidence.iter().map(|e| e.totals.read_without_noatime).sum();
    out.push(Block::Heading { level: 2, id: "limits".into(), text: "Limits".into() });
    out.push(Block::Bullets(vec![
        line("A known-good set can contain bad material (a file listed by mistake, or a set that was tampered with). Spoor therefore keeps every alert hit even when an ignore set lists the same file; such hits are marked \"also listed as known-good\" and a warning is recorded."),
        line("A hash set finds only what it lists. New material, such as camera originals, matches no set: no hit is not the same as no material."),
        line("Exact methods find identical content only: a picture that was resized, recompressed or cropped has other digests."),
        line("Times are the file system's, as mounted, shown in UTC. Users and copying can change them, and their meaning depends on the file system; a birth time is shown only where the file system records one."),
        line(format!(
            "Spoor reads files with O_NOATIME where the system allows it, so reading does not change a file's access time. {} file(s) were read without it (the system refuses it to a user who does not own the file); their access times may have been updated by the scan. Listing a folder may update the folder's own access time on a file system mounted without noatime: evidence should be mounted read-only.",
            count(noatime)
        )),
        line("An acquisition hash belongs to the acquired image. Spoor read a mounted folder, not the image, so it cannot check that hash and records it as the examiner supplied it."),
        line("Verification (spoor verify) proves that no row of the case file was changed, removed or added after the tool wrote it, and that the audit log is unbroken. It cannot prove that the whole case file was not rebuilt consistently from scratch: for that, compare the audit chain head printed here with one printed by spoor verify or written down at another time."),
        line("The SHA-256 of this report's file is recorded in the case, so spoor verify-report recognises the exact file. A printed or re-saved copy cannot be checked byte for byte; the report digest on every page ties each page to the recorded export."),
        line("PhotoDNA values that hash sets carry are kept, never computed."),
    ]));
}

fn summary(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "summary".into(), text: "5. Summary".into() });
    out.push(Block::Table(Table {
        columns: vec![
            ("Evidence item".into(), 1.3),
            ("Entries recorded".into(), 1.0),
            ("Files read".into(), 0.9),
            ("Known-good set aside".into(), 1.0),
            ("Warnings".into(), 0.9),
            ("Hits shown (in case)".into(), 1.1),
            ("Reviewed".into(), 0.9),
        ],
        rows: r
            .summary
            .iter()
            .map(|s| {
                vec![
                    cell(&s.evidence_id),
                    cell(count(s.files)),
                    cell(count(s.hashed)),
                    cell(count(s.known_good)),
                    cell(count(s.warnings)),
                    cell(format!("{} ({})", count(s.hits_shown), count(s.hits_in_case))),
                    cell(count(s.reviewed_shown)),
                ]
            })
            .collect(),
        empty: "No evidence item.".into(),
    }));
    out.push(Block::Heading { level: 2, id: "per-category".into(), text: "Hits per category".into() });
    out.push(Block::Table(Table {
        columns: vec![
            ("Evidence item".into(), 1.2),
            ("Category (hash set)".into(), 2.6),
            ("Scheme".into(), 1.3),
            ("Hits".into(), 0.7),
            ("Reviewed".into(), 0.8),
        ],
        rows: r
            .categories
            .iter()
            .map(|c_| {
                vec![
                    cell(&c_.evidence_id),
                    cell(category_label(c_.category.as_deref(), c_.category_name.as_deref())),
                    cell(category::profile_label(c_.profile.as_deref())),
                    cell(count(c_.hits)),
                    cell(count(c_.reviewed)),
                ]
            })
            .collect(),
        empty: "No hit is shown.".into(),
    }));
}

fn hit_row(h: &ReportHit) -> Vec<Vec<Line>> {
    let mut file = vec![line(h.path.clone()), vec![m("bytes (hex) "), c(h.path_hex.clone())]];
    file.push(vec![m(format!(
        "{} · file {} · {} bytes · {}",
        h.evidence_id,
        h.file_id,
        count(h.size),
        or_dash(h.file_type.as_deref())
    ))]);
    if h.extension_mismatch {
        file.push(vec![b("the name's extension does not match the content")]);
    }
    if let Some(md) = &h.metadata {
        file.extend(metadata_lines(md));
    }
    let time = |label: &str, v: Option<&str>| vec![m(format!("{label} ")), c(or_dash(v))];
    let times = vec![
        time("modified", h.mtime_utc.as_deref()),
        time("accessed", h.atime_utc.as_deref()),
        time("changed", h.ctime_utc.as_deref()),
        time("born", h.btime_utc.as_deref()),
    ];
    let digest = |label: &str, v: Option<&str>| vec![m(format!("{label} ")), c(or_dash(v))];
    let mut pdq = digest("PDQ", h.pdq.as_deref());
    if let Some(q) = h.pdq_quality {
        pdq.push(m(format!(" quality {q}")));
    }
    let digests = vec![digest("MD5", h.md5.as_deref()), digest("SHA-1", h.sha1.as_deref()), digest("SHA-256", h.sha256.as_deref()), pdq];
    let mut matched = vec![
        vec![b(h.method.clone())],
        line(match (&h.video, h.distance) {
            (Some(v), _) if v.query_match_percent.is_some() => format!(
                "{:.1}% of this video's unique frames match the known video, {:.1}% of the known video's match this one; {} frame(s) matched",
                v.query_match_percent.unwrap_or_default(),
                v.known_match_percent.unwrap_or_default(),
                v.matched_frames.unwrap_or_default()
            ),
            (Some(v), d) if v.frame_timestamp.is_some() => format!(
                "frame at {:.3} s{}{}{}",
                v.frame_timestamp.unwrap_or_default(),
                v.frame_number.map(|n| format!(" (frame {n})")).unwrap_or_default(),
                d.map(|d| format!(", distance {d}")).unwrap_or_default(),
                h.frames
                    .as_ref()
                    .map(|f| format!("; {} frame(s) matched, from {:.3} s to {:.3} s", f.frames, f.first_timestamp, f.last_timestamp))
                    .unwrap_or_default()
            ),
            (_, Some(d)) => format!("distance {d}"),
            (_, None) => "exact".into(),
        }),
    ];
    if let Some(v) = &h.variant {
        let words = spoor_pdq::Dihedral::from_name(v).map(|d| format!(" ({})", d.describe())).unwrap_or_default();
        matched.push(vec![m("variant "), c(v.clone()), m(words)]);
    }
    matched.extend([
        line(format!("{}{}", h.hashset, h.hashset_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default())),
        vec![m(h.hashset_kind.clone())],
    ]);
    if h.known_good {
        matched.push(vec![b("also listed as known-good")]);
    }
    let category = vec![
        line(category_label(h.category.as_deref(), h.category_name.as_deref())),
        vec![m(category::profile_label(h.profile.as_deref()))],
    ];
    let review = match &h.review {
        None => vec![vec![m("not reviewed")]],
        Some(rv) => {
            let mut l = vec![line(match rv.category.as_deref() {
                Some(_) => category_label(rv.category.as_deref(), rv.category_name.as_deref()),
                None => "no category (note only)".into(),
            })];
            if !rv.note.is_empty() {
                l.push(line(format!("“{}”", rv.note)));
            }
            l.push(vec![m(format!("{}, {}", rv.examiner, rv.time_utc))]);
            l
        }
    };
    vec![file, times, digests, matched, category, review]
}

/// What a file's metadata says, in a few short lines: camera, capture
/// time, position, verdict.
fn metadata_lines(md: &HitMetadata) -> Vec<Line> {
    let mut out = Vec::new();
    match md.state.as_str() {
        "absent" => out.push(vec![m("metadata: none in the file")]),
        "damaged" => out.push(vec![m("metadata: damaged, unreadable (see the warnings)")]),
        _ => {
            let camera = match (&md.make, &md.model) {
                (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => Some(model.clone()),
                (Some(make), Some(model)) => Some(format!("{make} {model}")),
                (Some(v), None) | (None, Some(v)) => Some(v.clone()),
                (None, None) => None,
            };
            if let Some(camera) = camera {
                let serial = md.serial.as_deref().map(|s| format!(", serial {s}")).unwrap_or_default();
                out.push(vec![m("camera "), t(format!("{camera}{serial}"))]);
            }
            if let Some(sw) = &md.software {
                out.push(vec![m("software "), t(sw.clone())]);
            }
            match (&md.capture_utc, &md.capture_local) {
                (Some(utc), _) => out.push(vec![m("taken "), c(utc.clone())]),
                (None, Some(local)) => out.push(vec![m("taken "), c(local.clone()), m(" (camera clock, zone unknown)")]),
                _ => {}
            }
            if let (Some(lat), Some(lon)) = (md.gps_latitude, md.gps_longitude) {
                let alt = md.gps_altitude.map(|a| format!(", {a:.1} m")).unwrap_or_default();
                out.push(vec![m("GPS "), c(format!("{lat:.6}, {lon:.6}{alt}"))]);
            }
        }
    }
    if md.camera_original {
        out.push(vec![b("camera original")]);
    }
    out
}

fn triage(r: &Report, out: &mut Vec<Block>) {
    let tr = &r.triage;
    out.push(Block::Heading { level: 1, id: "triage".into(), text: "7. Triage: new material".into() });
    out.push(Block::Para(line(format!(
        "Unknown material is what matched no alert set and was not set aside as known-good. Camera originals are pictures and videos whose metadata says a camera or phone wrote them (not an editor, a messenger's re-encode or a download). Series group unknown pictures, and videos through their sampled frames, by PDQ similarity (distance at most {}, quality at least {}); near-known pictures and videos lie within PDQ distance {} to {} of known material (the case's hits and the library sets named below); a picture is compared through all eight rotations and mirror images of its fingerprint, and the one that came nearest is named (a picture scanned before case format 4, and a video's frames, only as stored and mirrored in the main diagonal, the two the fingerprint alone gives). The score orders the evidence items for review; each point is explained. Captures count as recent within {} days before the seizure date, else the acquisition date, else the scan date.",
        tr.settings.cluster.max_distance,
        tr.settings.cluster.min_quality,
        tr.settings.near_known.min_distance,
        tr.settings.near_known.max_distance,
        tr.settings.priority.recent_days
    ))));
    out.push(Block::Fields(vec![
        ("Unknown files".into(), vec![line(count(tr.unknown_files))]),
        ("Unknown pictures and videos".into(), vec![line(count(tr.unknown_media))]),
        ("Unknown videos with frames".into(), vec![line(count(tr.unknown_videos))]),
        ("Unknown camera originals".into(), vec![line(count(tr.camera_originals))]),
        ("Series of near-duplicates".into(), vec![line(count(tr.series))]),
        ("Near-known pictures and videos".into(), vec![line(count(tr.near_known))]),
        (
            "Known material compared with".into(),
            if tr.known_sets.is_empty() {
                vec![line("the case's hits; no library set")]
            } else {
                std::iter::once(line("the case's hits, and:"))
                    .chain(tr.known_sets.iter().map(|k| {
                        let what = if k.fingerprint == "vpdq" {
                            format!("{} frame(s) of {} known video(s)", count(k.fingerprints), count(k.videos))
                        } else {
                            format!("{} PDQ hash(es)", count(k.fingerprints))
                        };
                        vec![b(k.name.clone()), t(format!(" version {}, {what}, id ", k.version.as_deref().unwrap_or("none"))), c(k.id.clone())]
                    }))
                    .chain(tr.library_notes.iter().map(|n| vec![m(n.clone())]))
                    .collect()
            },
        ),
    ]));
    out.push(Block::Table(Table {
        columns: vec![
            ("Rank".into(), 0.5),
            ("Evidence item".into(), 1.2),
            ("Score".into(), 0.6),
            ("Reasons".into(), 4.2),
            ("New material".into(), 1.8),
        ],
        rows: tr
            .evidence
            .iter()
            .map(|e| {
                let mut reasons: Vec<Line> = e.reasons.iter().map(|x| vec![b(format!("+{} ", x.points)), t(x.text.clone())]).collect();
                if reasons.is_empty() {
                    reasons.push(vec![m("nothing scored")]);
                }
                reasons.extend(e.notes.iter().map(|n| vec![m(n.clone())]));
                let reference = match &e.reference {
                    Some(rf) => {
                        let source = serde_json::to_value(rf.source).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                        vec![m(format!("{source} date ")), c(rf.utc.clone())]
                    }
                    None => vec![m("no reference date")],
                };
                vec![
                    cell(e.rank.to_string()),
                    cell(&e.evidence_id),
                    vec![vec![b(e.score.to_string())]],
                    reasons,
                    vec![
                        line(format!("{} unknown file(s), {} picture(s)", count(e.unknown_files), count(e.unknown_pictures))),
                        line(format!("{} camera original(s)", count(e.camera_originals))),
                        line(format!("{} series, {} near-known", count(e.series), count(e.near_known))),
                        line(format!("{} with GPS", count(e.gps))),
                        reference,
                    ],
                ]
            })
            .collect(),
        empty: "No evidence item has been scanned.".into(),
    }));
    if !tr.near_known_list.is_empty() {
        out.push(Block::Table(Table {
            columns: vec![
                ("Distance".into(), 0.7),
                ("Evidence item".into(), 1.0),
                ("Unknown file".into(), 2.9),
                ("Near known material".into(), 3.7),
            ],
            rows: tr
                .near_known_list
                .iter()
                .map(|n| {
                    let mut unknown = vec![vec![c(n.unknown_path.clone())]];
                    if let Some(f) = &n.unknown_frame {
                        unknown.push(line(format!("frame at {:.1} s", f.timestamp)));
                    }
                    // The unknown picture, so turned or mirrored, looks
                    // like the known one.
                    if n.variant != "original" {
                        unknown.push(line(format!("{} ({})", n.variant_words, n.variant)));
                    }
                    let known = match (&n.known.path, &n.known.label) {
                        (Some(p), _) => vec![vec![t("case file "), c(p.clone())]],
                        (None, Some(l)) => vec![line(l.clone())],
                        _ => vec![line("known material")],
                    };
                    vec![cell(n.distance.to_string()), cell(&n.evidence_id), unknown, known]
                })
                .collect(),
            empty: String::new(),
        }));
    }
    out.push(Block::Para(vec![
        t("The unknown files themselves are listed by "),
        c("spoor triage CASE"),
        t(" (every field with "),
        c("--json"),
        t("); selected unknown material is exported for victim identification with "),
        c("spoor triage export"),
        t("."),
    ]));
}

fn hits(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Orientation { landscape: true });
    out.push(Block::Heading { level: 1, id: "hits".into(), text: "6. Hits".into() });
    out.push(Block::Para(line(format!(
        "{} hit(s), ordered by evidence item and path. A path is shown readable, with any byte that is not valid UTF-8 written as \\xNN; the line below it gives the exact bytes in hexadecimal. Times are UTC.",
        count(r.hits.len() as u64)
    ))));
    out.push(Block::Table(Table {
        columns: vec![
            ("File".into(), 175.0),
            ("Times (UTC)".into(), 160.0),
            ("Digests (MD5, SHA-1, SHA-256, PDQ)".into(), 200.0),
            ("Match".into(), 78.0),
            ("Category (hash set)".into(), 72.0),
            ("Examiner review".into(), 73.0),
        ],
        rows: r.hits.iter().map(hit_row).collect(),
        empty: "No hit matches the filters.".into(),
    }));
    out.push(Block::Orientation { landscape: false });
    if r.thumbnails_requested {
        pictures(r, out);
    }
}

fn pictures(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 2, id: "pictures".into(), text: "6a. Pictures of the files with hits".into() });
    out.push(Block::Para(line(
        "One thumbnail per file, in the order of the hits table, blurred and grey until revealed. A picture was read from the evidence when this report was made, checked against the SHA-256 the scan recorded, turned upright by its EXIF orientation and shrunk; a video is shown by the contact sheet of evenly spaced frames that the scan stored in the case. Where there is none, the reason is given.",
    )));
    out.push(Block::Pictures(
        r.pictures
            .iter()
            .map(|p| {
                let mut caption = vec![vec![b(format!("file {}", p.file_id)), m(format!(" · {}", p.evidence_id))], line(p.path.clone())];
                if let Some(reason) = &p.unavailable {
                    caption.push(vec![m(format!("No thumbnail: {reason}."))]);
                }
                PictureCell { caption, thumbnail: p.thumbnail.clone() }
            })
            .collect(),
    ));
}

fn warnings(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "warnings".into(), text: "Appendix A. Warnings".into() });
    out.push(Block::Para(line(format!(
        "{} warning(s): what the latest scan of each evidence item could not do, where, and why. A warning is evidence too: a file that could not be read was not matched.",
        count(r.warnings.len() as u64)
    ))));
    out.push(Block::Table(Table {
        columns: vec![("Evidence item".into(), 1.0), ("Path".into(), 2.8), ("Stage".into(), 0.8), ("Reason".into(), 2.8)],
        rows: r
            .warnings
            .iter()
            .map(|w| vec![cell(&w.evidence_id), cell(or_dash(Some(&w.path))), cell(&w.stage), cell(&w.reason)])
            .collect(),
        empty: "No warning was recorded.".into(),
    }));
}

fn audit(r: &Report, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "audit".into(), text: "Appendix B. Audit log".into() });
    out.push(Block::Para(line(
        "Every action on the case file, in order. Each entry's hash covers its content and the hash of the entry before it, so no entry can be changed, removed or reordered without breaking the chain.",
    )));
    out.push(Block::Table(Table {
        columns: vec![("#".into(), 0.5), ("Time (UTC)".into(), 1.7), ("Actor".into(), 1.3), ("Action".into(), 1.2), ("Entry hash".into(), 3.4)],
        rows: r
            .audit
            .iter()
            .map(|a| vec![cell(a.seq.to_string()), cell(&a.time_utc), cell(&a.actor), cell(&a.action), code_cell(a.entry_hash.clone())])
            .collect(),
        empty: "The audit log is empty.".into(),
    }));
}

fn how_to_verify(r: &Report, digest: &str, out: &mut Vec<Block>) {
    out.push(Block::Heading { level: 1, id: "verify".into(), text: "Appendix C. How to verify this report".into() });
    let mut steps = vec![
        vec![
            t("Compute the SHA-256 of this file and keep it with the file: "),
            c("sha256sum FILE"),
            t(" (Linux), "),
            c("shasum -a 256 FILE"),
            t(" (macOS) or "),
            c("certutil -hashfile FILE SHA256"),
            t(" (Windows)."),
        ],
        vec![
            t("With the case file: "),
            c("spoor verify-report CASE FILE"),
            t(" says whether this exact file is a report the case recorded, and when it was made (exit status 0 yes, 1 no)."),
        ],
        vec![
            c("spoor verify CASE"),
            t(format!(
                " checks the whole case file and prints its audit chain head. When this report was made the head was entry #{} with hash ",
                r.chain_head.seq
            )),
            c(r.chain_head.hash.clone()),
            t(". A later head must have a higher number (the log only grows), and the entry with this number must still have this hash."),
        ],
    ];
    let digests: Vec<String> =
        r.runs.iter().filter_map(|run| run.content_digest.as_ref().map(|d| format!("run {}: {d}", run.run_id))).collect();
    if !digests.is_empty() {
        let mut l = vec![t("spoor verify also recomputes each completed scan run's content digest; they must be: ")];
        for (i, d) in digests.iter().enumerate() {
            if i > 0 {
                l.push(t("; "));
            }
            l.push(c(d.clone()));
        }
        l.push(t("."));
        steps.push(l);
    }
    steps.push(vec![
        t("The report digest "),
        c(digest),
        t(", printed on every page, is the SHA-256 of this report's content. The case records it with the export, with the file's own SHA-256."),
    ]);
    out.push(Block::Bullets(steps));
}

/// An id usable in an HTML anchor: ASCII letters, digits and dashes.
pub fn slug(s: &str) -> String {
    s.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(7), "7");
        assert_eq!(count(1234), "1\u{2009}234");
        assert_eq!(count(1234567), "1\u{2009}234\u{2009}567");
    }

    #[test]
    fn category_labels_keep_zero_and_uncategorised_apart() {
        assert_eq!(category_label(None, None), "uncategorised");
        assert_eq!(category_label(Some("0"), Some("non-pertinent")), "0 — non-pertinent");
        assert_eq!(category_label(Some("0"), None), "0");
    }
}
