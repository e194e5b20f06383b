//! The results store: every reading in one SQLite database. This is the only module that
//! touches SQL.
//!
//! Invariants:
//! - The schema is `schema.sql` (version 1) plus the numbered files in `migrations/`, each
//!   applied in its own transaction together with the new `PRAGMA user_version`; a database
//!   whose version is newer than this binary knows is refused, never touched.
//! - A scan is written by one `INSERT` in one transaction, in WAL mode with `synchronous=FULL`:
//!   a crash loses nothing committed and never leaves half a row.
//! - Deleted rows are overwritten (`secure_delete`), since they hold personal data.
//! - Nothing here logs a field value: errors carry SQLite's messages and ids only.
//! - A change that carries an outbox event ([`outbox`]) writes it in the change's own
//!   transaction: the event is there exactly when the change is.

pub mod outbox;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};

pub use outbox::{EventKind, NewEvent, OutboxEvent, OutboxStats};
use serde::Serialize;
use serde_json::Value;

/// Version 1: the base schema.
const SCHEMA: &str = include_str!("schema.sql");

/// Migrations after the base schema: `(version it brings the database to, SQL)`, in order.
const MIGRATIONS: &[(u32, &str)] = &[
    (2, include_str!("migrations/0002_document_type_index.sql")),
    (3, include_str!("migrations/0003_outbox.sql")),
    (4, include_str!("migrations/0004_operator_audit.sql")),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: u32 = 4;

/// The reading's fields that are also columns (what lists show and searches look at): a
/// correction of one of them changes the column too.
const FIELD_COLUMNS: [&str; 4] = [
    "permit_number",
    "passport_number",
    "full_name",
    "nationality",
];

/// Where a scan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanSource {
    Camera,
    Upload,
    Cli,
}

impl ScanSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanSource::Camera => "camera",
            ScanSource::Upload => "upload",
            ScanSource::Cli => "cli",
        }
    }

    fn parse(s: &str) -> ScanSource {
        match s {
            "camera" => ScanSource::Camera,
            "cli" => ScanSource::Cli,
            _ => ScanSource::Upload,
        }
    }
}

/// What the reader made of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    /// A KITAS/KITAP was read.
    Permit,
    /// The page is not a permit.
    NotPermit,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Permit => "permit",
            ScanStatus::NotPermit => "not_permit",
        }
    }

    fn parse(s: &str) -> ScanStatus {
        if s == "permit" {
            ScanStatus::Permit
        } else {
            ScanStatus::NotPermit
        }
    }
}

/// A scan to store.
#[derive(Debug, Clone)]
pub struct NewScan {
    pub id: String,
    pub reference_id: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub source: ScanSource,
    pub status: ScanStatus,
    pub document_type: String,
    pub permit_number: String,
    pub passport_number: String,
    pub full_name: String,
    pub nationality: String,
    /// The whole reading as JSON.
    pub reading: Value,
    /// The straightened document, JPEG.
    pub image: Option<Vec<u8>>,
}

impl NewScan {
    /// The summary the stored row will have.
    pub fn summary(&self) -> ScanSummary {
        ScanSummary {
            id: self.id.clone(),
            reference_id: self.reference_id.clone(),
            created_at: rfc3339(self.created_at),
            source: self.source,
            status: self.status,
            document_type: self.document_type.clone(),
            permit_number: self.permit_number.clone(),
            passport_number: self.passport_number.clone(),
            full_name: self.full_name.clone(),
            nationality: self.nationality.clone(),
            has_image: self.image.is_some(),
        }
    }
}

/// A stored scan without its reading and image: what lists and events carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanSummary {
    pub id: String,
    pub reference_id: String,
    /// RFC 3339, UTC, milliseconds.
    pub created_at: String,
    pub source: ScanSource,
    pub status: ScanStatus,
    pub document_type: String,
    pub permit_number: String,
    pub passport_number: String,
    pub full_name: String,
    pub nationality: String,
    pub has_image: bool,
}

/// A stored scan with its reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanRecord {
    #[serde(flatten)]
    pub summary: ScanSummary,
    pub reading: Value,
    /// When an operator marked it checked (RFC 3339), and the key's name; `null` until then.
    pub checked_at: Option<String>,
    pub checked_by: Option<String>,
}

/// One line of the audit: who (a key's name) did what to a scan, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC, milliseconds.
    pub at: String,
    pub who: String,
    /// `correct`, `check` or `delete`.
    pub action: String,
    /// For `correct`: the field, its value before and after.
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// One page of a newest-first listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanPage {
    pub scans: Vec<ScanSummary>,
    /// Pass as `before` for the next page; `None` on the last page.
    pub next_before: Option<String>,
}

/// A listing request.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub limit: usize,
    /// The id of the last scan of the previous page.
    pub before: Option<String>,
    pub document_type: Option<String>,
    /// Part of the holder's name, permit number or passport number (any case).
    pub text: Option<String>,
    /// Created at or after this time (milliseconds since the epoch).
    pub from: Option<i64>,
    /// Created before this time (milliseconds since the epoch).
    pub to: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database is at schema version {found}, newer than this kitascan knows \
             ({supported}); run a newer kitascan or point --db at another file"
    )]
    TooNew { found: u32, supported: u32 },
    #[error("no scan with id {0} (the `before` cursor must be the id of a stored scan)")]
    UnknownCursor(String),
    #[error("could not create the database folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The database. One connection, behind a mutex: SQLite serialises writers anyway, and the
/// kiosk's load is a few scans a minute. Callers in async code run these methods on
/// `spawn_blocking`.
pub struct Store {
    conn: Mutex<Connection>,
}

const SUMMARY_COLUMNS: &str = "id, reference_id, created_at, source, status, document_type, \
     permit_number, passport_number, full_name, nationality, image IS NOT NULL";

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (every write is a
        // transaction), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The database's schema version.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        user_version(&self.conn())
    }

    /// Stores one scan, in one transaction, with no outbox event.
    pub fn insert(&self, scan: &NewScan) -> Result<(), StoreError> {
        self.insert_with_event(scan, None)
    }

    /// Stores one scan and, when given, its outbox event, in one transaction.
    pub fn insert_with_event(
        &self,
        scan: &NewScan,
        event: Option<&NewEvent>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO scans (id, reference_id, created_at, source, status, document_type, \
             permit_number, passport_number, full_name, nationality, reading, image) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                scan.id,
                scan.reference_id,
                scan.created_at,
                scan.source.as_str(),
                scan.status.as_str(),
                scan.document_type,
                scan.permit_number,
                scan.passport_number,
                scan.full_name,
                scan.nationality,
                scan.reading.to_string(),
                scan.image,
            ],
        )?;
        if let Some(event) = event {
            outbox::append(&tx, event)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Scans newest first, `limit` at most, after the `before` cursor, optionally of one
    /// document type.
    pub fn list(&self, q: &ListQuery) -> Result<ScanPage, StoreError> {
        let conn = self.conn();
        let before_seq: i64 = match &q.before {
            Some(id) => conn
                .query_row("SELECT seq FROM scans WHERE id = ?1", [id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::UnknownCursor(id.clone()))?,
            None => i64::MAX,
        };
        let limit = q.limit.max(1);
        let mut clauses = vec!["seq < ?"];
        let mut args: Vec<SqlValue> = vec![before_seq.into()];
        filters(q, &mut clauses, &mut args);
        // One more than asked tells whether there is a next page.
        args.push(((limit + 1) as i64).into());
        let mut stmt = conn.prepare(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM scans WHERE {} ORDER BY seq DESC LIMIT ?",
            clauses.join(" AND ")
        ))?;
        let mut scans = Vec::new();
        for row in stmt.query_map(rusqlite::params_from_iter(args), summary)? {
            scans.push(row?);
        }
        let next_before = if scans.len() > limit {
            scans.truncate(limit);
            scans.last().map(|s| s.id.clone())
        } else {
            None
        };
        Ok(ScanPage { scans, next_before })
    }

    /// One scan with its reading.
    pub fn get(&self, id: &str) -> Result<Option<ScanRecord>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM scans WHERE id = ?1"),
                [id],
                record,
            )
            .optional()?;
        Ok(row)
    }

    /// Every scan created in `[from, to)` (milliseconds since the epoch; open ends when `None`),
    /// oldest first, with its reading.
    pub fn export(
        &self,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<ScanRecord>, StoreError> {
        let conn = self.conn();
        let q = ListQuery {
            from,
            to,
            ..ListQuery::default()
        };
        let mut clauses = vec!["1"];
        let mut args = Vec::new();
        filters(&q, &mut clauses, &mut args);
        let mut stmt = conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM scans WHERE {} ORDER BY created_at, seq",
            clauses.join(" AND ")
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), record)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Sets a field of a scan's reading to `value`, keeping what the reader read in
    /// `value_original`, and audits it under `who`; in one transaction. `false` when there is
    /// no such scan. `field` is a reading's field name (the caller checks it).
    pub fn correct(
        &self,
        id: &str,
        field: &str,
        value: &str,
        who: &str,
    ) -> Result<bool, StoreError> {
        self.correct_with_event(id, field, value, who, |_| None)
    }

    /// [`Store::correct`], and the event `event` makes of the corrected scan (fleet delivery's
    /// `correction`, when it is on) written to the outbox in the same transaction.
    pub fn correct_with_event(
        &self,
        id: &str,
        field: &str,
        value: &str,
        who: &str,
        event: impl FnOnce(&NewScan) -> Option<NewEvent>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let reading: Option<String> = tx
            .query_row("SELECT reading FROM scans WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(reading) = reading else {
            return Ok(false);
        };
        let mut reading: Value = serde_json::from_str(&reading).unwrap_or(Value::Null);
        if !reading.is_object() {
            reading = serde_json::json!({});
        }
        let fields = reading
            .as_object_mut()
            .map(|r| r.entry("fields").or_insert_with(|| serde_json::json!({})));
        let old = match fields.and_then(Value::as_object_mut) {
            Some(fields) => {
                let f = fields.entry(field).or_insert_with(|| {
                    // A field the reader did not find: nothing read, nowhere on the page.
                    serde_json::json!({"value": "", "value_original": "", "confidence": 0.0,
                        "confidence_text": 0.0, "polygon": [], "page_index": 0})
                });
                let old = f
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if let Some(f) = f.as_object_mut() {
                    f.insert("value".into(), Value::from(value));
                }
                old
            }
            None => String::new(),
        };
        tx.execute(
            "UPDATE scans SET reading = ?1 WHERE id = ?2",
            params![reading.to_string(), id],
        )?;
        if FIELD_COLUMNS.contains(&field) {
            // The column's name comes from the constant list above, never from the request.
            tx.execute(
                &format!("UPDATE scans SET {field} = ?1 WHERE id = ?2"),
                params![value, id],
            )?;
        }
        tx.execute(
            "INSERT INTO audit (scan_id, at, who, action, field, old_value, new_value) \
             VALUES (?1, ?2, ?3, 'correct', ?4, ?5, ?6)",
            params![id, now_ms(), who, field, old, value],
        )?;
        let corrected = tx.query_row(
            "SELECT reference_id, created_at, source, status, document_type, permit_number, \
             passport_number, full_name, nationality, image FROM scans WHERE id = ?1",
            [id],
            |r| {
                Ok(NewScan {
                    id: id.to_string(),
                    reference_id: r.get(0)?,
                    created_at: r.get(1)?,
                    source: ScanSource::parse(&r.get::<_, String>(2)?),
                    status: ScanStatus::parse(&r.get::<_, String>(3)?),
                    document_type: r.get(4)?,
                    permit_number: r.get(5)?,
                    passport_number: r.get(6)?,
                    full_name: r.get(7)?,
                    nationality: r.get(8)?,
                    reading: reading.clone(),
                    image: r.get(9)?,
                })
            },
        )?;
        if let Some(e) = event(&corrected) {
            outbox::append(&tx, &e)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Marks a scan checked by `who`, now, and audits it; `false` when there is no such scan.
    pub fn mark_checked(&self, id: &str, who: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now_ms();
        let n = tx.execute(
            "UPDATE scans SET checked_at = ?1, checked_by = ?2 WHERE id = ?3",
            params![at, who, id],
        )?;
        if n > 0 {
            tx.execute(
                "INSERT INTO audit (scan_id, at, who, action) VALUES (?1, ?2, ?3, 'check')",
                params![id, at, who],
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// What operators did to a scan, oldest first.
    pub fn audit(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT at, who, action, field, old_value, new_value FROM audit WHERE scan_id = ?1 \
             ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(AuditEntry {
                    at: rfc3339(r.get(0)?),
                    who: r.get(1)?,
                    action: r.get(2)?,
                    field: r.get(3)?,
                    old_value: r.get(4)?,
                    new_value: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// A scan's image: `None` when there is no such scan, `Some(None)` when it has no image.
    pub fn image(&self, id: &str) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT image FROM scans WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// Deletes one scan now, with the audit of its corrections (they hold values read from
    /// it); the deletion itself is audited under `who`. Whether it existed.
    pub fn delete(&self, id: &str, who: &str) -> Result<bool, StoreError> {
        self.delete_with_event(id, who, None)
    }

    /// [`Store::delete`], and if the scan existed and an event is given, the event written to
    /// the outbox, in one transaction.
    pub fn delete_with_event(
        &self,
        id: &str,
        who: &str,
        event: Option<&NewEvent>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existed = tx.execute("DELETE FROM scans WHERE id = ?1", [id])? > 0;
        if existed {
            tx.execute("DELETE FROM audit WHERE scan_id = ?1", [id])?;
            tx.execute(
                "INSERT INTO audit (scan_id, at, who, action) VALUES (?1, ?2, ?3, 'delete')",
                params![id, now_ms(), who],
            )?;
            if let Some(event) = event {
                outbox::append(&tx, event)?;
            }
        }
        tx.commit()?;
        Ok(existed)
    }

    /// Deletes every scan created before `cutoff` (milliseconds since the epoch), the audit of
    /// the scans gone and every audit line older than `cutoff`; how many scans.
    pub fn purge_before(&self, cutoff: i64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM scans WHERE created_at < ?1", [cutoff])?;
        tx.execute(
            "DELETE FROM audit WHERE at < ?1 \
             OR (action <> 'delete' AND scan_id NOT IN (SELECT id FROM scans))",
            [cutoff],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Number of stored scans.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM scans", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// SQLite's `PRAGMA integrity_check`: `"ok"` for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(lines.join("\n"))
    }
}

const RECORD_COLUMNS: &str = "id, reference_id, created_at, source, status, document_type, \
     permit_number, passport_number, full_name, nationality, image IS NOT NULL, reading, \
     checked_at, checked_by";

/// The `WHERE` clauses (and their arguments) of a query's filters.
fn filters(q: &ListQuery, clauses: &mut Vec<&'static str>, args: &mut Vec<SqlValue>) {
    if let Some(kind) = &q.document_type {
        clauses.push("document_type = ?");
        args.push(kind.clone().into());
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push(
            "(full_name LIKE ? ESCAPE '\\' OR permit_number LIKE ? ESCAPE '\\' \
             OR passport_number LIKE ? ESCAPE '\\')",
        );
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        for _ in 0..3 {
            args.push(pattern.clone().into());
        }
    }
    if let Some(from) = q.from {
        clauses.push("created_at >= ?");
        args.push(from.into());
    }
    if let Some(to) = q.to {
        clauses.push("created_at < ?");
        args.push(to.into());
    }
}

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScanRecord> {
    let reading: String = r.get(11)?;
    let checked_at: Option<i64> = r.get(12)?;
    Ok(ScanRecord {
        summary: summary(r)?,
        // The column is checked with json_valid on insert.
        reading: serde_json::from_str(&reading).unwrap_or(Value::Null),
        checked_at: checked_at.map(rfc3339),
        checked_by: r.get(13)?,
    })
}

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScanSummary> {
    let source: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(ScanSummary {
        id: r.get(0)?,
        reference_id: r.get(1)?,
        created_at: rfc3339(r.get(2)?),
        source: ScanSource::parse(&source),
        status: ScanStatus::parse(&status),
        document_type: r.get(5)?,
        permit_number: r.get(6)?,
        passport_number: r.get(7)?,
        full_name: r.get(8)?,
        nationality: r.get(9)?,
        has_image: r.get(10)?,
    })
}

fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`SCHEMA_VERSION`], one transaction per step.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let steps = std::iter::once((1, SCHEMA)).chain(MIGRATIONS.iter().copied());
    for (version, sql) in steps.filter(|(v, _)| *v > found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "database schema migrated");
    }
    Ok(())
}

/// Milliseconds since the epoch as RFC 3339 UTC (`2026-11-22T03:16:39.123Z`).
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn scan(id: &str, created_at: i64, document_type: &str) -> NewScan {
        NewScan {
            id: id.to_string(),
            reference_id: format!("ref-{id}"),
            created_at,
            source: ScanSource::Upload,
            status: if document_type.is_empty() {
                ScanStatus::NotPermit
            } else {
                ScanStatus::Permit
            },
            document_type: document_type.to_string(),
            permit_number: "2C21AB0001-X".into(),
            passport_number: "X1234567".into(),
            full_name: "TEST PERSON".into(),
            nationality: "NOWHERE".into(),
            reading: json!({"is_permit": !document_type.is_empty()}),
            image: Some(vec![0xff, 0xd8, 0xff]),
        }
    }

    pub(crate) fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/k.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_795_000_000_000), "2026-11-18T11:06:40.000Z");
    }

    #[test]
    fn insert_get_list_delete_round_trip() {
        let (_dir, store) = open();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        for i in 0..5 {
            let kind = if i % 2 == 0 { "KITAS" } else { "KITAP" };
            store
                .insert(&scan(&format!("s{i}"), 1000 + i, kind))
                .unwrap();
        }
        let got = store.get("s3").unwrap().unwrap();
        assert_eq!(got.summary.document_type, "KITAP");
        assert_eq!(got.summary.reference_id, "ref-s3");
        assert_eq!(got.summary, scan("s3", 1003, "KITAP").summary());
        assert_eq!(got.reading, json!({"is_permit": true}));
        assert!(got.summary.has_image);
        assert_eq!(
            store.image("s3").unwrap(),
            Some(Some(vec![0xff, 0xd8, 0xff]))
        );
        assert_eq!(store.image("nope").unwrap(), None);

        // Newest first, two at a time, following the cursor.
        let q = |before: Option<String>| ListQuery {
            limit: 2,
            before,
            ..ListQuery::default()
        };
        let p1 = store.list(&q(None)).unwrap();
        let ids = |p: &ScanPage| p.scans.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&p1), ["s4", "s3"]);
        let p2 = store.list(&q(p1.next_before.clone())).unwrap();
        assert_eq!(ids(&p2), ["s2", "s1"]);
        let p3 = store.list(&q(p2.next_before.clone())).unwrap();
        assert_eq!(ids(&p3), ["s0"]);
        assert_eq!(p3.next_before, None);
        let kitas = store
            .list(&ListQuery {
                limit: 10,
                document_type: Some("KITAS".into()),
                ..ListQuery::default()
            })
            .unwrap();
        assert_eq!(ids(&kitas), ["s4", "s2", "s0"]);
        assert!(matches!(
            store.list(&q(Some("unknown".into()))),
            Err(StoreError::UnknownCursor(_))
        ));

        assert!(store.delete("s3", "ops").unwrap());
        assert!(!store.delete("s3", "ops").unwrap());
        assert_eq!(store.get("s3").unwrap(), None);
        assert_eq!(store.purge_before(1002).unwrap(), 2);
        assert_eq!(store.count().unwrap(), 2);
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }

    fn person(id: &str, at: i64, name: &str, permit: &str, passport: &str) -> NewScan {
        let mut s = scan(id, at, "KITAS");
        s.full_name = name.into();
        s.permit_number = permit.into();
        s.passport_number = passport.into();
        s.reading = json!({"is_permit": true, "fields": {
            "full_name": {"value": name, "value_original": name, "confidence": 0.5},
            "permit_number": {"value": permit, "value_original": permit, "confidence": 0.9},
        }});
        s
    }

    #[test]
    fn search_finds_by_name_permit_or_passport_number_within_dates() {
        let (_dir, store) = open();
        store
            .insert(&person(
                "a",
                1_000,
                "ANNA SMITH",
                "2C21AB0001-X",
                "P1111111",
            ))
            .unwrap();
        store
            .insert(&person(
                "b",
                2_000,
                "BORIS 100%_OK",
                "2C21AB0002-Y",
                "P2222222",
            ))
            .unwrap();
        store
            .insert(&person(
                "c",
                3_000,
                "CARLA SMITHSON",
                "2D11CD0003-Z",
                "Q3333333",
            ))
            .unwrap();
        let find = |text: &str, from: Option<i64>, to: Option<i64>| {
            let q = ListQuery {
                limit: 10,
                text: Some(text.into()),
                from,
                to,
                ..ListQuery::default()
            };
            let page = store.list(&q).unwrap();
            page.scans.into_iter().map(|s| s.id).collect::<Vec<_>>()
        };
        assert_eq!(find("smith", None, None), ["c", "a"]);
        assert_eq!(find("  ab000 ", None, None), ["b", "a"]);
        assert_eq!(find("q333", None, None), ["c"]);
        // LIKE's wildcards in the text are plain characters.
        assert_eq!(find("%_", None, None), ["b"]);
        assert_eq!(find("_", None, None), ["b"]);
        assert_eq!(find("smith", Some(2_000), None), ["c"]);
        assert_eq!(find("smith", None, Some(3_000)), ["a"]);
        assert_eq!(find("", Some(1_500), Some(2_500)), ["b"]);
        let all = store.export(Some(1_000), Some(3_000)).unwrap();
        let ids: Vec<_> = all.iter().map(|r| r.summary.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "oldest first, `to` excluded");
    }

    #[test]
    fn a_correction_keeps_the_original_and_is_audited_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let store = Store::open(&path).unwrap();
            store
                .insert(&person("a", 1_000, "ANNA SMTH", "2C21AB0001-X", "P1"))
                .unwrap();
            assert!(
                store
                    .correct("a", "full_name", "ANNA SMITH", "desk")
                    .unwrap()
            );
            assert!(
                store
                    .correct("a", "occupation", "ENGINEER", "desk")
                    .unwrap()
            );
            assert!(!store.correct("nope", "full_name", "X", "desk").unwrap());
            assert!(store.mark_checked("a", "lead").unwrap());
            assert!(!store.mark_checked("nope", "lead").unwrap());
        }
        let store = Store::open(&path).unwrap();
        let got = store.get("a").unwrap().unwrap();
        assert_eq!(got.reading["fields"]["full_name"]["value"], "ANNA SMITH");
        assert_eq!(
            got.reading["fields"]["full_name"]["value_original"],
            "ANNA SMTH"
        );
        assert_eq!(got.reading["fields"]["full_name"]["confidence"], 0.5);
        assert_eq!(got.reading["fields"]["occupation"]["value"], "ENGINEER");
        assert_eq!(got.reading["fields"]["occupation"]["value_original"], "");
        // The column follows, so that the list and the search see the correction.
        assert_eq!(got.summary.full_name, "ANNA SMITH");
        assert_eq!(got.checked_by.as_deref(), Some("lead"));
        assert!(got.checked_at.is_some());
        let audit = store.audit("a").unwrap();
        let lines: Vec<_> = audit
            .iter()
            .map(|e| {
                (
                    e.who.as_str(),
                    e.action.as_str(),
                    e.field.as_deref(),
                    e.old_value.as_deref(),
                    e.new_value.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "desk",
                    "correct",
                    Some("full_name"),
                    Some("ANNA SMTH"),
                    Some("ANNA SMITH")
                ),
                (
                    "desk",
                    "correct",
                    Some("occupation"),
                    Some(""),
                    Some("ENGINEER")
                ),
                ("lead", "check", None, None, None),
            ]
        );
        // Deleting takes the values in the audit with it, and leaves who deleted it.
        assert!(store.delete("a", "lead").unwrap());
        let audit = store.audit("a").unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].who.as_str(), audit[0].action.as_str()),
            ("lead", "delete")
        );
        assert_eq!(audit[0].old_value, None);
    }

    #[test]
    fn a_duplicate_id_is_refused_and_leaves_the_first_row() {
        let (_dir, store) = open();
        store.insert(&scan("a", 1, "KITAS")).unwrap();
        assert!(store.insert(&scan("a", 2, "KITAP")).is_err());
        assert_eq!(store.count().unwrap(), 1);
        assert_eq!(
            store.get("a").unwrap().unwrap().summary.document_type,
            "KITAS"
        );
    }

    #[test]
    fn a_version_1_database_is_migrated_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        // Version 3's columns and table.
        store.insert(&scan("v1", 1, "KITAS")).unwrap();
        assert!(store.mark_checked("v1", "ops").unwrap());
        assert_eq!(store.audit("v1").unwrap().len(), 1);
        let has_index: bool = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'scans_document_type_seq'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(has_index);
        drop(store);
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path)
            .err()
            .expect("a newer database is refused");
        assert!(matches!(err, StoreError::TooNew { found, supported }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION));
        assert!(err.to_string().contains("newer than this kitascan"));
    }
}
