-- kitascan results store, schema version 1 (the base every database starts from). Later changes
-- are the numbered files in migrations/, applied in order at start-up; PRAGMA user_version holds
-- the number of the last one applied.

CREATE TABLE scans (
    -- Insertion order: the newest-first listing and its keyset cursor use it.
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The scan's public id (a UUID).
    id            TEXT    NOT NULL UNIQUE,
    -- The request it answered (the upload's Request-Id), or a capture id.
    reference_id  TEXT    NOT NULL,
    -- Milliseconds since the Unix epoch, UTC.
    created_at    INTEGER NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('camera', 'upload', 'cli')),
    -- 'permit': a KITAS/KITAP was read; 'not_permit': the page is something else.
    status        TEXT    NOT NULL CHECK (status IN ('permit', 'not_permit')),
    -- 'KITAS', 'KITAP' or '' (not a permit, or the type could not be told).
    document_type TEXT    NOT NULL,
    -- The fields clients filter and list on, copied out of the reading.
    permit_number   TEXT NOT NULL,
    passport_number TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    -- The whole reading (kitas::Reading) as JSON.
    reading       TEXT    NOT NULL CHECK (json_valid(reading)),
    -- The straightened document as read, JPEG; NULL when images are not kept.
    image         BLOB
);

CREATE INDEX scans_created_at ON scans (created_at);
