//! A batch of events made ready for the journal on the scheduler's thread: the events serialised
//! as JSON lines, and what they change in the run's totals.
//!
//! Serialising there, as the scheduler flushes, lets the events' values be freed at once while
//! they are still in cache. Holding a millisecond of events (their inputs and outputs are
//! `BTreeMap`s of a few hundred bytes each) until a writer on another thread serialised them cost
//! fast nodes a third of their speed: a chain of `text_template` nodes ran at 2.4 µs/node with
//! its events dropped as made and at 3.1–3.6 µs/node with the last thousand kept (measured with
//! `examples/profile_run.rs`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::JournalError;
use crate::events::{Event, RunEvent, RunStatus};

/// An event as a segment holds it: without its run id, which every event of a segment shares.
#[derive(Debug, Serialize, Deserialize)]
pub struct Line<K> {
    /// Position in the run's event log.
    pub seq: u64,
    /// When, in ms since the epoch.
    pub at: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: K,
}

impl Line<RunEvent> {
    /// The event it holds, of run `run`.
    pub fn into_event(self, run: Arc<str>) -> Event {
        Event { run, seq: self.seq, at: self.at, kind: self.kind }
    }
}

/// Consecutive events of one run, serialised, with their effect on the run's totals.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Segment {
    /// Number of the first event.
    pub first_seq: u64,
    /// Number of the last event.
    pub last_seq: u64,
    /// How many events it holds.
    pub count: usize,
    /// The events as JSON ([`Line`]s), one per line, each ending in `\n` (UTF-8: serde_json
    /// writes no other).
    pub lines: Vec<u8>,
    /// The length of its longest line (a journal spills long ones to files).
    pub longest_line: usize,
    /// What the events change in the run's totals.
    pub totals: Totals,
}

/// What a segment's events change in the run's row.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Totals {
    /// The status it ends in, when an event set one.
    pub status: Option<RunStatus>,
    /// Whether a node settled (a run that was waiting for a person moves again).
    pub settled: bool,
    /// The run's end, when it ended: outputs, error, time.
    pub finished: Option<Finished>,
    /// Nodes that succeeded (or were reused).
    pub succeeded: u64,
    /// Nodes that failed for good.
    pub failed: u64,
    /// Nodes skipped.
    pub skipped: u64,
    /// Prompt tokens of model calls.
    pub tokens_in: u64,
    /// Output tokens of model calls.
    pub tokens_out: u64,
    /// USD spent on priced models.
    pub cost_usd: f64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// Its outputs.
    pub outputs: Map<String, Value>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// When, in ms since the epoch.
    pub at: u64,
}

impl Segment {
    /// Appends `events` (which follow what it holds).
    pub fn push(&mut self, events: &[Event]) -> Result<(), JournalError> {
        events.iter().try_for_each(|event| self.push_kind(event.seq, event.at, &event.kind))
    }

    /// Appends event `seq`, which happened at `at` (and follows what it holds).
    pub fn push_kind(&mut self, seq: u64, at: u64, kind: &RunEvent) -> Result<(), JournalError> {
        let start = self.lines.len();
        if let Err(e) = write_line(&mut self.lines, seq, at, kind) {
            self.lines.truncate(start);
            return Err(JournalError(format!("event {seq} does not serialise: {e}")));
        }
        if self.count == 0 {
            self.first_seq = seq;
        }
        self.longest_line = self.longest_line.max(self.lines.len() - start);
        self.totals.add(at, kind);
        self.last_seq = seq;
        self.count += 1;
        Ok(())
    }

    /// Appends another segment that follows this one, and returns the buffer left over (emptied,
    /// its capacity kept for the next segment): `next`'s, once its lines are copied here, or this
    /// one's own when it held nothing and takes `next` whole.
    pub fn append(&mut self, mut next: Segment) -> Vec<u8> {
        if next.count == 0 {
            next.lines.clear();
            return next.lines;
        }
        if self.count == 0 {
            let mut spare = std::mem::replace(self, next).lines;
            spare.clear();
            return spare;
        }
        self.lines.extend_from_slice(&next.lines);
        self.last_seq = next.last_seq;
        self.count += next.count;
        self.longest_line = self.longest_line.max(next.longest_line);
        self.totals.append(next.totals);
        next.lines.clear();
        next.lines
    }

    /// An empty segment that writes into `buffer` (emptied; its capacity is reused).
    pub fn reusing(mut buffer: Vec<u8>) -> Self {
        buffer.clear();
        Self { lines: buffer, ..Self::default() }
    }

    /// The lines as text.
    pub fn text(&self) -> Result<&str, JournalError> {
        std::str::from_utf8(&self.lines).map_err(|e| JournalError(format!("a journal segment is not UTF-8: {e}")))
    }

    /// Whether it holds no event.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Writes event `seq` as a [`Line`] and a newline: the same text as serialising a `Line`, made
/// without serde's `flatten` (which goes through a map per field).
///
/// The kinds every fast node journals (queued, started, succeeded) are written field by field:
/// their names and tags are known to need no escaping, where serde's derive scans each one byte
/// by byte (escaping was a quarter of journaling a `text_template` fan-out). Other kinds are
/// serialised on their own (an object, as `RunEvent` is tagged inside) and their opening brace
/// becomes the comma after `seq` and `at`. The test
/// `hot_kinds_are_written_exactly_as_serde_writes_them` keeps the two ways identical.
fn write_line(lines: &mut Vec<u8>, seq: u64, at: u64, kind: &RunEvent) -> Result<(), serde_json::Error> {
    lines.push(b'{');
    number(lines, b"\"seq\":", seq);
    number(lines, b",\"at\":", at);
    match kind {
        RunEvent::NodeQueued { node } => {
            lines.extend_from_slice(b",\"type\":\"node_queued\"");
            json(lines, b",\"node\":", node.as_ref())?;
        }
        RunEvent::NodeStarted { node, attempt, inputs } => {
            lines.extend_from_slice(b",\"type\":\"node_started\"");
            json(lines, b",\"node\":", node.as_ref())?;
            number(lines, b",\"attempt\":", u64::from(*attempt));
            json(lines, b",\"inputs\":", inputs.as_ref())?;
        }
        RunEvent::NodeSucceeded { node, attempt, outputs, duration_ms, key } => {
            lines.extend_from_slice(b",\"type\":\"node_succeeded\"");
            json(lines, b",\"node\":", node.as_ref())?;
            number(lines, b",\"attempt\":", u64::from(*attempt));
            json(lines, b",\"outputs\":", outputs.as_ref())?;
            number(lines, b",\"duration_ms\":", *duration_ms);
            // Keys are `blake3:<hex>`: nothing to escape (anything else goes through serde).
            // Checked without an early exit, so the check vectorises.
            match key {
                Some(key) if key.bytes().fold(true, |plain, b| plain & (b >= 0x20) & (b != b'"') & (b != b'\\')) => {
                    lines.extend_from_slice(b",\"key\":\"");
                    lines.extend_from_slice(key.as_bytes());
                    lines.push(b'"');
                }
                Some(key) => json(lines, b",\"key\":", key)?,
                None => {}
            }
        }
        _ => {
            let start = lines.len();
            serde_json::to_writer(&mut *lines, kind)?;
            match lines.get_mut(start) {
                Some(brace @ b'{') => *brace = b',',
                _ => return Err(serde::ser::Error::custom("an event kind serialises as an object")),
            }
            lines.push(b'\n');
            return Ok(());
        }
    }
    lines.extend_from_slice(b"}\n");
    Ok(())
}

/// `name` (quoted, with its colon and any leading comma) and the number `n`.
fn number(lines: &mut Vec<u8>, name: &[u8], n: u64) {
    lines.extend_from_slice(name);
    lines.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `name` (as for [`number`]) and `value` as JSON.
fn json(lines: &mut Vec<u8>, name: &[u8], value: &(impl Serialize + ?Sized)) -> Result<(), serde_json::Error> {
    lines.extend_from_slice(name);
    serde_json::to_writer(&mut *lines, value)
}

impl Totals {
    fn add(&mut self, at: u64, kind: &RunEvent) {
        match kind {
            RunEvent::NodeSucceeded { .. } | RunEvent::NodeCached { .. } => {
                self.succeeded += 1;
                self.settled = true;
            }
            RunEvent::NodeFailed { .. } => {
                self.failed += 1;
                self.settled = true;
            }
            RunEvent::NodeSkipped { .. } => self.skipped += 1,
            // An agent's tool call that waited for approval has its result: the run moves again.
            RunEvent::AgentToolResult { .. } => self.settled = true,
            RunEvent::RunStarted { .. } | RunEvent::RunResumed => self.status = Some(RunStatus::Running),
            RunEvent::RunPaused => self.status = Some(RunStatus::Paused),
            RunEvent::NodeWaiting { .. } => self.status = Some(RunStatus::Waiting),
            RunEvent::RunFinished { status, outputs, error } => {
                self.status = Some(*status);
                self.finished = Some(Finished { outputs: outputs.clone(), error: error.clone(), at });
            }
            RunEvent::NodeUsage { usage, .. } => {
                self.tokens_in += usage.input_tokens;
                self.tokens_out += usage.output_tokens;
                self.cost_usd += usage.cost_usd.unwrap_or(0.0);
            }
            RunEvent::NodeStarted { .. }
            | RunEvent::NodeRetrying { .. }
            | RunEvent::RunCancelled { .. }
            | RunEvent::AgentTurn { .. }
            | RunEvent::BudgetExceeded { .. }
            | RunEvent::NodeQueued { .. }
            | RunEvent::NodeProgress { .. }
            | RunEvent::NodeOutputDelta { .. }
            | RunEvent::LoopIteration { .. } => {}
        }
    }

    fn append(&mut self, next: Totals) {
        self.status = next.status.or(self.status);
        self.settled |= next.settled;
        if next.finished.is_some() {
            self.finished = next.finished;
        }
        self.succeeded += next.succeeded;
        self.failed += next.failed;
        self.skipped += next.skipped;
        self.tokens_in += next.tokens_in;
        self.tokens_out += next.tokens_out;
        self.cost_usd += next.cost_usd;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(seq: u64, kind: RunEvent) -> Event {
        Event { run: "r".into(), seq, at: 1000 + seq, kind }
    }

    #[test]
    fn segments_hold_one_line_per_event_and_add_up_the_totals() {
        let started = RunEvent::NodeStarted { node: "a".into(), attempt: 1, inputs: Arc::new(Map::new()) };
        let succeeded = RunEvent::NodeSucceeded {
            node: "a".into(),
            attempt: 1,
            outputs: Arc::new(json!({"text": "line\nbreak"}).as_object().cloned().unwrap_or_default()),
            duration_ms: 0,
            key: None,
        };
        let mut first = Segment::default();
        first.push(&[event(1, RunEvent::RunPaused), event(2, started)]).expect("serialises");
        let mut second = Segment::default();
        second.push(&[event(3, succeeded), event(4, RunEvent::RunResumed)]).expect("serialises");
        first.append(second);
        assert_eq!((first.first_seq, first.last_seq, first.count), (1, 4, 4));
        let text = first.text().expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "a newline inside a value stays escaped: {lines:?}");
        let back: Line<RunEvent> = serde_json::from_str(lines[2]).expect("a line is an event");
        assert_eq!(back.into_event("r".into()).seq, 3);
        assert!(!lines[0].contains("\"run\""), "the run id is the segment's: {}", lines[0]);
        let paused = Line { seq: 1, at: 1001, kind: RunEvent::RunPaused };
        assert_eq!(lines[0], serde_json::to_string(&paused).expect("a line"), "the same text as a Line");
        assert_eq!(first.longest_line, lines.iter().map(|l| l.len() + 1).max().unwrap_or(0));
        assert_eq!(
            (first.totals.succeeded, first.totals.settled, first.totals.status),
            (1, true, Some(RunStatus::Running))
        );
    }

    #[test]
    fn appending_hands_back_an_emptied_buffer_and_a_reused_one_starts_clean() {
        let queued = |seq| event(seq, RunEvent::NodeQueued { node: "a".into() });
        let mut held = Segment::default();
        let mut first = Segment::default();
        first.push(&[queued(1)]).expect("serialises");
        // Into an empty segment: it takes `first` whole and hands back its own (empty) buffer.
        assert_eq!(held.append(first).capacity(), 0);
        let mut second = Segment::default();
        second.push(&[queued(2), queued(3)]).expect("serialises");
        let written = second.lines.capacity();
        // Into a non-empty one: the lines are copied and `second`'s buffer comes back, emptied.
        let spare = held.append(second);
        assert!(spare.is_empty() && spare.capacity() == written);
        let mut next = Segment::reusing(spare);
        assert!(next.is_empty() && next.lines.capacity() == written);
        next.push(&[queued(4)]).expect("serialises");
        assert_eq!((next.first_seq, next.last_seq, next.text().expect("UTF-8").lines().count()), (4, 4, 1));
        assert_eq!((held.first_seq, held.last_seq, held.count), (1, 3, 3));
        assert_eq!(held.text().expect("UTF-8").lines().count(), 3);
    }

    #[test]
    fn hot_kinds_are_written_exactly_as_serde_writes_them() {
        let map = |value: Value| Arc::new(value.as_object().cloned().unwrap_or_default());
        let odd = "n\"1\\é\u{1}\n/😀";
        let kinds = [
            RunEvent::NodeQueued { node: "a".into() },
            RunEvent::NodeQueued { node: odd.into() },
            RunEvent::NodeStarted { node: odd.into(), attempt: 3, inputs: map(json!({})) },
            RunEvent::NodeStarted {
                node: "loop[2].b".into(),
                attempt: 1,
                inputs: map(json!({"in": {"n": 1.5, "list": [null, true, "x\u{7f}\""]}, "z": -7})),
            },
            RunEvent::NodeSucceeded {
                node: "a".into(),
                attempt: 1,
                outputs: map(json!({"text": "49"})),
                duration_ms: 0,
                key: Some("blake3:d32f2f3691fd786ee550c6be92069a7d".into()),
            },
            RunEvent::NodeStarted {
                node: "n1".into(),
                attempt: 1,
                inputs: map(json!({
                    "numbers": [0, -0.0, 1e300, -1.25e-7, 0.1, u64::MAX, i64::MIN, -1, 12345678901234567890_u64, 2.5e15],
                    "empty": {"a": [], "b": {}, "c": "", "d": [[]]},
                    "text": ["plain/é😀", "tab\there", "quote\"", "back\\slash", "\u{0}\u{1f}", "\u{7f}"],
                    "na\"me\n": {"k\\": false, "": null},
                })),
            },
            RunEvent::NodeSucceeded {
                node: "n1".into(),
                attempt: 1,
                outputs: map(json!({"result": {"n": 2}, "text": "49", "list": [{"x": 1.0}, [true, null]]})),
                duration_ms: 3,
                key: None,
            },
            RunEvent::NodeSucceeded {
                node: odd.into(),
                attempt: 4_294_967_295,
                outputs: map(json!({})),
                duration_ms: u64::MAX,
                key: None,
            },
            RunEvent::NodeSucceeded {
                node: "k".into(),
                attempt: 2,
                outputs: map(json!({"a": [1, 2]})),
                duration_ms: 12,
                key: Some("not/a \"plain\" key".into()),
            },
            RunEvent::RunPaused,
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let seq = i as u64 * 1_000_003;
            let mut written = Vec::new();
            write_line(&mut written, seq, u64::MAX - seq, &kind).expect("writes");
            let line = Line { seq, at: u64::MAX - seq, kind };
            let expected = format!("{}\n", serde_json::to_string(&line).expect("serialises"));
            assert_eq!(String::from_utf8(written).expect("UTF-8"), expected);
        }
    }
}
