//! The report's data model: everything a report states, read from the case
//! once. Every format renders this model, and the report digest is the
//! SHA-256 of its canonical JSON, so an HTML and a PDF made from the same
//! model carry the same digest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spoor_case::exports::EvidenceTotals;
use spoor_case::verify::VerifyReport;
use spoor_case::{Case, CaseInfo, HashSetRecord, RunCounts, WarningView};

use crate::filter::Filters;
use crate::picture::{self, Picture};
use crate::{Error, Result, category};

/// Version of the report model (and so of the digest's input).
pub const REPORT_VERSION: u32 = 1;

/// The tool that writes the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
    pub commit: String,
}

impl Generator {
    /// `spoor 0.1.0 (abc123)`.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.name, self.version, self.commit)
    }
}

/// What to build a report from besides the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    pub filters: Filters,
    pub generator: Generator,
    /// The time the report states (UTC, ISO-8601 with `Z`).
    pub generated_utc: String,
    /// The examiner asked for thumbnails: each hit's file is read from the
    /// evidence, checked against its recorded SHA-256 and shrunk.
    pub thumbnails: bool,
}

/// The outcome of `spoor verify` at the time of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub intact: bool,
    pub audit_entries: u64,
    pub rows_checked: u64,
    /// The first problems found (at most 5).
    pub problems: Vec<String>,
}

/// The audit chain head: the last entry when the report was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// An acquisition hash with what Spoor could say about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquisitionLine {
    pub algorithm: String,
    pub value: String,
    /// `verified`, `mismatch` or `not verifiable`.
    pub status: String,
    pub explanation: String,
}

/// One evidence item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSection {
    pub evidence_id: String,
    pub description: String,
    pub source_path: String,
    pub added_utc: String,
    pub added_by: String,
    pub acquisition_hashes: Vec<AcquisitionLine>,
    pub totals: EvidenceTotals,
}

/// A tool build that ran scans of this case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolUse {
    pub name: String,
    pub version: String,
    pub commit: String,
    pub runs: Vec<i64>,
}

/// One scan run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSection {
    pub run_id: i64,
    pub state: String,
    pub started_utc: String,
    pub ended_utc: Option<String>,
    pub tool_name: String,
    pub tool_version: String,
    pub git_commit: String,
    pub host: String,
    pub evidence: Vec<String>,
    pub counts: RunCounts,
    pub content_digest: Option<String>,
    pub rows_digest: Option<String>,
    pub settings: serde_json::Value,
}

/// A hash set the case used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HashSetSection {
    #[serde(flatten)]
    pub set: HashSetRecord,
    pub profile_label: String,
    /// Hits this report shows from the set.
    pub hits_shown: u64,
}

/// A match method and its use in this case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodSection {
    /// `md5`, `sha1`, `sha256`, `pdq` or `vpdq`.
    pub method: String,
    /// `exact` or `perceptual`.
    pub kind: String,
    pub hits_shown: u64,
    pub hits_in_case: u64,
    /// The settings of the case's scan runs that concern the method (keys
    /// named after it, e.g. `pdq_max_distance`), per run that has any.
    pub thresholds: BTreeMap<i64, serde_json::Value>,
    /// Largest distance among the hits shown (perceptual methods).
    pub max_distance_shown: Option<u32>,
}

/// Counts for one evidence item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub evidence_id: String,
    pub files: u64,
    pub hashed: u64,
    pub known_good: u64,
    pub warnings: u64,
    pub hits_in_case: u64,
    pub hits_shown: u64,
    pub reviewed_shown: u64,
}

/// Hits of one category on one evidence item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub evidence_id: String,
    /// The hash set's raw category, `None` for uncategorised.
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub profile: Option<String>,
    pub hits: u64,
    pub reviewed: u64,
}

/// The examiner's review of a hit's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub profile: Option<String>,
    pub note: String,
    pub examiner: String,
    pub time_utc: String,
}

/// One hit as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportHit {
    pub file_id: i64,
    pub evidence_id: String,
    /// The path made readable (invalid bytes as `\xNN`).
    pub path: String,
    /// The exact path bytes, hex.
    pub path_hex: String,
    pub size: u64,
    pub file_type: Option<String>,
    pub extension_mismatch: bool,
    pub mtime_utc: Option<String>,
    pub atime_utc: Option<String>,
    pub ctime_utc: Option<String>,
    pub btime_utc: Option<String>,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub pdq: Option<String>,
    pub pdq_quality: Option<u32>,
    pub method: String,
    pub distance: Option<u32>,
    /// For a PDQ hit, the dihedral variant of the picture that matched
    /// (`original`, `rotate90`, ...).
    #[serde(default)]
    pub variant: Option<String>,
    pub hashset: String,
    pub hashset_version: Option<String>,
    pub hashset_kind: String,
    pub hashset_uid: String,
    pub profile: Option<String>,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub known_good: bool,
    pub review: Option<ReviewLine>,
    pub run_id: i64,
    /// A hit found through a video's frames: both vPDQ percentages and the
    /// matched frame count, or the frame that matched a picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<spoor_case::VideoMatch>,
    /// What the file's EXIF or container tags say (camera, capture time,
    /// GPS), when the scan read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<HitMetadata>,
}

/// The metadata of a hit's file, as the scan recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitMetadata {
    /// `present`, `absent` or `damaged`.
    pub state: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub software: Option<String>,
    pub capture_local: Option<String>,
    pub capture_offset: Option<String>,
    pub capture_utc: Option<String>,
    pub gps_latitude: Option<f64>,
    pub gps_longitude: Option<f64>,
    pub gps_altitude: Option<f64>,
    pub camera_original: bool,
    pub verdict_reasons: Vec<String>,
}

impl From<spoor_case::NewMetadata> for HitMetadata {
    fn from(m: spoor_case::NewMetadata) -> HitMetadata {
        HitMetadata {
            state: m.state,
            make: m.make,
            model: m.model,
            serial: m.serial,
            software: m.software,
            capture_local: m.capture_local,
            capture_offset: m.capture_offset,
            capture_utc: m.capture_utc,
            gps_latitude: m.gps_latitude,
            gps_longitude: m.gps_longitude,
            gps_altitude: m.gps_altitude,
            camera_original: m.camera_original,
            verdict_reasons: m.verdict_reasons,
        }
    }
}

/// The triage of the evidence items shown: priority with its reasons and
/// the counts of new material (computed with the default settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriageSection {
    pub settings: spoor_triage::TriageSettings,
    /// Highest priority first (ranks are over the whole case).
    pub evidence: Vec<spoor_triage::case::EvidenceTriage>,
    /// Unknown files of any type (no alert hit, not known-good).
    pub unknown_files: u64,
    /// Unknown pictures and videos.
    pub unknown_media: u64,
    /// Unknown pictures with a PDQ fingerprint (what is clustered).
    pub unknown_pictures: u64,
    pub camera_originals: u64,
    pub series: u64,
    pub near_known: u64,
}

/// One audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub seq: i64,
    pub time_utc: String,
    pub actor: String,
    pub action: String,
    pub entry_hash: String,
}

/// Everything a report states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub report_version: u32,
    pub generated_utc: String,
    pub generator: Generator,
    pub filters: Filters,
    /// The filters as given on the command line (`none` without any).
    pub filters_command_line: String,
    pub thumbnails_requested: bool,
    pub case: CaseInfo,
    pub verification: Verification,
    pub chain_head: ChainHead,
    pub evidence: Vec<EvidenceSection>,
    pub tools: Vec<ToolUse>,
    pub runs: Vec<RunSection>,
    pub hashsets: Vec<HashSetSection>,
    pub methods: Vec<MethodSection>,
    pub summary: Vec<SummaryRow>,
    pub categories: Vec<CategoryRow>,
    pub hits: Vec<ReportHit>,
    pub hits_in_case: u64,
    pub warnings: Vec<WarningView>,
    pub audit: Vec<AuditLine>,
    /// Priority per evidence item and the counts of new material.
    pub triage: TriageSection,
    /// Thumbnails of the hits' files (`--thumbnails`), in hit order, one per
    /// file. Absent from the canonical JSON when none were asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pictures: Vec<Picture>,
}

/// One thumbnail (or the reason there is none) per file among the hits.
/// One thumbnail (or the reason there is none) per file among the hits: a
/// video's contact sheet as the case holds it (sealed with the scan), a
/// picture read from the evidence.
fn pictures(case: &Case, items: &[spoor_case::EvidenceItem], hits: &[ReportHit], progress: &crate::ExportProgress) -> Result<Vec<Picture>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    progress.pictures_total.store(hits.iter().map(|h| h.file_id).collect::<std::collections::HashSet<_>>().len() as u64, std::sync::atomic::Ordering::Relaxed);
    for h in hits.iter().filter(|h| seen.insert(h.file_id)) {
        progress.pictures_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let made = match case.contact_sheet(h.file_id)? {
            Some(sheet) => picture::from_bytes(&sheet.image, picture::SHEET_SIDE)
                .map_err(|e| format!("the video's contact sheet in the case cannot be shown ({e})")),
            None => match (items.iter().find(|e| e.evidence_id == h.evidence_id), hex::decode(&h.path_hex)) {
                (Some(item), Ok(relative)) => {
                    picture::thumbnail(&picture::location(&item.source_path, &relative), h.sha256.as_deref(), picture::SIDE)
                }
                _ => Err("the case does not say where this file is".to_string()),
            },
        };
        let (thumbnail, unavailable) = match made {
            Ok(t) => (Some(t), None),
            Err(reason) => (None, Some(reason)),
        };
        out.push(Picture { file_id: h.file_id, evidence_id: h.evidence_id.clone(), path: h.path.clone(), thumbnail, unavailable });
    }
    Ok(out)
}

impl Report {
    /// Reads the case and applies the filters. `verification` is the
    /// outcome of [`spoor_case::verify::verify`] on the same case.
    pub fn build(case: &Case, verification: &VerifyReport, opts: &BuildOptions) -> Result<Report> {
        Report::build_with_progress(case, verification, opts, &crate::ExportProgress::default())
    }

    /// [`Report::build`], counting the case's hits into `progress` as they
    /// are read into the report, and each thumbnail made.
    pub fn build_with_progress(
        case: &Case,
        verification: &VerifyReport,
        opts: &BuildOptions,
        progress: &crate::ExportProgress,
    ) -> Result<Report> {
        use std::sync::atomic::Ordering;
        let filters = &opts.filters;
        filters.validate()?;
        let items = case.evidence()?;
        for id in &filters.evidence {
            if !items.iter().any(|e| &e.evidence_id == id) {
                let known: Vec<&str> = items.iter().map(|e| e.evidence_id.as_str()).collect();
                return Err(Error::Filter(format!("no evidence item {id:?} in this case (it has: {})", known.join(", "))));
            }
        }
        let totals = case.evidence_totals()?;
        let details = case.hit_details()?;
        let hits_in_case = details.len() as u64;
        progress.hits_total.store(hits_in_case, Ordering::Relaxed);
        let all_methods: Vec<String> = details.iter().map(|d| d.hit.method.clone()).collect();
        let metadata = case.latest_metadata()?;

        let mut hits = Vec::new();
        for d in details {
            progress.hits_done.fetch_add(1, Ordering::Relaxed);
            let h = d.hit;
            let review = h.review.map(|r| ReviewLine {
                category_name: r.category.as_deref().and_then(|c| category::name(r.profile.as_deref(), c)).map(String::from),
                category: r.category,
                profile: r.profile,
                note: r.note,
                examiner: r.examiner,
                time_utc: r.time_utc,
            });
            let keep = filters.wants_evidence(&h.evidence_id)
                && filters.wants_method(&h.method)
                && filters.wants_category(h.category.as_deref(), review.as_ref().and_then(|r| r.category.as_deref()))
                && (!filters.reviewed_only || review.is_some());
            if !keep {
                continue;
            }
            // The name the importer gave under the mapping in force (kept in
            // the matched record) wins over the built-in table.
            let recorded_name = h.record.get("category_name").and_then(|v| v.as_str()).map(String::from);
            let category_name = recorded_name.or_else(|| {
                h.category.as_deref().and_then(|c| category::name(d.hashset_profile.as_deref(), c)).map(String::from)
            });
            hits.push(ReportHit {
                file_id: h.file_id,
                evidence_id: h.evidence_id,
                path: h.path,
                path_hex: h.path_hex,
                size: h.size,
                file_type: h.file_type,
                extension_mismatch: h.extension_mismatch,
                mtime_utc: h.mtime_utc,
                atime_utc: d.atime_utc,
                ctime_utc: d.ctime_utc,
                btime_utc: d.btime_utc,
                md5: h.md5,
                sha1: h.sha1,
                sha256: h.sha256,
                pdq: h.pdq,
                pdq_quality: h.pdq_quality,
                method: h.method,
                distance: h.distance,
                variant: h.variant,
                hashset: h.hashset,
                hashset_version: h.hashset_version,
                hashset_kind: h.hashset_kind,
                hashset_uid: d.hashset_uid,
                profile: d.hashset_profile,
                category: h.category,
                category_name,
                known_good: h.known_good,
                review,
                run_id: h.run_id,
                video: h.video,
                metadata: metadata.get(&h.file_id).cloned().map(HitMetadata::from),
            });
        }

        let evidence = items
            .iter()
            .filter(|e| filters.wants_evidence(&e.evidence_id))
            .map(|e| EvidenceSection {
                evidence_id: e.evidence_id.clone(),
                description: e.description.clone(),
                source_path: e.source_path_display.clone(),
                added_utc: e.added_utc.clone(),
                added_by: e.added_by.clone(),
                acquisition_hashes: e.acquisition_hashes.iter().map(acquisition_line).collect(),
                totals: totals.iter().find(|t| t.evidence_id == e.evidence_id).cloned().unwrap_or_default(),
            })
            .collect::<Vec<_>>();

        let runs: Vec<RunSection> = case
            .runs()?
            .into_iter()
            .map(|r| RunSection {
                evidence: r
                    .settings
                    .get("evidence")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default(),
                run_id: r.run_id,
                state: r.state,
                started_utc: r.started_utc,
                ended_utc: r.ended_utc,
                tool_name: r.tool_name,
                tool_version: r.tool_version,
                git_commit: r.git_commit,
                host: r.host,
                counts: r.counts,
                content_digest: r.content_digest,
                rows_digest: r.rows_digest,
                settings: r.settings,
            })
            .collect();
        let mut tools: Vec<ToolUse> = Vec::new();
        for r in &runs {
            match tools.iter_mut().find(|t| t.name == r.tool_name && t.version == r.tool_version && t.commit == r.git_commit) {
                Some(t) => t.runs.push(r.run_id),
                None => tools.push(ToolUse {
                    name: r.tool_name.clone(),
                    version: r.tool_version.clone(),
                    commit: r.git_commit.clone(),
                    runs: vec![r.run_id],
                }),
            }
        }

        let hashsets = case
            .hashsets()?
            .into_iter()
            .map(|s| HashSetSection {
                profile_label: category::profile_label(s.profile.as_deref()),
                hits_shown: hits.iter().filter(|h| h.hashset_uid == s.set_uid).count() as u64,
                set: s,
            })
            .collect();

        let methods = crate::filter::METHODS
            .iter()
            .map(|m| {
                let shown: Vec<&ReportHit> = hits.iter().filter(|h| h.method == *m).collect();
                MethodSection {
                    method: (*m).to_string(),
                    kind: if m.contains("pdq") { "perceptual" } else { "exact" }.into(),
                    hits_shown: shown.len() as u64,
                    hits_in_case: all_methods.iter().filter(|x| x == m).count() as u64,
                    thresholds: runs.iter().filter_map(|r| method_settings(&r.settings, m).map(|v| (r.run_id, v))).collect(),
                    max_distance_shown: shown.iter().filter_map(|h| h.distance).max(),
                }
            })
            .collect();

        let summary = evidence
            .iter()
            .map(|e| {
                let shown: Vec<&ReportHit> = hits.iter().filter(|h| h.evidence_id == e.evidence_id).collect();
                SummaryRow {
                    evidence_id: e.evidence_id.clone(),
                    files: e.totals.files,
                    hashed: e.totals.hashed,
                    known_good: e.totals.known_good,
                    warnings: e.totals.warnings,
                    hits_in_case: e.totals.hits,
                    hits_shown: shown.len() as u64,
                    reviewed_shown: shown.iter().filter(|h| h.review.is_some()).count() as u64,
                }
            })
            .collect();

        let mut categories: Vec<CategoryRow> = Vec::new();
        for h in &hits {
            match categories
                .iter_mut()
                .find(|c| c.evidence_id == h.evidence_id && c.category == h.category && c.profile == h.profile)
            {
                Some(c) => {
                    c.hits += 1;
                    c.reviewed += u64::from(h.review.is_some());
                }
                None => categories.push(CategoryRow {
                    evidence_id: h.evidence_id.clone(),
                    category: h.category.clone(),
                    category_name: h.category_name.clone(),
                    profile: h.profile.clone(),
                    hits: 1,
                    reviewed: u64::from(h.review.is_some()),
                }),
            }
        }
        let order: Vec<&str> = evidence.iter().map(|e| e.evidence_id.as_str()).collect();
        categories.sort_by(|a, b| {
            let pos = |id: &str| order.iter().position(|o| *o == id).unwrap_or(usize::MAX);
            (pos(&a.evidence_id), a.category.is_none(), &a.category, &a.profile).cmp(&(
                pos(&b.evidence_id),
                b.category.is_none(),
                &b.category,
                &b.profile,
            ))
        });

        let warnings = case.warnings()?.into_iter().filter(|w| filters.wants_evidence(&w.evidence_id)).collect();
        let audit: Vec<AuditLine> = case
            .audit_log()?
            .into_iter()
            .map(|e| AuditLine { seq: e.seq, time_utc: e.time_utc, actor: e.actor, action: e.action, entry_hash: e.entry_hash })
            .collect();
        let triage = triage_section(case, filters)?;
        let (seq, hash) = case.chain_head()?;
        progress.set_stage(crate::ExportStage::Pictures);
        let pictures = if opts.thumbnails { pictures(case, &items, &hits, progress)? } else { Vec::new() };

        Ok(Report {
            report_version: REPORT_VERSION,
            generated_utc: opts.generated_utc.clone(),
            generator: opts.generator.clone(),
            filters_command_line: filters.command_line(),
            filters: filters.clone(),
            thumbnails_requested: opts.thumbnails,
            case: case.info()?,
            verification: Verification {
                intact: verification.intact,
                audit_entries: verification.audit_entries,
                rows_checked: verification.rows.values().sum(),
                problems: verification.problems.iter().take(5).map(|p| p.to_string()).collect(),
            },
            chain_head: ChainHead { seq, hash },
            evidence,
            tools,
            runs,
            hashsets,
            methods,
            summary,
            categories,
            hits,
            hits_in_case,
            warnings,
            audit,
            triage,
            pictures,
        })
    }

    /// The report digest: SHA-256 over the model's canonical JSON (fields
    /// in declared order, compact). Independent of the output format.
    pub fn digest(&self) -> Result<String> {
        let json = serde_json::to_vec(self)?;
        Ok(hex::encode(Sha256::digest(&json)))
    }

    /// The method section of a method.
    pub fn method(&self, method: &str) -> Option<&MethodSection> {
        self.methods.iter().find(|m| m.method == method)
    }
}

/// The triage of the case, restricted to the evidence items shown.
fn triage_section(case: &Case, filters: &Filters) -> Result<TriageSection> {
    let settings = spoor_triage::TriageSettings::default();
    let t = spoor_triage::case::triage_case(case, &settings, &[]).map_err(|e| match e {
        spoor_triage::Error::Case(c) => Error::Case(c),
        spoor_triage::Error::Json(j) => Error::Json(j),
        spoor_triage::Error::Invalid(m) => Error::Selection(m),
    })?;
    let wanted = |id: &str| filters.wants_evidence(id);
    Ok(TriageSection {
        settings,
        unknown_files: t.evidence.iter().filter(|e| wanted(&e.evidence_id)).map(|e| e.unknown_files).sum(),
        unknown_pictures: t.evidence.iter().filter(|e| wanted(&e.evidence_id)).map(|e| e.unknown_pictures).sum(),
        evidence: t.evidence.into_iter().filter(|e| wanted(&e.evidence_id)).collect(),
        unknown_media: t.unknown.iter().filter(|u| wanted(&u.evidence_id)).count() as u64,
        camera_originals: t.unknown.iter().filter(|u| wanted(&u.evidence_id) && u.camera_original).count() as u64,
        series: t.series.iter().filter(|s| s.evidence_ids.iter().any(|e| wanted(e))).count() as u64,
        near_known: t.near_known.iter().filter(|n| wanted(&n.evidence_id)).count() as u64,
    })
}

fn acquisition_line(h: &spoor_case::AcquisitionHash) -> AcquisitionLine {
    let (status, explanation) = match h.verified {
        Some(true) => ("verified", "Spoor computed this hash over the acquired image and it matches."),
        Some(false) => ("mismatch", "Spoor computed this hash over the acquired image and it does NOT match the value supplied."),
        None => (
            "not verifiable",
            "As supplied by the examiner. Spoor read a mounted folder, not the acquired image, so it cannot check this hash.",
        ),
    };
    AcquisitionLine { algorithm: h.algorithm.clone(), value: h.value.clone(), status: status.into(), explanation: explanation.into() }
}

/// The run settings whose names start with the method's (`pdq_max_distance`,
/// or a `pdq` object), if any.
fn method_settings(settings: &serde_json::Value, method: &str) -> Option<serde_json::Value> {
    let obj = settings.as_object()?;
    let prefix = format!("{method}_");
    let picked: serde_json::Map<String, serde_json::Value> =
        obj.iter().filter(|(k, _)| *k == method || k.starts_with(&prefix)).map(|(k, v)| (k.clone(), v.clone())).collect();
    (!picked.is_empty()).then_some(serde_json::Value::Object(picked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_settings_pick_only_the_methods_keys() {
        let s = serde_json::json!({ "jobs": 2, "pdq_max_distance": 31, "pdq_min_quality": 50, "vpdq_query_match_percent": 80, "picture_max_pixels": 1 });
        assert_eq!(method_settings(&s, "pdq"), Some(serde_json::json!({ "pdq_max_distance": 31, "pdq_min_quality": 50 })));
        assert_eq!(method_settings(&s, "vpdq"), Some(serde_json::json!({ "vpdq_query_match_percent": 80 })));
        assert_eq!(method_settings(&s, "md5"), None);
    }

    #[test]
    fn a_mounted_folder_hash_is_said_to_be_unverifiable() {
        let h: spoor_case::AcquisitionHash = format!("sha256:{}", "ab".repeat(32)).parse().expect("parse");
        let line = acquisition_line(&h);
        assert_eq!(line.status, "not verifiable");
        assert!(line.explanation.contains("mounted folder"));
    }
}
