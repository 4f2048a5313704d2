//! The emitter numbers events and batches them. With a durable journal, each event is serialised
//! into the pending [`Segment`] as it is pushed (see `segment` for why); events themselves are
//! kept only for sinks that want them. A flush hands the segment to a writer task which, after
//! letting a millisecond of events gather, writes everything waiting in one transaction (group
//! commit) and only then hands the events to the sinks: nothing is announced that a crash could
//! lose, and the scheduler never waits for the disk. Nodes with effects wait until their own
//! start is journaled ([`Emitter::journaled`]), so an effect is never fired for state a crash
//! would forget.

use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinHandle;

use super::RunControl;
use super::segment::Segment;
use crate::events::{Clock, Event, EventSink, RunEvent};

/// Durable storage for a run's events, in order. Implemented by the SQLite store; runs without
/// a store use [`NoJournal`].
pub trait Journal: Send + Sync {
    /// Stores a segment of consecutive events atomically (all or none).
    fn append<'a>(&'a self, segment: &'a Segment) -> BoxFuture<'a, Result<(), JournalError>>;

    /// Whether it stores anything (if not, events go straight to the sinks).
    fn is_durable(&self) -> bool {
        true
    }
}

/// The journal could not store events; the run stops rather than announce unjournaled state.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not journal the run: {0}")]
pub struct JournalError(pub String);

/// Keeps nothing: for in-memory runs (tests, benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoJournal;

impl Journal for NoJournal {
    fn append<'a>(&'a self, _: &'a Segment) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn is_durable(&self) -> bool {
        false
    }
}

/// What may be handed to the writer and not yet journaled before `flush` waits, in KiB of
/// serialised events (8 MiB; a 10k-node run writes about 3.5 MiB in all). It bounds what a run
/// that outpaces the disk holds. Counted in bytes, not events, because the events themselves are
/// freed once serialised: a bound of 4,096 events (0.6 MiB of text) made the scheduler wait
/// whenever SQLite paused to checkpoint its WAL, which cost a journaled 10k chain of
/// `text_template` nodes 3.15 → 2.84 µs/node.
const QUEUED_KIB: usize = 8 * 1024;

/// What an event kept for a sink (with its inputs and outputs) counts for in [`QUEUED_KIB`]:
/// a run whose sink keeps its events holds at most about 2,000 of them in flight.
const KEPT_EVENT_KIB: usize = 4;

/// The largest buffer the writer hands back for reuse (a burst's larger ones are freed, so they
/// do not stay pinned for the rest of the run).
const SPARE_BYTES: usize = 1 << 20;

/// Events waiting at which the writer starts a transaction without lingering.
const GROUP_COMMIT_EVENTS: usize = 512;

/// How long the writer, once woken, lets events gather before it writes them (unless enough
/// wait, an effect waits for its start, or the run ends). One transaction and one wake-up per
/// linger instead of one per scheduler turn: what a chain of fast nodes pays for its journal.
const LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// Events flushed by the scheduler and not yet taken by the writer.
#[derive(Default)]
struct Outbox {
    /// The events, serialised.
    segment: Segment,
    /// The events themselves, when the sink wants them.
    events: Vec<Event>,
    /// The share of [`QUEUED_KIB`] these events hold until journaled.
    room: Option<OwnedSemaphorePermit>,
    /// The highest event number an effect waits for (see [`Emitter::journaled`]).
    urgent: u64,
    /// An emptied buffer for the scheduler's next segment: the writer's last one, or what an
    /// append left over. Serialising into a buffer that already has room spares the scheduler
    /// growing a fresh one (each doubling copies what it holds) and the allocator a large block
    /// made on one thread and freed on another for every write.
    spare: Vec<u8>,
    /// No more flushes come: write what is left and stop.
    closed: bool,
    /// The journal failed: flushes are dropped, unannounced.
    failed: bool,
}

impl Outbox {
    /// Whether the writer should write now rather than linger.
    fn pressing(&self) -> bool {
        self.closed
            || self.segment.count >= GROUP_COMMIT_EVENTS
            || (self.urgent > 0 && !self.segment.is_empty() && self.segment.last_seq >= self.urgent)
    }
}

/// What the scheduler and the writer share.
struct Shared {
    outbox: Mutex<Outbox>,
    /// Wakes the writer: events arrived in an empty outbox.
    arrived: Notify,
    /// Cuts the writer's linger short: [`Outbox::pressing`] became true.
    hurry: Notify,
}

impl Shared {
    fn outbox(&self) -> std::sync::MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Pending {
    seq: u64,
    /// The events, for sinks that want them.
    events: Vec<Event>,
    /// With a journal: the events, serialised as they were pushed.
    segment: Segment,
    /// When the oldest event of this batch was pushed.
    since: Option<std::time::Instant>,
    /// An event that would not serialise: the run stops at the next flush.
    broken: Option<JournalError>,
}

enum Mode {
    /// No durable journal: batches go straight to the sink.
    Direct(Arc<dyn EventSink>),
    /// Batches go to the writer task through the outbox.
    Journaled {
        shared: Arc<Shared>,
        control: RunControl,
        /// Permits, in KiB, for events not yet journaled (see [`QUEUED_KIB`]).
        room: Arc<Semaphore>,
        journaled: watch::Receiver<u64>,
        writer: Mutex<Option<JoinHandle<Result<(), JournalError>>>>,
    },
}

/// Numbers, batches, journals and announces a run's events.
pub struct Emitter {
    run: Arc<str>,
    clock: Arc<dyn Clock>,
    pending: Mutex<Pending>,
    /// Wakes the scheduler when an executor pushed events (progress, deltas) between turns.
    pushed: Notify,
    mode: Mode,
    /// Whether the sink does anything with events; if not, none is kept once numbered (and,
    /// with a journal, serialised).
    keep: bool,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter").field("run", &self.run).finish_non_exhaustive()
    }
}

impl Emitter {
    /// An emitter for run `run` whose next event gets number `next_seq`. A journal failure
    /// cancels the run through `control`. Must be created inside a tokio runtime.
    pub fn new(
        run: String,
        next_seq: u64,
        clock: Arc<dyn Clock>,
        journal: Arc<dyn Journal>,
        sink: Arc<dyn EventSink>,
        control: RunControl,
    ) -> Self {
        let keep = sink.wants_events();
        let mode = if journal.is_durable() {
            let shared = Arc::new(Shared { outbox: Mutex::default(), arrived: Notify::new(), hurry: Notify::new() });
            let (journaled_tx, journaled) = watch::channel(next_seq.saturating_sub(1));
            let writer = tokio::spawn(write_batches(Arc::clone(&shared), journal, sink, journaled_tx, control.clone()));
            Mode::Journaled {
                shared,
                control,
                room: Arc::new(Semaphore::new(QUEUED_KIB)),
                journaled,
                writer: Mutex::new(Some(writer)),
            }
        } else {
            Mode::Direct(sink)
        };
        Self {
            run: run.into(),
            clock,
            pending: Mutex::new(Pending {
                seq: next_seq,
                events: Vec::new(),
                segment: Segment::default(),
                since: None,
                broken: None,
            }),
            pushed: Notify::new(),
            mode,
            keep,
        }
    }

    /// Queues an event and returns its number; it is journaled and announced after a flush.
    pub fn push(&self, kind: RunEvent) -> u64 {
        let at = self.clock.now_ms();
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let seq = pending.seq;
        pending.seq += 1;
        let journaled = matches!(self.mode, Mode::Journaled { .. });
        if pending.since.is_none() && (journaled || self.keep) {
            pending.since = Some(std::time::Instant::now());
        }
        if journaled && let Err(error) = pending.segment.push_kind(seq, at, &kind) {
            pending.broken.get_or_insert(error);
        }
        if self.keep {
            pending.events.push(Event { run: self.run.clone(), seq, at, kind });
        }
        drop(pending);
        self.pushed.notify_one();
        seq
    }

    /// Flushes when [`GROUP_COMMIT_EVENTS`] events are queued or the oldest has waited
    /// [`LINGER`]. For a scheduler that keeps finding finished work without waiting: its turns'
    /// few events then reach the journal in batches, not a lock, a permit and a wake-up each.
    pub async fn flush_due(&self) {
        let due = {
            let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.events.len().max(pending.segment.count) >= GROUP_COMMIT_EVENTS
                || pending.since.is_some_and(|t| t.elapsed() >= LINGER)
        };
        if due {
            self.flush().await;
        }
    }

    /// Hands what is queued to the journal (or, without one, to the sinks).
    pub async fn flush(&self) {
        // An emptied buffer the outbox gave back, for the next segment.
        let mut spare = Vec::new();
        let (segment, mut batch, broken) = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.since = None;
            (std::mem::take(&mut pending.segment), std::mem::take(&mut pending.events), pending.broken.take())
        };
        match &self.mode {
            Mode::Direct(sink) if !batch.is_empty() => sink.emit(&batch),
            Mode::Direct(_) => {}
            Mode::Journaled { shared, control, room, .. } => {
                if let Some(error) = broken {
                    shared.outbox().failed = true;
                    tracing::error!(%error, "journal failed; stopping the run");
                    control.cancel(error.to_string());
                    return;
                }
                if segment.is_empty() {
                    return;
                }
                // A batch larger than the bound takes all of it (and waits for an empty queue).
                let kib = segment.lines.len().div_ceil(1024) + batch.len() * KEPT_EVENT_KIB;
                let wanted = kib.min(QUEUED_KIB) as u32;
                let permit = match Arc::clone(room).try_acquire_many_owned(wanted) {
                    Ok(permit) => permit,
                    Err(_) => {
                        // The writer is behind: let it write at once, and wait for room.
                        shared.hurry.notify_one();
                        // Closed only once the writer stopped on a journal error.
                        let Ok(permit) = Arc::clone(room).acquire_many_owned(wanted).await else { return };
                        permit
                    }
                };
                let (was_empty, pressing) = {
                    let mut outbox = shared.outbox();
                    if outbox.failed {
                        // The writer stopped on a journal error (the run is being cancelled);
                        // the batch is dropped, unannounced.
                        return;
                    }
                    let was_empty = outbox.segment.is_empty();
                    spare = outbox.segment.append(segment);
                    if spare.capacity() < outbox.spare.capacity() {
                        std::mem::swap(&mut spare, &mut outbox.spare);
                    }
                    outbox.events.append(&mut batch);
                    match &mut outbox.room {
                        Some(held) => held.merge(permit),
                        held => *held = Some(permit),
                    }
                    (was_empty, outbox.pressing())
                };
                if was_empty {
                    shared.arrived.notify_one();
                }
                if pressing {
                    shared.hurry.notify_one();
                }
            }
        }
        // The emptied buffers become the next batch's.
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.segment.is_empty() && pending.segment.lines.capacity() < spare.capacity() {
            pending.segment = Segment::reusing(spare);
        }
        if pending.events.is_empty() && batch.capacity() > 0 {
            batch.clear();
            std::mem::swap(&mut pending.events, &mut batch);
        }
    }

    /// Resolves once every event up to `seq` is journaled (at once without a journal).
    pub async fn journaled(&self, seq: u64) {
        if let Mode::Journaled { shared, journaled, .. } = &self.mode {
            let mut journaled = journaled.clone();
            if *journaled.borrow() >= seq {
                return;
            }
            let pressing = {
                let mut outbox = shared.outbox();
                outbox.urgent = outbox.urgent.max(seq);
                outbox.pressing()
            };
            if pressing {
                shared.hurry.notify_one();
            }
            let _ = journaled.wait_for(|&done| done >= seq).await;
        }
    }

    /// Flushes, then waits until the writer has journaled and announced everything.
    pub async fn close(&self) -> Result<(), JournalError> {
        self.flush().await;
        if let Mode::Journaled { shared, writer, .. } = &self.mode {
            shared.outbox().closed = true;
            shared.arrived.notify_one();
            shared.hurry.notify_one();
            let handle = writer.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(handle) = handle {
                return handle.await.map_err(|e| JournalError(format!("the journal writer stopped: {e}")))?;
            }
        }
        Ok(())
    }

    /// Resolves once an event was pushed since the last call.
    pub async fn pushed(&self) {
        self.pushed.notified().await;
    }
}

/// The writer: waits for events, lets more gather for up to [`LINGER`] unless they press,
/// journals everything waiting in one transaction (group commit), then announces it.
async fn write_batches(
    shared: Arc<Shared>,
    journal: Arc<dyn Journal>,
    sink: Arc<dyn EventSink>,
    journaled: watch::Sender<u64>,
    control: RunControl,
) -> Result<(), JournalError> {
    loop {
        let (waiting, pressing, closed) = {
            let outbox = shared.outbox();
            (!outbox.segment.is_empty(), outbox.pressing(), outbox.closed)
        };
        if !waiting {
            if closed {
                return Ok(());
            }
            shared.arrived.notified().await;
            continue;
        }
        if !pressing {
            let _ = tokio::time::timeout(LINGER, shared.hurry.notified()).await;
        }
        let (segment, events, room) = {
            let mut outbox = shared.outbox();
            if outbox.urgent <= outbox.segment.last_seq {
                // This write covers what effects wait for; later segments may linger again.
                outbox.urgent = 0;
            }
            (std::mem::take(&mut outbox.segment), std::mem::take(&mut outbox.events), outbox.room.take())
        };
        if let Err(error) = journal.append(&segment).await {
            tracing::error!(%error, "journal failed; stopping the run");
            {
                let mut outbox = shared.outbox();
                outbox.failed = true;
                outbox.segment = Segment::default();
                outbox.events.clear();
                outbox.room = None;
            }
            control.cancel(error.to_string());
            return Err(error);
        }
        if !events.is_empty() {
            sink.emit(&events);
        }
        journaled.send_replace(segment.last_seq);
        // Announced: room for as many more, and the buffer goes back for the scheduler's next
        // segment.
        drop((events, room));
        let mut lines = segment.lines;
        if lines.capacity() <= SPARE_BYTES {
            lines.clear();
            let mut outbox = shared.outbox();
            if outbox.spare.capacity() < lines.capacity() {
                outbox.spare = lines;
            }
        }
    }
}
