-- Schema version 3: the operator console (issue 36). A scan can be marked checked by an
-- operator, and every correction, check and deletion is kept in `audit`: who (the key's name),
-- what, when.

-- When an operator marked the scan checked (milliseconds since the epoch, UTC) and the key's
-- name; NULL until then.
ALTER TABLE scans ADD COLUMN checked_at INTEGER;
ALTER TABLE scans ADD COLUMN checked_by TEXT;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The scan's public id. Rows of a deleted scan are removed with it, but for the row that
    -- records the deletion (which holds no value read from the document).
    scan_id   TEXT    NOT NULL,
    -- Milliseconds since the epoch, UTC.
    at        INTEGER NOT NULL,
    -- The name of the key used ('local' when no key is configured), never the key.
    who       TEXT    NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('correct', 'check', 'delete')),
    -- For 'correct': the field's name, its value before and after.
    field     TEXT,
    old_value TEXT,
    new_value TEXT
);

CREATE INDEX audit_scan ON audit (scan_id, seq);
