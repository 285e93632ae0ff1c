-- Spoor case file, format 1.
--
-- Every data table is append-only: the tool inserts rows and never updates or
-- deletes them. Each row carries `seal` (the audit-log entry that sealed it)
-- and `row_hash` (SHA-256 of its canonical content); rows are written with
-- seal NULL and sealed in the same transaction that appends the audit entry.
-- A state change (a scan run that ends, a review that changes a category) is
-- a new row, never an edit, so every audit entry stays verifiable forever.

CREATE TABLE schema_migrations (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    applied_utc TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

CREATE TABLE case_info (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    case_number TEXT NOT NULL,
    title TEXT NOT NULL,
    agency TEXT NOT NULL,
    examiner TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    evidence_id TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    source_path BLOB NOT NULL,
    source_path_display TEXT NOT NULL,
    acquisition_hashes TEXT NOT NULL,
    added_utc TEXT NOT NULL,
    added_by TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

CREATE TABLE hashsets (
    id INTEGER PRIMARY KEY,
    set_uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'ignore')),
    format TEXT NOT NULL,
    profile TEXT,
    importer_version TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    digest_counts TEXT NOT NULL,
    imported_utc TEXT NOT NULL,
    added_utc TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

CREATE TABLE scan_runs (
    id INTEGER PRIMARY KEY,
    started_utc TEXT NOT NULL,
    tool_name TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    git_commit TEXT NOT NULL,
    host TEXT NOT NULL,
    settings TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

-- The life of a run: started, resumed, cancelled, completed. The last event
-- is the run's state.
CREATE TABLE scan_run_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    time_utc TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('started', 'resumed', 'cancelled', 'failed', 'completed')),
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    known_good INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    content_digest TEXT,
    rows_digest TEXT,
    message TEXT,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX scan_run_events_run ON scan_run_events(run_id);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    evidence_ref INTEGER NOT NULL REFERENCES evidence(id),
    path BLOB NOT NULL,
    path_display TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_utc TEXT,
    atime_utc TEXT,
    ctime_utc TEXT,
    btime_utc TEXT,
    inode INTEGER NOT NULL,
    device INTEGER NOT NULL,
    mode INTEGER NOT NULL,
    link_target BLOB,
    file_type TEXT,
    type_class TEXT,
    ext_mismatch INTEGER NOT NULL DEFAULT 0,
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    known_good INTEGER NOT NULL DEFAULT 0,
    known_good_set INTEGER REFERENCES hashsets(id),
    -- Pictures: what the decoder saw and the PDQ fingerprint of the stored
    -- pixels (EXIF orientation is recorded, not applied, as the reference does).
    picture_format TEXT,
    width INTEGER,
    height INTEGER,
    frames INTEGER,
    orientation INTEGER,
    pdq TEXT,
    pdq_quality INTEGER,
    status TEXT NOT NULL CHECK (status IN ('hashed', 'not_read', 'error')),
    noatime INTEGER NOT NULL DEFAULT 0,
    seal INTEGER,
    row_hash TEXT,
    UNIQUE (run_id, evidence_ref, path)
);
CREATE INDEX files_md5 ON files(md5);
CREATE INDEX files_sha1 ON files(sha1);
CREATE INDEX files_sha256 ON files(sha256);
CREATE INDEX files_pdq ON files(pdq);

CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    evidence_ref INTEGER NOT NULL REFERENCES evidence(id),
    path BLOB NOT NULL,
    path_display TEXT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    time_utc TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX warnings_run ON warnings(run_id);

CREATE TABLE hits (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    file_id INTEGER NOT NULL REFERENCES files(id),
    hashset_id INTEGER NOT NULL REFERENCES hashsets(id),
    method TEXT NOT NULL CHECK (method IN ('md5', 'sha1', 'sha256', 'pdq', 'vpdq')),
    distance INTEGER,
    category TEXT,
    record TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX hits_file ON hits(file_id);
CREATE INDEX hits_run ON hits(run_id);

-- Examiner reviews of files: the latest review of a file is its verdict;
-- earlier ones stay, so every change of category is on record.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    category TEXT,
    profile TEXT,
    note TEXT NOT NULL,
    examiner TEXT NOT NULL,
    time_utc TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX reviews_file ON reviews(file_id);

-- Reports and exports that left the case: one row per file written, with
-- its SHA-256, so `spoor verify-report` can tell whether a file is exactly
-- one this case produced, and when. `filters` is the JSON of the filters the
-- report applied; `report_digest` the SHA-256 over the report's canonical
-- content (what every page shows); the chain head is the last audit entry
-- before this export's own.
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    time_utc TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('html', 'pdf', 'csv', 'vics')),
    filters TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    report_digest TEXT NOT NULL,
    chain_head_seq INTEGER NOT NULL,
    chain_head_hash TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    exported_by TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX exports_sha256 ON exports(sha256);

-- The audit log: a SHA-256 hash chain. `seals` names, per table, the rows
-- this entry sealed (id ranges, count and a digest over their row hashes).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    time_utc TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    seals TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);

-- Partial indexes make "rows not sealed yet" cheap to find at every commit.
CREATE INDEX schema_migrations_unsealed ON schema_migrations(id) WHERE seal IS NULL;
CREATE INDEX case_info_unsealed ON case_info(id) WHERE seal IS NULL;
CREATE INDEX evidence_unsealed ON evidence(id) WHERE seal IS NULL;
CREATE INDEX hashsets_unsealed ON hashsets(id) WHERE seal IS NULL;
CREATE INDEX scan_runs_unsealed ON scan_runs(id) WHERE seal IS NULL;
CREATE INDEX scan_run_events_unsealed ON scan_run_events(id) WHERE seal IS NULL;
CREATE INDEX files_unsealed ON files(id) WHERE seal IS NULL;
CREATE INDEX warnings_unsealed ON warnings(id) WHERE seal IS NULL;
CREATE INDEX hits_unsealed ON hits(id) WHERE seal IS NULL;
CREATE INDEX reviews_unsealed ON reviews(id) WHERE seal IS NULL;
CREATE INDEX exports_unsealed ON exports(id) WHERE seal IS NULL;
CREATE INDEX files_seal ON files(seal);
CREATE INDEX warnings_seal ON warnings(seal);
CREATE INDEX hits_seal ON hits(seal);
