-- The transactional outbox (issue 39): one row per change to deliver to the back office, written
-- in the same transaction as the change itself, sent in `seq` order by the fleet publisher.
CREATE TABLE outbox (
    -- Commit order: the order of delivery.
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The event's own id (a UUID); the scan id is the consumer's idempotency key.
    event_id     TEXT    NOT NULL UNIQUE,
    -- 'scan' (a reading stored), 'correction' (its fields changed), 'deletion' (it was deleted).
    kind         TEXT    NOT NULL CHECK (kind IN ('scan', 'correction', 'deletion')),
    scan_id      TEXT    NOT NULL,
    -- Milliseconds since the Unix epoch, UTC.
    created_at   INTEGER NOT NULL,
    -- The message as sent, built when the change was made (a later deletion of the scan does
    -- not lose it).
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    -- When the sink acknowledged it (milliseconds since the epoch); NULL while undelivered.
    delivered_at INTEGER
);

-- The publisher's queue and the depth/oldest-age gauges, without a scan of delivered rows.
CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;
-- Retention of delivered rows.
CREATE INDEX outbox_delivered_at ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
