-- Spoor case file, format 4: the dihedral variants of every picture's PDQ.
--
-- The scan hashes every decoded picture in all eight dihedral variants
-- (rotations and mirror images) and matches all eight; `files.pdq` holds the
-- picture as stored (`original`). The other seven are kept here, one row
-- each, written in the same batch as the picture's `files` row, so triage
-- can compare a rotated or mirrored copy with known material without the
-- pixels. Variant names are those recorded in PDQ hits (`Dihedral::as_str`
-- of spoor-pdq). Video frames have no rows here. Append-only and sealed
-- like every other table.

CREATE TABLE pdq_variants (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    file_id INTEGER NOT NULL REFERENCES files(id),
    variant TEXT NOT NULL
        CHECK (variant IN ('rotate90', 'rotate180', 'rotate270', 'flipx', 'flipy', 'flipplus1', 'flipminus1')),
    pdq TEXT NOT NULL,
    seal INTEGER,
    row_hash TEXT
);
CREATE UNIQUE INDEX pdq_variants_file ON pdq_variants(file_id, variant);
CREATE INDEX pdq_variants_run ON pdq_variants(run_id);
CREATE INDEX pdq_variants_unsealed ON pdq_variants(id) WHERE seal IS NULL;
