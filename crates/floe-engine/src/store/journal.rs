//! The store as a run journal: each segment of events (see [`Segment`]) goes in as one row of
//! JSON lines, compressed, with the run totals it implies, in one transaction. A row per
//! transaction rather than per event (and no row per node attempt: those are read from the
//! events) is what lets journaling keep up with nodes that take a few microseconds.
//!
//! The lines are stored as a zstd frame (`codec = 'zstd'`, migration 11). Event lines repeat
//! their field names, tags and node ids, so level 1 stores a 10k-node chain's 3.1 MB of lines in
//! about 0.44 MB, at ~0.8 GB/s (`zstd -b1` on those lines) on the writer's thread. What SQLite then writes (WAL frames and
//! their checksums, the checkpoint's copy into the database file) shrinks by as much, and that
//! work, on the other core, was what slowed the scheduler: a journaled 10k chain of
//! `text_template` nodes went from 2.32 to 2.14 µs/node (in memory: 1.67; ARCHITECTURE.md,
//! "Segments are stored compressed").

use std::borrow::Cow;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Store, StoreError, blobs};
use crate::events::RunStatus;
use crate::run::{Journal, JournalError, Segment};

/// Journals one run into the store.
#[derive(Debug, Clone)]
pub struct StoreJournal {
    store: Store,
    run: Arc<str>,
}

impl StoreJournal {
    pub(super) fn new(store: Store, run: &str) -> Self {
        Self { store, run: run.into() }
    }
}

impl Journal for StoreJournal {
    fn append<'a>(&'a self, segment: &'a Segment) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move { self.write(segment).await.map_err(|e| JournalError(e.to_string())) })
    }
}

/// The segment's lines as stored: a line too long for a row has its large values moved to blob
/// files. Most segments have none, and are stored as they are.
fn stored_lines<'s>(folder: &std::path::Path, segment: &'s Segment) -> Result<Cow<'s, str>, StoreError> {
    let text = segment.text().map_err(|e| StoreError::Damaged(e.0))?;
    if segment.longest_line < blobs::SPILL_BYTES {
        return Ok(Cow::Borrowed(text));
    }
    let damaged = |e: serde_json::Error| StoreError::Damaged(e.to_string());
    let mut lines = String::with_capacity(text.len().min(1 << 20));
    for line in text.lines() {
        if line.len() < blobs::SPILL_BYTES || !has_large_value(line).map_err(damaged)? {
            lines.push_str(line);
        } else {
            let mut data: Value = serde_json::from_str(line).map_err(damaged)?;
            for field in ["outputs", "inputs"] {
                if let Some(Value::Object(map)) = data.get_mut(field) {
                    for value in map.values_mut() {
                        *value = blobs::spill_value(folder, value)?;
                    }
                }
            }
            lines.push_str(&data.to_string());
        }
        lines.push('\n');
    }
    Ok(Cow::Owned(lines))
}

/// Whether an event line's `inputs` or `outputs` hold a value whose JSON text is at least
/// [`blobs::SPILL_BYTES`], the least a value that [`blobs::spill_value`] moves out can take. A
/// line can be long for many small values (a join's 10,000 ports): read borrowed, without
/// building a value or a map, it is then stored as it is.
fn has_large_value(line: &str) -> Result<bool, serde_json::Error> {
    type Fields<'a> = std::collections::HashMap<Cow<'a, str>, &'a serde_json::value::RawValue>;
    let event: Fields = serde_json::from_str(line)?;
    for field in ["outputs", "inputs"] {
        let Some(raw) = event.get(field).map(|raw| raw.get()) else { continue };
        if raw.starts_with('{')
            && serde::Deserializer::deserialize_map(&mut serde_json::Deserializer::from_str(raw), LargeValue)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Reads an object and says whether one of its values is [`blobs::SPILL_BYTES`] or more.
struct LargeValue;

impl<'de> serde::de::Visitor<'de> for LargeValue {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut large = false;
        while let Some((_, value)) = map.next_entry::<serde::de::IgnoredAny, &serde_json::value::RawValue>()? {
            large |= value.get().len() >= blobs::SPILL_BYTES;
        }
        Ok(large)
    }
}

/// Most bytes of events in one row. A burst (10,000 nodes made ready at once) becomes several
/// rows, so neither the row's copies (bound, then built into a record) nor SQLite's page cache
/// grow with it.
const ROW_BYTES: usize = 256 * 1024;

/// `lines` cut at line ends into pieces of about [`ROW_BYTES`] (a longer line is a piece).
fn rows(lines: &str) -> impl Iterator<Item = &str> {
    let mut rest = lines;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = match rest.get(..ROW_BYTES.min(rest.len())).and_then(|head| head.rfind('\n')) {
            Some(end) if rest.len() > ROW_BYTES => end + 1,
            _ if rest.len() <= ROW_BYTES => rest.len(),
            _ => rest.find('\n').map_or(rest.len(), |end| end + 1),
        };
        let (row, tail) = rest.split_at(cut);
        rest = tail;
        Some(row)
    })
}

/// The zstd level of stored segments: level 1 is the fastest of the standard levels, and faster
/// (negative) ones stored more for no time measured on the journal's writes.
const LEVEL: i32 = 1;

/// `lines` as one zstd frame.
fn compress(lines: &[u8]) -> Result<Vec<u8>, StoreError> {
    thread_local! {
        /// The writer thread's compression context, kept between segments rather than made
        /// (allocated and its tables initialised) for each.
        static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    let failed = |e: std::io::Error| StoreError::Refused(format!("could not compress a journal segment: {e}"));
    COMPRESSOR.with_borrow_mut(|compressor| {
        let compressor = match compressor {
            Some(compressor) => compressor,
            empty => empty.insert(zstd::bulk::Compressor::new(LEVEL).map_err(failed)?),
        };
        compressor.compress(lines).map_err(failed)
    })
}

/// The lines a stored segment holds, as `codec` stored them (see the module's doc); when they
/// do not read back, what is wrong with them, for the caller to place.
pub(super) fn decompress<'a>(events: &'a [u8], codec: Option<&str>) -> Result<Cow<'a, str>, String> {
    let bytes = match codec {
        None => return std::str::from_utf8(events).map(Cow::Borrowed).map_err(|e| format!("is not UTF-8: {e}")),
        Some("zstd") => zstd::stream::decode_all(events).map_err(|e| format!("does not decompress: {e}"))?,
        Some(other) => {
            return Err(format!("is stored as `{other}`, which this version of Floe does not read; update Floe"));
        }
    };
    String::from_utf8(bytes).map(Cow::Owned).map_err(|e| format!("is not UTF-8 once decompressed: {e}"))
}

impl StoreJournal {
    async fn write(&self, segment: &Segment) -> Result<(), StoreError> {
        if segment.is_empty() {
            return Ok(());
        }
        let folder = self.store.blobs.as_ref();
        let lines = stored_lines(folder, segment)?;
        let totals = &segment.totals;
        let (outputs, failure, finished_at) = match &totals.finished {
            Some(end) => (Some(blobs::spill_map(folder, &end.outputs)?), end.error.clone(), Some(end.at as i64)),
            None => (None, None, None),
        };
        // Each row's first and last event and its lines compressed, before the transaction
        // takes the database's write lock.
        let mut stored = Vec::new();
        let mut first_seq = segment.first_seq;
        for rows in rows(&lines) {
            // A segment that fits in one row is all its events; a piece of a larger one is counted.
            let count = match rows.len() == lines.len() {
                true => segment.count as u64,
                false => memchr::memchr_iter(b'\n', rows.as_bytes()).count() as u64,
            };
            stored.push((first_seq, first_seq + count - 1, compress(rows.as_bytes())?));
            first_seq += count;
        }
        let error = |e| self.store.error(e);
        let mut tx = self.store.pool.begin().await.map_err(error)?;
        for (first, last, events) in &stored {
            sqlx::query(
                "INSERT INTO event_segments (run_id, first_seq, last_seq, events, codec) VALUES (?, ?, ?, ?, 'zstd')",
            )
            .bind(self.run.as_ref())
            .bind(*first as i64)
            .bind(*last as i64)
            .bind(events.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        }
        sqlx::query(
            "UPDATE runs SET last_seq = max(last_seq, ?), \
             status = coalesce(?, CASE WHEN status = 'waiting' AND ? THEN 'running' ELSE status END), \
             outputs = coalesce(?, outputs), \
             error = coalesce(?, error), finished_at = coalesce(?, finished_at), \
             nodes_succeeded = nodes_succeeded + ?, nodes_failed = nodes_failed + ?, nodes_skipped = nodes_skipped + ?, \
             tokens_in = tokens_in + ?, tokens_out = tokens_out + ?, cost_usd = cost_usd + ?, \
             pid = CASE WHEN ? THEN NULL ELSE pid END WHERE id = ?",
        )
        .bind(segment.last_seq as i64)
        .bind(totals.status.map(RunStatus::as_str))
        // A node that settled after a wait (a decided approval) means the run moves again.
        .bind(totals.settled)
        .bind(outputs)
        .bind(failure)
        .bind(finished_at)
        .bind(totals.succeeded as i64)
        .bind(totals.failed as i64)
        .bind(totals.skipped as i64)
        .bind(totals.tokens_in as i64)
        .bind(totals.tokens_out as i64)
        .bind(totals.cost_usd)
        .bind(finished_at.is_some())
        .bind(self.run.as_ref())
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        tx.commit().await.map_err(error)?;
        // What SQLite was handed to write: what the checkpointer counts.
        let written = stored.iter().map(|(_, _, events)| events.len()).sum();
        self.store.checkpoints.wrote(written, &self.store.connect);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_line_with_one_large_value_is_read_for_spilling() {
        let line = |field: &str, values: serde_json::Map<String, Value>| {
            serde_json::json!({"type": "node_started", "node": "join", field: values}).to_string()
        };
        let many: serde_json::Map<String, Value> =
            (0..10_000).map(|i| (format!("p\"{i}"), Value::from("payload"))).collect();
        let many = line("inputs", many);
        assert!(many.len() > blobs::SPILL_BYTES);
        assert!(!has_large_value(&many).expect("reads"), "long for many small values: stored as it is");
        let large = "x".repeat(blobs::SPILL_BYTES);
        for field in ["inputs", "outputs"] {
            let one = line(field, [("text".to_owned(), Value::from(large.as_str()))].into_iter().collect());
            assert!(has_large_value(&one).expect("reads"), "a large value in `{field}`");
        }
        let nested = serde_json::json!({"outputs": {"rows": [large.as_str()]}}).to_string();
        assert!(has_large_value(&nested).expect("reads"), "a value large for what it holds");
        let elsewhere = serde_json::json!({"type": "node_failed", "error": large, "inputs": null}).to_string();
        assert!(!has_large_value(&elsewhere).expect("reads"), "only inputs and outputs are spilled");
        assert!(has_large_value("{\"inputs\": {\"a\": ").is_err(), "a broken line is an error, not a guess");
    }

    #[test]
    fn rows_cut_at_line_ends_and_keep_every_byte() {
        let line = format!("{}\n", "x".repeat(1000));
        let lines = line.repeat(700);
        let pieces: Vec<&str> = rows(&lines).collect();
        assert!(pieces.len() >= 3 && pieces.iter().all(|p| p.len() <= ROW_BYTES && p.ends_with('\n')));
        assert_eq!(pieces.concat(), lines);
        let long = format!("{}\nshort\n", "y".repeat(ROW_BYTES + 10));
        let pieces: Vec<&str> = rows(&long).collect();
        assert_eq!(pieces, [&long[..ROW_BYTES + 11], "short\n"]);
        assert_eq!(rows("a\n").collect::<Vec<_>>(), ["a\n"]);
    }
}
