// Generated from the Rust types by src-tauri/src/bindings.rs (ts-rs). Do not edit.
// Regenerate: SPOOR_UPDATE_BINDINGS=1 cargo test -p spoor-app bindings

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type ErrorCode = "internal" | "invalid_argument" | "not_found" | "permission_denied" | "io" | "busy" | "already_exists" | "not_intact" | "unsupported_format" | "undecodable";

export type AppError = { 
/**
 * Stable code the UI switches on.
 */
code: ErrorCode, 
/**
 * Human-readable detail for display and logs; never parsed.
 */
message: string, };

export type AppInfo = { 
/**
 * Product name.
 */
name: string, 
/**
 * Version of this build, from the workspace version.
 */
version: string, git_commit: string, 
/**
 * The newest case-file format the engine reads and writes.
 */
case_format: number, 
/**
 * The hash-set library layout the engine reads and writes.
 */
library_layout: number, };

export type RecentCase = { path: string, case_number: string, title: string, opened_utc: string, };

export type CaseOverview = { path: string, case: CaseInfo, evidence: Array<EvidenceItem>, 
/**
 * Per evidence item, from the latest run that scanned it: files,
 * bytes, known-good set aside, hits, warnings.
 */
totals: Array<EvidenceTotals>, hashsets: Array<HashSetRecord>, runs: Array<RunInfo>, by_category: Array<CategoryCount>, exports: Array<ExportRecord>, 
/**
 * The run a scan would resume, if one is unfinished.
 */
resumable_run: number | null, review_scheme: ReviewScheme, };

export type AddEvidence = { evidence_id: string, folder: string, description: string, 
/**
 * `ALGORITHM:HEX` of the acquired image, as supplied.
 */
acquisition_hashes: Array<string>, };

export type LibraryView = { root: string, sets: Array<SetInfo>, };

export type ImportRequest = { file: string, name: string, version: string | null, 
/**
 * `None`: ignore for NSRL, otherwise the examiner must choose.
 */
kind: SetKind | null, 
/**
 * `None`: detected from the content.
 */
format: Format | null, };

export type WorkProgress = { 
/**
 * Import: `detecting`, `importing`, `done`. Export: `verifying`,
 * `reading`, `pictures`, `rendering`, `recording`, `done`.
 */
stage: string, detail: string | null, elapsed_secs: number, 
/**
 * What `done` and `total` count: `bytes` (import) or `hits` (export).
 */
unit: string | null, done: number, 
/**
 * `None` while unknown (a folder of vPDQ files has no one size).
 */
total: number | null, 
/**
 * Records parsed so far (import).
 */
records: number | null, 
/**
 * `unit`s per second so far.
 */
rate_per_sec: number, 
/**
 * Seconds left at that rate, when it can be estimated.
 */
eta_secs: number | null, };

export type ImportResult = { info: SetInfo, report: ImportReport, };

export type ScanRequest = { 
/**
 * Hash sets to use (library ids); empty = every set in the library.
 */
hashsets: Array<string>, 
/**
 * Scan evidence a completed run covered again.
 */
rescan: boolean, 
/**
 * Worker threads; `None` = all cores.
 */
jobs: number | null, };

export type ThumbnailData = { data_url: string, width: number, height: number, };

export type ExportReportRequest = { format: ReportFormat, filters: Filters, output: string, 
/**
 * Who exports; `None` for the case's examiner.
 */
examiner: string | null, };

export type VictimIdExportRequest = { selection: Selection, 
/**
 * The settings the triage screen showed (series ids depend on them);
 * `None` for the engine's defaults.
 */
settings: TriageSettings | null, output: string, 
/**
 * Who exports; `None` for the case's examiner.
 */
examiner: string | null, };

export type LedgerFailure = { 
/**
 * Increases by one per failure this process noted (from 1).
 */
id: number, 
/**
 * When the shell took the failure from the engine.
 */
time_utc: string, 
/**
 * The ledger file that could not be written.
 */
ledger: string, 
/**
 * The operating system's error.
 */
error: string, 
/**
 * The case whose chain head is missing from the ledger.
 */
case_path: string, 
/**
 * How many writes' heads (each write to a case is one).
 */
heads: number, 
/**
 * The whole warning as one sentence (as the CLI prints it).
 */
message: string, };

export type LedgerStatus = { 
/**
 * The ledger file (`spoor_case::anchors::default_ledger`); `None` when
 * `SPOOR_ANCHORS` is set empty: no heads are recorded at all.
 */
ledger: string | null, 
/**
 * Whether `SPOOR_ANCHORS` chose it (else the per-user default).
 */
from_env: boolean, 
/**
 * Oldest first.
 */
failures: Array<LedgerFailure>, 
/**
 * Failures no longer kept (more than 100 undismissed).
 */
dropped: number, };

export type NewCase = { case_number: string, title: string, agency: string, examiner: string, 
/**
 * IANA name of the examiner's time zone, for display; the case stores
 * UTC throughout.
 */
time_zone: string, };

export type CaseInfo = { case_number: string, title: string, agency: string, examiner: string, time_zone: string, created_utc: string, format_version: number, };

export type AcquisitionHash = { algorithm: string, value: string, 
/**
 * Whether Spoor could check it: a mounted folder cannot be, so it is
 * recorded as supplied.
 */
verified: boolean | null, };

export type EvidenceItem = { evidence_id: string, description: string, source_path: string, acquisition_hashes: Array<AcquisitionHash>, added_utc: string, added_by: string, };

export type HashSetRecord = { 
/**
 * The library's stable id for this import.
 */
set_uid: string, name: string, version: string | null, kind: string, format: string, 
/**
 * The category scheme of the set (VICS US, CAID, custom), when it has one.
 */
profile: string | null, 
/**
 * The importer that built the library's tables (crate and version).
 */
importer_version: string, source_name: string, source_sha256: string, record_count: number, digest_counts: JsonValue, imported_utc: string, };

export type RunCounts = { files: number, bytes: number, hits: number, known_good: number, warnings: number, };

export type RunInfo = { run_id: number, started_utc: string, tool_name: string, tool_version: string, git_commit: string, host: string, settings: JsonValue, 
/**
 * started, resumed, cancelled, failed or completed.
 */
state: string, ended_utc: string | null, counts: RunCounts, content_digest: string | null, rows_digest: string | null, };

export type Review = { file_id: number, 
/**
 * The category the examiner assigned (raw value), or null to clear it.
 */
category: string | null, 
/**
 * The category scheme the value belongs to (e.g. `vics-us`, `caid`).
 */
profile: string | null, note: string, examiner: string, time_utc: string, };

export type WarningView = { evidence_id: string, path: string, path_hex: string, stage: string, reason: string, time_utc: string, run_id: number, };

export type TableSeal = { rows: number, 
/**
 * Sealed ids as inclusive ranges, ascending.
 */
ids: Array<[number, number]>, 
/**
 * SHA-256 over the big-endian id and the row hash of each sealed row,
 * in id order.
 */
digest: string, };

export type AuditEntry = { seq: number, time_utc: string, actor: string, action: string, details: JsonValue, seals: { [key in string]: TableSeal }, prev_hash: string, entry_hash: string, };

export type Problem = { 
/**
 * Where: a table name, `audit_log`, `schema` or `file`.
 */
table: string, 
/**
 * The row id (or audit sequence number), when one row is at fault.
 */
row: number | null, message: string, };

export type RunCheck = { run_id: number, state: string, content_digest: string | null, rows_digest: string | null, };

export type AnchorCheck = { 
/**
 * The ledger read (`None`: no ledger configured).
 */
ledger: string | null, 
/**
 * Whether that file exists.
 */
ledger_found: boolean, 
/**
 * Lines in the ledger (all cases).
 */
ledger_lines: number, 
/**
 * Heads the ledger holds for this case, and how many of them the case
 * holds as recorded.
 */
case_anchors: number, confirmed: number, 
/**
 * The latest head recorded for this case.
 */
latest_seq: number | null, latest_hash: string | null, latest_time_utc: string | null, 
/**
 * The head given to check (`SEQ:HASH`), and whether the case holds it.
 */
expected_head: string | null, expected_head_found: boolean | null, 
/**
 * What was not checked, and why (no ledger, no anchor for this case).
 */
notes: Array<string>, };

export type VerifyReport = { intact: boolean, case_number: string | null, format_version: number | null, audit_entries: number, 
/**
 * The last audit entry: sequence number and hash. Write it down; a later
 * verify that shows an earlier head means entries were cut off.
 */
head_seq: number, head_hash: string, 
/**
 * Rows checked per table.
 */
rows: { [key in string]: number }, runs: Array<RunCheck>, 
/**
 * Every mismatch, the first one first.
 */
problems: Array<Problem>, 
/**
 * The case's id in the anchor ledger.
 */
case_id: string | null, 
/**
 * What the heads recorded outside the case say.
 */
anchors: AnchorCheck, };

export type ExportRecord = { export_id: number, time_utc: string, format: string, filters: JsonValue, file_name: string, sha256: string, size: number, report_digest: string, chain_head_seq: number, chain_head_hash: string, tool_version: string, exported_by: string, 
/**
 * The audit entry that sealed the record.
 */
audit_seq: number | null, };

export type EvidenceTotals = { evidence_id: string, 
/**
 * The latest run that scanned the item, if any.
 */
run_id: number | null, 
/**
 * Entries recorded (files, folders, links, ...).
 */
files: number, 
/**
 * Regular files read and digested.
 */
hashed: number, bytes: number, 
/**
 * Files an ignore (known-good) set listed.
 */
known_good: number, hits: number, warnings: number, 
/**
 * Files read without `O_NOATIME` (the kernel refused it): reading them
 * may have updated their access time.
 */
read_without_noatime: number, 
/**
 * Pictures decoded and PDQ-fingerprinted.
 */
pictures: number, 
/**
 * Of those, pictures under the run's PDQ minimum quality
 * (`pdq_min_quality` in its settings): recorded, not matched. Zero for
 * runs from before PDQ matching.
 */
pictures_below_quality: number, };

export type HitSort = "path" | "size" | "method" | "distance" | "hashset" | "category" | "reviewed" | "modified";

export type HitQuery = { 
/**
 * Only these evidence items (ids); empty = all.
 */
evidence: Array<string>, 
/**
 * Only these categories (raw values, or `uncategorised`); the
 * examiner's reviewed category wins over the hash set's. Empty = all.
 */
category: Array<string>, 
/**
 * Only these match methods (md5, sha1, sha256, pdq, vpdq); empty = all.
 */
method: Array<string>, 
/**
 * Only these hash sets (library ids); empty = all.
 */
hashset: Array<string>, 
/**
 * Only hits at most this far (perceptual matches); exact matches
 * (distance 0 or none) always pass.
 */
max_distance: number | null, 
/**
 * `Some(true)`: only reviewed files; `Some(false)`: only unreviewed.
 */
reviewed: boolean | null, 
/**
 * Hide material that already has a category (from its hash set or a
 * review), so nobody looks at it twice.
 */
hide_categorised: boolean, sort: HitSort, descending: boolean, offset: number, 
/**
 * Rows wanted (at most [`MAX_PAGE`]).
 */
limit: number, 
/**
 * Do not count the matching hits (a further page of a list whose total
 * is known): about halves the time of a page.
 */
skip_total: boolean, };

export type HitRow = { hit_id: number, file_id: number, evidence_id: string, path: string, size: number, file_type: string | null, 
/**
 * `image`, `video`, ... (from the content signature).
 */
type_class: string | null, method: string, distance: number | null, hashset: string, hashset_uid: string, hashset_profile: string | null, 
/**
 * The hash set's raw category.
 */
category: string | null, 
/**
 * The examiner's latest review of the file, if any.
 */
review_category: string | null, reviewed: boolean, mtime_utc: string | null, };

export type HitPage = { 
/**
 * Hits matching the filters in all; `None` when `skip_total` was asked.
 */
total: number | null, offset: number, rows: Array<HitRow>, };

export type CategoryCount = { evidence_id: string, 
/**
 * The effective category (reviewed, else the set's); `None` = uncategorised.
 */
category: string | null, hits: number, 
/**
 * Distinct files with such hits.
 */
files: number, };

export type FileMatch = { hashset: string, hashset_version: string | null, hashset_uid: string, hashset_kind: string, hashset_profile: string | null, method: string, distance: number | null, category: string | null, 
/**
 * The matched record as the set holds it (series, flags, names...).
 */
record: JsonValue, 
/**
 * For a hit found through a video's frames: the vPDQ percentages and
 * matched frames, or the matching frame's number and time.
 */
video: VideoMatch | null, };

export type FileDetail = { file_id: number, run_id: number, evidence_id: string, path: string, path_hex: string, kind: string, size: number, mtime_utc: string | null, atime_utc: string | null, ctime_utc: string | null, btime_utc: string | null, inode: number, file_type: string | null, type_class: string | null, extension_mismatch: boolean, md5: string | null, sha1: string | null, sha256: string | null, known_good: boolean, picture_format: string | null, width: number | null, height: number | null, pdq: string | null, pdq_quality: number | null, status: string, matches: Array<FileMatch>, 
/**
 * Every review of the file, oldest first (the last is in force).
 */
reviews: Array<Review>, 
/**
 * What the picture's or video's metadata says, when the scan read it.
 */
metadata: MetadataFacts | null, 
/**
 * What the video stage found, for a video.
 */
video: VideoFacts | null, };

export type ReviewScheme = "vics-us" | "caid";

export type MetadataFacts = { 
/**
 * `present`, `absent` or `damaged`.
 */
state: string, 
/**
 * `exif` or `container`.
 */
origin: string | null, make: string | null, model: string | null, serial: string | null, 
/**
 * Lens make and model, as written.
 */
lens: string | null, lens_serial: string | null, software: string | null, capture_local: string | null, capture_offset: string | null, capture_utc: string | null, 
/**
 * Last changed (by the camera or an editor), as the clock showed it.
 */
modified: string | null, gps_latitude: number | null, gps_longitude: number | null, gps_altitude: number | null, 
/**
 * EXIF orientation, 1–8.
 */
orientation: number | null, camera_original: boolean, 
/**
 * Why the file is, or is not, a camera original.
 */
verdict_reasons: Array<string>, };

export type VideoFacts = { container: string, codec: string, width: number, height: number, duration_secs: number | null, frame_rate: number | null, frames_sampled: number, has_audio: boolean, creation_time: string | null, 
/**
 * The contact sheet's layout and tile times (its image through
 * [`Case::contact_sheet`]), when one was made.
 */
contact_sheet: SheetFacts | null, };

export type SheetFacts = { width: number, height: number, cols: number, rows: number, 
/**
 * The time of each tile, row by row, in seconds.
 */
tiles: Array<number>, sha256: string, };

export type VideoMatch = { 
/**
 * vPDQ: the share of the scanned video's unique frames that match the
 * known video, in percent.
 */
query_match_percent: number | null, 
/**
 * vPDQ: the share of the known video's unique frames that match.
 */
known_match_percent: number | null, 
/**
 * vPDQ: unique frames of the scanned video with a match.
 */
matched_frames: number | null, query_unique_frames: number | null, known_unique_frames: number | null, 
/**
 * A frame that matched a picture (method `pdq`): its number and time.
 */
frame_number: number | null, frame_timestamp: number | null, };

export type SetKind = "alert" | "ignore";

export type DigestKind = "md5" | "sha1" | "sha256";

export type Format = "md5sum" | "sha1sum" | "sha256sum" | "csv" | "vics" | "caid" | "nsrl-rds3" | "nsrl-rds2" | "hashkeeper" | "encase" | "tsk-idx" | "tsk-kdb" | "pdq" | "vpdq";

export type SetInfo = { 
/**
 * Stable folder name: slug of name and version plus 8 hex digits of the
 * source's SHA-256.
 */
id: string, 
/**
 * Name given at import.
 */
name: string, 
/**
 * Version given at import.
 */
version: string | null, 
/**
 * Alert or ignore.
 */
kind: SetKind, 
/**
 * Format the source was read as.
 */
format: Format, 
/**
 * File name of the imported source (lossy UTF-8).
 */
source_name: string, 
/**
 * Lower-case hex SHA-256 of the source file's bytes.
 */
source_sha256: string, 
/**
 * Records imported (after merging duplicates).
 */
record_count: number, 
/**
 * Entries per digest table; a kind with no entry is absent.
 */
digest_counts: { [key in DigestKind]?: number }, 
/**
 * Import time, UTC, ISO-8601 with `Z`, e.g. `2026-12-01T04:13:14Z`.
 */
imported_utc: string, 
/**
 * On-disk layout version ([`FORMAT_VERSION`]).
 */
format_version: number, 
/**
 * The category profile (`US`, `UK`, `CUSTOM`, `Default`) of a VICS or
 * CAID set; `None` for formats without one.
 */
profile: string | null, 
/**
 * The importer and the source variant it read, e.g.
 * `spoor-hashset 0.1.0 vics-2.0`. Empty in manifests written before
 * this field existed.
 */
importer_version: string, 
/**
 * Raw category → display name, as in force at import (see the crate
 * docs on profiles).
 */
categories?: { [key in string]: string }, 
/**
 * A title carried inside the source (the EnCase set name, the Sleuth
 * Kit index name, the NSRL version), if any.
 */
source_title?: string | null, 
/**
 * Source records folded into another record with the same digests.
 */
duplicates_merged: number, 
/**
 * Digests whose records gave different categories (see
 * `conflicts.jsonl`).
 */
conflict_count: number, 
/**
 * The perceptual fingerprints the set is matched by, when it is a
 * fingerprint set (PDQ) rather than a set of exact digests; absent for
 * digest sets.
 */
fingerprint?: FingerprintInfo | null, 
/**
 * Known videos with vPDQ frame lists (`vpdq.jsonl`).
 */
vpdq_videos?: number, };

export type FingerprintKind = "pdq";

export type FingerprintInfo = { 
/**
 * Which fingerprint.
 */
kind: FingerprintKind, 
/**
 * Fingerprints in the index (one per record).
 */
count: number, 
/**
 * Of those, how many are under the reference's matching quality (50):
 * kept, but not matched at the default minimum quality.
 */
low_quality: number, 
/**
 * The index file's layout version.
 */
index_version: number, };

export type Conflict = { 
/**
 * The strongest digest the records share, as `kind:hex`, e.g.
 * `md5:900150983cd24fb0d6963f7d28e17f72`.
 */
digest: string, 
/**
 * The distinct categories, in source order.
 */
categories: Array<string>, 
/**
 * Source lines of the records (at most 100).
 */
lines: Array<number>, };

export type ImportReport = { 
/**
 * Source records folded into another record with the same digests.
 */
duplicates_merged: number, 
/**
 * Category conflicts (the first [`MAX_REPORTED_CONFLICTS`]; all of
 * them are in the set's `conflicts.jsonl`).
 */
conflicts: Array<Conflict>, 
/**
 * How many conflicts there were in all.
 */
conflict_count: number, };

export type Stage = "walking" | "hashing" | "sealing";

export type Snapshot = { stage: Stage, stage_index: number, stage_count: number, files_done: number, files_total: number, bytes_done: number, bytes_total: number, hits: number, known_good: number, warnings: number, resumed_files: number, elapsed_secs: number, 
/**
 * Bytes per second over the hashing so far.
 */
bytes_per_sec: number, 
/**
 * Seconds left at the current rate, when it can be estimated.
 */
eta_secs: number | null, };

export type Summary = { run_id: number, 
/**
 * Whether this invocation resumed an unfinished run.
 */
resumed: boolean, evidence_ids: Array<string>, counts: RunCounts, content_digest: string | null, elapsed_secs: number, };

export type Outcome = { "outcome": "completed" } & Summary | { "outcome": "cancelled" } & Summary | { "outcome": "nothing_to_scan" };

export type ReportFormat = "html" | "pdf" | "csv" | "vics";

export type Filters = { evidence: Array<string>, category: Array<string>, method: Array<string>, reviewed_only: boolean, };

export type ExportOutcome = { path: string, hits: number, record: ExportRecord, };

export type FileCheck = { file: string, sha256: string, size: number, case_number: string | null, 
/**
 * The case passed `spoor verify`; without that its record of exports
 * proves nothing.
 */
case_intact: boolean, case_problem: string | null, 
/**
 * The exports recorded with this file's SHA-256 (normally one).
 */
exports: Array<ExportRecord>, 
/**
 * Exports whose report digest the file names although its bytes are
 * not theirs: an altered or re-saved copy.
 */
named_exports: Array<ExportRecord>, };

export type UnknownExportOutcome = { path: string, 
/**
 * Distinct contents (VICS media records) written.
 */
media: number, 
/**
 * Files (copies) they stand for.
 */
files: number, record: ExportRecord, };

export type GpsPosition = { latitude: number, longitude: number, altitude: number | null, };

export type ClusterSettings = { 
/**
 * Largest PDQ distance that links two pictures (default 31, the
 * distance PDQ's authors give for "same picture" at a low false-match
 * rate, and the default of the near-match stage).
 */
max_distance: number, 
/**
 * Pictures under this PDQ quality are never linked: they stay alone
 * (default 50, as the reference's matching tools). Flat or tiny
 * pictures get low quality and hashes that match by chance.
 */
min_quality: number, };

export type NearKnownSettings = { 
/**
 * An unknown whose nearest known entry is closer than this is not
 * listed (default 0: list everything up to `max_distance`; set it to
 * the match threshold + 1, e.g. 32, when the scan already reports PDQ
 * matches as hits).
 */
min_distance: number, 
/**
 * Largest distance listed (default 48, the top of the 32 to 48 window
 * issue 9 names: wider than the match threshold of 31, where
 * unrelated pictures are still rare: two random PDQ hashes are about
 * 128 bits apart, and PDQ's authors measured false matches at a few
 * per million pairs at 31 to 40 on photographs; these are candidates
 * for an examiner, never hits).
 */
max_distance: number, 
/**
 * Unknown and known pictures under this PDQ quality are skipped
 * (default 50).
 */
min_quality: number, };

export type PrioritySettings = { 
/**
 * A capture is recent when it lies at most this many days before the
 * reference date (default 90), or up to one day after it (capture
 * times without a zone are read as UTC and may be up to 14 hours off).
 */
recent_days: number, };

export type TriageSettings = { cluster: ClusterSettings, near_known: NearKnownSettings, priority: PrioritySettings, };

export type Reason = { 
/**
 * Stable, for programs: see [`WEIGHTS`].
 */
code: string, points: number, 
/**
 * How many files (or series) it counts.
 */
count: number, text: string, };

export type ReferenceSource = "seizure" | "acquisition" | "scan";

export type ReferenceDate = { 
/**
 * RFC 3339, e.g. `2024-05-20T09:00:00Z`.
 */
utc: string, source: ReferenceSource, };

export type EvidenceTriage = { evidence_id: string, 
/**
 * 1 = look at first.
 */
rank: number, score: number, 
/**
 * Where the score comes from (`code`, `points`, `count`, `text`).
 */
reasons: Array<Reason>, 
/**
 * What could not be scored and why.
 */
notes: Array<string>, 
/**
 * The date "recent" is measured from, and where it came from.
 */
reference: ReferenceDate | null, files: number, 
/**
 * Files with an alert hit.
 */
known_files: number, known_good_files: number, unknown_files: number, unknown_pictures: number, 
/**
 * Unknown videos with sampled frames.
 */
unknown_videos: number, camera_originals: number, 
/**
 * Series holding at least one of this item's unknown pictures or videos.
 */
series: number, near_known: number, 
/**
 * Unknown pictures with a GPS position.
 */
gps: number, };

export type UnknownMedia = { file_id: number, evidence_id: string, path: string, file_type: string | null, size: number, md5: string | null, sha1: string | null, pdq: string | null, pdq_quality: number | null, 
/**
 * `present`, `absent`, `damaged`; `null` when the scan did not look.
 */
metadata_state: string | null, camera_original: boolean, verdict_reasons: Array<string>, make: string | null, model: string | null, serial: string | null, software: string | null, capture_local: string | null, capture_offset: string | null, capture_utc: string | null, gps: GpsPosition | null, 
/**
 * Sampled frames of a video (0 for a picture).
 */
frames: number, 
/**
 * The series (of two or more) it belongs to.
 */
series_id: number | null, 
/**
 * The distance to the nearest known material, when within the
 * near-known window.
 */
near_known_distance: number | null, 
/**
 * The examiner's latest category for it, if reviewed.
 */
review_category: string | null, };

export type Series = { series_id: number, 
/**
 * The member to look at: its picture of highest PDQ quality (then
 * lowest id); a series of videos only: the video whose linking frame
 * has the highest quality (shown by its contact sheet).
 */
representative: number, representative_path: string, 
/**
 * `picture` or `video`.
 */
representative_kind: string, 
/**
 * File ids, pictures and videos, ascending.
 */
members: Array<number>, 
/**
 * Of the members, the videos, with the frames that joined them.
 */
videos: Array<SeriesVideoEntry>, camera_originals: number, evidence_ids: Array<string>, };

export type SeriesVideoEntry = { file_id: number, path: string, 
/**
 * The frames within the series distance of another member.
 */
frames: Array<FrameRef>, };

export type FrameRef = { frame_number: number, 
/**
 * Seconds from the first frame.
 */
timestamp: number, };

export type KnownSetRef = { id: string, name: string, version: string | null, };

export type KnownSet = { 
/**
 * The library's id of the set (the case's `set_uid`).
 */
id: string, name: string, version: string | null, 
/**
 * `pdq` (picture fingerprints, through the set's index) or `vpdq`
 * (frames of known videos).
 */
fingerprint: string, 
/**
 * PDQ records, or frames of known videos.
 */
fingerprints: number, 
/**
 * Known videos (vPDQ).
 */
videos: number, 
/**
 * SHA-256 of the set's source, as the library records it.
 */
source_sha256: string, };

export type KnownRef = { 
/**
 * `case_file` (a file of this case with an alert hit), `pdq_set` (a
 * record of a PDQ set, or a fingerprint given from outside) or
 * `vpdq_set` (a frame of a known video of a vPDQ set).
 */
source: string, file_id: number | null, evidence_id: string | null, path: string | null, 
/**
 * Where the fingerprint came from, in words (e.g. `set "X" version 2
 * record 12 (line 13), category 1`).
 */
label: string | null, 
/**
 * The hash set (library sets).
 */
set: KnownSetRef | null, 
/**
 * The record's number in the set (PDQ sets; the entry of its index).
 */
record: number | null, 
/**
 * The record's line in the set's source.
 */
record_line: number | null, 
/**
 * The file name the record gives.
 */
record_name: string | null, 
/**
 * The record's raw category and its display name under the set's
 * profile.
 */
category: string | null, category_name: string | null, 
/**
 * The known video's frame (a vPDQ set's video, or a case video with a
 * hit).
 */
frame: FrameRef | null, };

export type NearKnownEntry = { unknown_id: number, evidence_id: string, unknown_path: string, distance: number, 
/**
 * Known entries within the window, the nearest included.
 */
within: number, 
/**
 * The variant of the unknown fingerprint that came nearest, by the
 * name PDQ hits use: `original`, `rotate90`, `rotate180`, `rotate270`,
 * `flipx`, `flipy`, `flipplus1` or `flipminus1`. A picture scanned
 * before case format 4, and a video frame, is compared as stored and
 * transposed only (`original`, `flipplus1`, see [`crate::transposed`]).
 */
variant: string, 
/**
 * The variant in words (`as stored`, `rotated 90° counter-clockwise`,
 * `mirrored left to right`, ...): the unknown picture, so turned or
 * mirrored, looks like the known one.
 */
variant_words: string, 
/**
 * For a video: the frame that came nearest.
 */
unknown_frame: FrameRef | null, known: KnownRef, };

export type Selection = { 
/**
 * Unknown files by id.
 */
files: Array<number>, 
/**
 * Every member of these series.
 */
series: Array<number>, 
/**
 * Every unknown camera original.
 */
camera_originals: boolean, };

export type CaseTriage = { settings: TriageSettings, 
/**
 * Highest priority first.
 */
evidence: Array<EvidenceTriage>, 
/**
 * Unknown pictures and videos, by evidence item and path.
 */
unknown: Array<UnknownMedia>, 
/**
 * Unknown regular files of any type.
 */
unknown_files: number, 
/**
 * Unknown pictures with a PDQ fingerprint (clustered).
 */
unknown_pictures: number, 
/**
 * Unknown videos with sampled frames (clustered through their frames).
 */
unknown_videos: number, 
/**
 * Distinct frames of those videos.
 */
unknown_frames: number, 
/**
 * Unknown camera originals (pictures and videos), by file id.
 */
camera_originals: Array<number>, 
/**
 * Series of two or more unknown pictures and videos, largest first.
 */
series: Array<Series>, 
/**
 * Unknown pictures and videos near known material, nearest first.
 */
near_known: Array<NearKnownEntry>, 
/**
 * Known PDQ fingerprints compared with: from this case's hits
 * (pictures and video frames), and from outside (the library's sets
 * and any given).
 */
known_pdq_from_hits: number, known_pdq_from_sets: number, 
/**
 * The library sets compared with (name, version, id, what they hold).
 */
known_sets: Array<KnownSet>, 
/**
 * What of the library was not used, and why.
 */
library_notes: Array<string>, };
