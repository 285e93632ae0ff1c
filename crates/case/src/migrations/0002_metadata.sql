-- Spoor case file, format 2: picture and video metadata, evidence dates.
--
-- Both tables are append-only and sealed like every other (seal, row_hash).

-- What a picture's EXIF or a video's container tags say, one row per file
-- the scan looked at, written in the same batch as its `files` row.
-- `metadata` (the JSON of spoor-metadata's MediaMetadata) is the record of
-- truth; the flat columns are for queries and reports. `state`: `present`
-- (metadata read), `absent` (none in the file) or `damaged` (there, but
-- unreadable: the reason is a warning of stage `metadata`).
CREATE TABLE file_metadata (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    state TEXT NOT NULL CHECK (state IN ('present', 'absent', 'damaged')),
    origin TEXT,
    metadata TEXT,
    make TEXT,
    model TEXT,
    serial TEXT,
    software TEXT,
    capture_local TEXT,
    capture_offset TEXT,
    capture_utc TEXT,
    capture_unix INTEGER,
    gps_latitude REAL,
    gps_longitude REAL,
    gps_altitude REAL,
    camera_original INTEGER NOT NULL,
    verdict_reasons TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE UNIQUE INDEX file_metadata_file ON file_metadata(file_id);
CREATE INDEX file_metadata_run ON file_metadata(run_id);
CREATE INDEX file_metadata_unsealed ON file_metadata(id) WHERE seal IS NULL;

-- When an evidence item was seized and acquired (imaged), as the examiner
-- states it: the reference for "recent" capture times. Latest row per item
-- and kind wins; earlier ones stay on record.
CREATE TABLE evidence_dates (
    id INTEGER PRIMARY KEY,
    evidence_ref INTEGER NOT NULL REFERENCES evidence(id),
    kind TEXT NOT NULL CHECK (kind IN ('seizure', 'acquisition')),
    utc TEXT NOT NULL,
    added_utc TEXT NOT NULL,
    added_by TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX evidence_dates_evidence ON evidence_dates(evidence_ref);
CREATE INDEX evidence_dates_unsealed ON evidence_dates(id) WHERE seal IS NULL;
