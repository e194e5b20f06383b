//! The transactional outbox: events for the back office, written in the same SQLite transaction
//! as the change they describe, read back in commit order by the fleet publisher.
//!
//! Invariants:
//! - An event exists only if its change committed, and every committed change that carries an
//!   event has it: [`append`] takes the change's own [`Transaction`].
//! - Events are delivered in `seq` order; a row is marked delivered only when its sink
//!   acknowledged it, and [`Store::purge_delivered_before`] removes delivered rows only: an
//!   undelivered row is never purged by retention.
//! - Payloads hold personal data like the scans themselves; nothing here logs one.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError};

/// What an event says happened to a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A reading was stored (camera or upload).
    Scan,
    /// A stored reading's fields were corrected.
    Correction,
    /// A stored reading was deleted.
    Deletion,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Scan => "scan",
            EventKind::Correction => "correction",
            EventKind::Deletion => "deletion",
        }
    }

    fn parse(s: &str) -> EventKind {
        match s {
            "correction" => EventKind::Correction,
            "deletion" => EventKind::Deletion,
            _ => EventKind::Scan,
        }
    }
}

/// An event to write with a change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The event's own id (a UUID).
    pub event_id: String,
    pub kind: EventKind,
    pub scan_id: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The message as it will be sent (JSON text).
    pub payload: String,
}

/// An event waiting for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    /// Its place in the delivery order.
    pub seq: i64,
    pub event_id: String,
    pub kind: EventKind,
    pub scan_id: String,
    pub created_at: i64,
    pub payload: String,
}

/// The outbox at a glance: what `/healthz` and `/metrics` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    /// Undelivered events.
    pub depth: u64,
    /// When the oldest undelivered event was written (milliseconds since the epoch).
    pub oldest_undelivered: Option<i64>,
    /// When an event was last acknowledged (milliseconds since the epoch).
    pub last_delivered: Option<i64>,
}

/// Writes `event` within `tx`, the transaction of the change it describes; its `seq`.
///
/// Code that changes a scan in the store (a correction, say) calls this with its own transaction,
/// so that the event commits or rolls back with the change.
pub fn append(tx: &Transaction<'_>, event: &NewEvent) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO outbox (event_id, kind, scan_id, created_at, payload) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            event.event_id,
            event.kind.as_str(),
            event.scan_id,
            event.created_at,
            event.payload,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Up to `limit` undelivered events after `after_seq`, oldest first.
    pub fn outbox_pending(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, event_id, kind, scan_id, created_at, payload FROM outbox \
             WHERE delivered_at IS NULL AND seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after_seq, limit as i64], |r| {
            let kind: String = r.get(2)?;
            Ok(OutboxEvent {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: EventKind::parse(&kind),
                scan_id: r.get(3)?,
                created_at: r.get(4)?,
                payload: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks the events `seqs` delivered at `at` (milliseconds since the epoch), in one
    /// transaction; how many were undelivered until now.
    pub fn outbox_mark_delivered(&self, seqs: &[i64], at: i64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET delivered_at = ?2 WHERE seq = ?1 AND delivered_at IS NULL",
            )?;
            for seq in seqs {
                n += stmt.execute(params![seq, at])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Depth, oldest undelivered and last delivery of the outbox.
    pub fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let conn = self.conn();
        let (depth, oldest): (i64, Option<i64>) = conn.query_row(
            "SELECT count(*), min(created_at) FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let last: Option<i64> = conn
            .query_row(
                "SELECT max(delivered_at) FROM outbox WHERE delivered_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(OutboxStats {
            depth: depth.max(0) as u64,
            oldest_undelivered: oldest,
            last_delivered: last,
        })
    }

    /// Deletes events delivered before `cutoff` (milliseconds since the epoch); how many.
    /// Undelivered events are never deleted here.
    pub fn purge_delivered_before(&self, cutoff: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?1",
            [cutoff],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{open, scan};

    fn event(kind: EventKind, scan_id: &str, at: i64) -> NewEvent {
        NewEvent {
            event_id: format!("e-{scan_id}-{}", kind.as_str()),
            kind,
            scan_id: scan_id.into(),
            created_at: at,
            payload: format!("{{\"scan_id\":\"{scan_id}\"}}"),
        }
    }

    #[test]
    fn events_commit_with_their_change_and_come_back_in_order() {
        let (_dir, store) = open();
        for i in 0..3 {
            let id = format!("s{i}");
            store
                .insert_with_event(
                    &scan(&id, 100 + i, "KITAS"),
                    Some(&event(EventKind::Scan, &id, 100 + i)),
                )
                .unwrap();
        }
        assert!(
            store
                .delete_with_event("s1", "ops", Some(&event(EventKind::Deletion, "s1", 200)))
                .unwrap()
        );
        // Deleting what is not there writes no event.
        assert!(
            !store
                .delete_with_event("s1", "ops", Some(&event(EventKind::Deletion, "s9", 201)))
                .unwrap()
        );
        // A refused insert (duplicate id) leaves no event behind.
        assert!(
            store
                .insert_with_event(
                    &scan("s0", 300, "KITAS"),
                    Some(&event(EventKind::Correction, "s0", 300))
                )
                .is_err()
        );
        let got = store.outbox_pending(0, 10).unwrap();
        let summary: Vec<_> = got.iter().map(|e| (e.kind, e.scan_id.as_str())).collect();
        assert_eq!(
            summary,
            [
                (EventKind::Scan, "s0"),
                (EventKind::Scan, "s1"),
                (EventKind::Scan, "s2"),
                (EventKind::Deletion, "s1"),
            ]
        );
        assert!(got.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(
            store.outbox_pending(got[1].seq, 1).unwrap()[0].scan_id,
            "s2"
        );
        let stats = store.outbox_stats().unwrap();
        assert_eq!(
            (stats.depth, stats.oldest_undelivered, stats.last_delivered),
            (4, Some(100), None)
        );
    }

    #[test]
    fn only_delivered_events_are_purged() {
        let (_dir, store) = open();
        for i in 0..4 {
            let id = format!("s{i}");
            store
                .insert_with_event(
                    &scan(&id, i, "KITAS"),
                    Some(&event(EventKind::Scan, &id, i)),
                )
                .unwrap();
        }
        let seqs: Vec<i64> = store
            .outbox_pending(0, 10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(store.outbox_mark_delivered(&seqs[..2], 1_000).unwrap(), 2);
        // Twice is once.
        assert_eq!(store.outbox_mark_delivered(&seqs[..1], 2_000).unwrap(), 0);
        let stats = store.outbox_stats().unwrap();
        assert_eq!(
            (stats.depth, stats.oldest_undelivered, stats.last_delivered),
            (2, Some(2), Some(1_000))
        );
        // A cutoff after every delivery: the two delivered go, the two waiting stay.
        assert_eq!(store.purge_delivered_before(i64::MAX).unwrap(), 2);
        let left: Vec<_> = store
            .outbox_pending(0, 10)
            .unwrap()
            .into_iter()
            .map(|e| e.scan_id)
            .collect();
        assert_eq!(left, ["s2", "s3"]);
        assert_eq!(store.purge_delivered_before(i64::MAX).unwrap(), 0);
    }
}
