-- Spoor case file, format 3: videos.
--
-- What the video stage found, per file record (`files.type_class` 'video'):
-- the stream as FFmpeg described it, the sampled frames with their PDQ
-- (vPDQ), a contact sheet, and for hits found through frames the numbers
-- behind them. Append-only and sealed like every other table.

CREATE TABLE videos (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
    container TEXT NOT NULL,
    codec TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    -- Seconds, from the container (else the stream); NULL when not declared.
    duration_secs REAL,
    frame_rate REAL,
    declared_frames INTEGER,
    frames_decoded INTEGER NOT NULL,
    frames_sampled INTEGER NOT NULL,
    -- Degrees counter-clockwise from the display matrix: recorded, not applied.
    rotation REAL,
    has_audio INTEGER NOT NULL,
    creation_time TEXT,
    -- The container's tags, JSON.
    metadata TEXT NOT NULL,
    -- The sampling and matching settings the frames were made with, JSON.
    settings TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

-- Sampled frames (one per second by default): number among the decoded
-- frames from 0, presentation time in seconds, PDQ and its quality.
CREATE TABLE frames (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    file_id INTEGER NOT NULL REFERENCES files(id),
    frame_number INTEGER NOT NULL,
    timestamp REAL NOT NULL,
    pdq TEXT NOT NULL,
    quality INTEGER NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE INDEX frames_file ON frames(file_id);
CREATE INDEX frames_pdq ON frames(pdq);

-- A grid of evenly spaced frames, encoded (JPEG), with its geometry and the
-- timestamp of each tile (JSON list, row by row).
CREATE TABLE contact_sheets (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    cols INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    tile_width INTEGER NOT NULL,
    tile_height INTEGER NOT NULL,
    tiles TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    image BLOB NOT NULL,
    seal INTEGER,
    row_hash TEXT
);

-- The numbers behind a hit found through frames: for method 'vpdq' both
-- percentages and the matched frame count; for a frame that matched a
-- picture set (method 'pdq'), the frame.
CREATE TABLE video_hits (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    hit_id INTEGER NOT NULL UNIQUE REFERENCES hits(id),
    query_match_percent REAL,
    known_match_percent REAL,
    matched_frames INTEGER,
    query_unique_frames INTEGER,
    known_unique_frames INTEGER,
    frame_number INTEGER,
    frame_timestamp REAL,
    seal INTEGER,
    row_hash TEXT
);

CREATE INDEX videos_unsealed ON videos(id) WHERE seal IS NULL;
CREATE INDEX frames_unsealed ON frames(id) WHERE seal IS NULL;
CREATE INDEX contact_sheets_unsealed ON contact_sheets(id) WHERE seal IS NULL;
CREATE INDEX video_hits_unsealed ON video_hits(id) WHERE seal IS NULL;
