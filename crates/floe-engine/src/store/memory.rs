//! Memory in the run store: what agents and workflows remember, per namespace, exact and
//! inspectable. The rules that keep it true, each one enforced here, on every write path:
//!
//! - **The same memory twice is one.** A write whose kind, subject, attribute, text and value
//!   equal an active memory's changes nothing and answers with that memory.
//! - **A new value supersedes.** A semantic fact (entity + attribute), a working key or a named
//!   procedure written with a new value becomes a new memory; the old one is kept as its history,
//!   hidden from search.
//! - **Every memory says where it came from**: the run and node that wrote it, and when.
//! - **Budgets hold.** A namespace's stored memories never take more than its budget: a write
//!   that would pass it is refused, with what to do, and nothing is written.
//! - **Forgetting hides** (from search and lists), or with `hard` deletes the memory and its
//!   history for good.
//! - **A write with an idempotency key happens once**: written again with the same key (a retry,
//!   a resumed run) it answers with what the first write did.
//!
//! Search is SQLite FTS5 with BM25 ranking over the active memories of one namespace. When the
//! memories have embeddings (an embedding model is configured), the query's embedding ranks
//! them by cosine similarity too, and the two rankings are fused (reciprocal rank fusion), so a
//! memory found by either way is found, and one found by both comes first.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, StoreError};

/// What a namespace may hold unless it is given another budget: 16 MiB (the `memories_admit`
/// trigger of migration 0008 creates namespaces with it; a test checks they agree).
pub const DEFAULT_BUDGET: u64 = 16 << 20;
/// The largest single memory (its text and value together): 256 KiB.
pub const MAX_MEMORY_BYTES: usize = 256 << 10;

/// The four kinds of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKind {
    /// Run-scoped key/value that a run's nodes share (subject: the key).
    Working,
    /// Something that happened: what, the outcome, tags.
    Episodic,
    /// A fact about an entity (subject: the entity, attribute: what of it).
    Semantic,
    /// A named procedure or strategy, with counts of its successes and failures.
    Procedural,
}

impl MemoryKind {
    fn as_str(self) -> &'static str {
        match self {
            MemoryKind::Working => "working",
            MemoryKind::Episodic => "episodic",
            MemoryKind::Semantic => "semantic",
            MemoryKind::Procedural => "procedural",
        }
    }

    fn parse(text: &str) -> Option<MemoryKind> {
        [MemoryKind::Working, MemoryKind::Episodic, MemoryKind::Semantic, MemoryKind::Procedural]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Whether a memory is searched, history, or forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemoryState {
    /// Current: found by search and lists.
    Active,
    /// Replaced by a newer value of the same fact; kept as its history.
    Superseded,
    /// Forgotten: hidden, kept for its provenance until deleted.
    Forgotten,
}

/// Where a memory came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    /// The run that wrote it (none: written by a person or an import).
    pub run: Option<String>,
    /// The node path in that run.
    pub node: Option<String>,
}

/// A memory to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewMemory {
    /// Its namespace (letters, digits and `_ - . : /`).
    pub namespace: String,
    /// Its kind.
    pub kind: MemoryKind,
    /// The working key, the entity of a fact, or the procedure's name.
    #[serde(default)]
    pub subject: Option<String>,
    /// The attribute of a fact.
    #[serde(default)]
    pub attribute: Option<String>,
    /// The memory in words: what search reads.
    pub text: String,
    /// Its value (JSON; null when the text is all).
    #[serde(default)]
    pub value: Value,
    /// Words to find it by.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where it came from.
    #[serde(default)]
    pub provenance: Provenance,
    /// The write's idempotency key (a run's node call), so a retry writes nothing new.
    #[serde(default)]
    pub call_key: Option<String>,
}

/// A stored memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Memory {
    /// Its id (stable).
    pub id: i64,
    /// Its namespace.
    pub namespace: String,
    /// Its kind.
    pub kind: MemoryKind,
    /// The working key, the entity, or the procedure's name.
    pub subject: Option<String>,
    /// The attribute of a fact.
    pub attribute: Option<String>,
    /// In words.
    pub text: String,
    /// Its value.
    pub value: Value,
    /// Words to find it by.
    pub tags: Vec<String>,
    /// Active, superseded or forgotten.
    pub state: MemoryState,
    /// The memory that replaced it, when superseded.
    pub superseded_by: Option<i64>,
    /// Pinned by a person: kept first in lists.
    pub pinned: bool,
    /// Procedures: how often it worked.
    pub successes: u32,
    /// Procedures: how often it did not.
    pub failures: u32,
    /// Where it came from.
    pub provenance: Provenance,
    /// When it was written, ms since the epoch.
    pub created_at: u64,
    /// When it last changed (state, pin, counts), ms since the epoch.
    pub updated_at: u64,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Written {
    /// A new memory.
    Added {
        /// It.
        memory: Memory,
    },
    /// The same memory was already there (or this write's key was already written): nothing changed.
    Unchanged {
        /// The memory that holds it.
        memory: Memory,
    },
    /// A new value of a fact, a key or a procedure; the previous one is now its history.
    Superseded {
        /// The new memory.
        memory: Memory,
        /// The id of the one it replaced.
        previous: i64,
    },
}

impl Written {
    /// The memory written (or found).
    pub fn memory(&self) -> &Memory {
        match self {
            Written::Added { memory } | Written::Unchanged { memory } | Written::Superseded { memory, .. } => memory,
        }
    }
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Hit {
    /// The memory.
    pub memory: Memory,
    /// Its BM25 relevance (higher is better).
    pub score: f64,
}

/// A namespace and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Namespace {
    /// Its name.
    pub name: String,
    /// Active memories.
    pub memories: u64,
    /// Bytes its stored memories take (history included, forgotten ones not).
    pub used_bytes: u64,
    /// Most bytes they may take.
    pub budget_bytes: u64,
}

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// Memories this process writes before its writer brings the full-text index up to date (a
/// search does that too, first, whatever is left): indexing in batches costs a fraction of
/// indexing at every write, whose commit would write an index segment each time.
const INDEX_EVERY: usize = 256;

/// Memory writes waiting for a commit, and whether a writer is committing them.
#[derive(Debug, Default)]
pub(crate) struct WriteQueue(std::sync::Mutex<Queued>);

#[derive(Debug, Default)]
struct Queued {
    pending: Vec<Pending>,
    leading: bool,
    /// Memories written since the writer last brought the index up to date.
    unindexed: usize,
}

#[derive(Debug)]
struct Pending {
    new: NewMemory,
    bytes: usize,
    digest: String,
    done: tokio::sync::oneshot::Sender<Result<Written, StoreError>>,
}

impl WriteQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queued> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Memory embeddings read into memory, per namespace and model: read whole on a namespace's
/// first vector search, then only the rows added since (vectors are written once per memory).
#[derive(Debug, Default)]
pub(crate) struct VectorCache(std::sync::Mutex<HashMap<(String, String), SharedVectors>>);

/// One namespace's vectors of one model, shared by the searches reading them.
type SharedVectors = Arc<tokio::sync::RwLock<Vectors>>;

/// One namespace's vectors of one model, as unit vectors end to end.
#[derive(Debug, Default)]
struct Vectors {
    dims: usize,
    ids: Vec<i64>,
    unit: Vec<f32>,
    /// The highest memory id read.
    upto: i64,
}

impl Vectors {
    /// The `k` ids nearest `query` (a unit vector), nearest first, with their cosine similarity.
    fn nearest(&self, query: &[f32], k: usize) -> Vec<(i64, f32)> {
        if self.dims != query.len() || self.ids.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f32, usize)> =
            self.unit.chunks_exact(self.dims).enumerate().map(|(i, v)| (dot(v, query), i)).collect();
        let k = k.min(scored.len());
        if k < scored.len() {
            scored.select_nth_unstable_by(k, |a, b| b.0.total_cmp(&a.0));
            scored.truncate(k);
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(score, i)| (self.ids[i], score)).collect()
    }
}

/// A dot product the compiler vectorises (eight lanes of partial sums).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a8.zip(b8) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// `vector` scaled to length 1 (none for a zero or non-finite vector).
fn unit(vector: &[f32]) -> Option<Vec<f32>> {
    let norm = dot(vector, vector).sqrt();
    (norm.is_finite() && norm > 0.0).then(|| vector.iter().map(|x| x / norm).collect())
}

/// Reciprocal rank fusion's constant: how much the first ranks count more than the later ones.
const RRF_K: f64 = 60.0;

/// A writer's turn at committing. When it ends (done, or stopped short: a dropped future, a
/// panic), the writes that arrived meanwhile get a committing task, or the turn is free again.
struct Turn(Store);

impl Drop for Turn {
    fn drop(&mut self) {
        let mut queue = self.0.memory_writes.lock();
        let runtime = tokio::runtime::Handle::try_current();
        match runtime {
            Ok(runtime) if !queue.pending.is_empty() => {
                drop(queue);
                let store = self.0.clone();
                runtime.spawn(async move { store.commit_memory_writes(Vec::new()).await });
            }
            _ => queue.leading = false,
        }
    }
}

/// A memory's columns (a macro, so queries stay literal strings), optionally of table alias `m`.
macro_rules! columns {
    () => {
        "id, namespace, kind, subject, attribute, text, value, tags, state, superseded_by, pinned, successes, \
         failures, run_id, node, created_at, updated_at"
    };
    (m) => {
        "m.id, m.namespace, m.kind, m.subject, m.attribute, m.text, m.value, m.tags, m.state, m.superseded_by, \
         m.pinned, m.successes, m.failures, m.run_id, m.node, m.created_at, m.updated_at"
    };
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Why a namespace name is refused, if it is.
fn check_namespace(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "`{name}` is not a memory namespace name: use 1–128 letters, digits and `_ - . : /` (e.g. `support` or `agent:research`)"
        )))
    }
}

/// What a kind needs of a new memory, and its size.
fn check_new(new: &NewMemory) -> Result<usize, StoreError> {
    check_namespace(&new.namespace)?;
    let refuse = |why: String| Err(StoreError::Refused(why));
    if new.text.trim().is_empty() {
        return refuse("a memory needs its text: what it says, in words (search reads it)".into());
    }
    let needs_subject = |what: &str| format!("a {} memory needs its `subject` ({what})", new.kind.as_str());
    match new.kind {
        MemoryKind::Semantic => {
            if new.subject.as_deref().is_none_or(str::is_empty) {
                return refuse(needs_subject("the entity the fact is about"));
            }
            if new.attribute.as_deref().is_none_or(str::is_empty) {
                return refuse(
                    "a semantic memory needs its `attribute` (what of the entity it says, e.g. `plan`)".into(),
                );
            }
        }
        MemoryKind::Working => {
            if new.subject.as_deref().is_none_or(str::is_empty) {
                return refuse(needs_subject("the key"));
            }
            if new.provenance.run.is_none() {
                return refuse("working memory belongs to a run: give the run that writes it".into());
            }
        }
        MemoryKind::Procedural => {
            if new.subject.as_deref().is_none_or(str::is_empty) {
                return refuse(needs_subject("the procedure's name"));
            }
        }
        MemoryKind::Episodic => {}
    }
    let bytes = new.text.len() + new.value.to_string().len() + new.tags.iter().map(String::len).sum::<usize>();
    if bytes > MAX_MEMORY_BYTES {
        return refuse(format!(
            "this memory is {} KiB; one memory holds at most {} KiB: store a summary, or the document as a file and its path",
            bytes.div_ceil(1024),
            MAX_MEMORY_BYTES / 1024
        ));
    }
    Ok(bytes)
}

/// What makes two memories the same one.
fn digest(new: &NewMemory) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [
        new.kind.as_str(),
        new.subject.as_deref().unwrap_or(""),
        new.attribute.as_deref().unwrap_or(""),
        new.text.trim(),
        &new.value.to_string(),
        new.provenance.run.as_deref().filter(|_| new.kind == MemoryKind::Working).unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex().to_string()
}

/// Search text as an FTS5 query over one namespace: each word quoted (so no word is read as
/// syntax), any of them may match, in the text or the tags.
fn fts_query(namespace: &str, text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{w}\""))
        .collect();
    (!words.is_empty()).then(|| format!("namespace : \"{namespace}\" AND {{text tags}} : ({})", words.join(" OR ")))
}

fn read(row: &SqliteRow) -> Result<Memory, StoreError> {
    let damaged = |what: &str| StoreError::Damaged(format!("memory row: {what}"));
    let kind: String = row.get("kind");
    let state: String = row.get("state");
    let value: String = row.get("value");
    let tags: String = row.get("tags");
    Ok(Memory {
        id: row.get("id"),
        namespace: row.get("namespace"),
        kind: MemoryKind::parse(&kind).ok_or_else(|| damaged("kind"))?,
        subject: row.get("subject"),
        attribute: row.get("attribute"),
        text: row.get("text"),
        value: serde_json::from_str(&value).map_err(|_| damaged("value"))?,
        tags: tags.split_whitespace().map(str::to_owned).collect(),
        state: match state.as_str() {
            "active" => MemoryState::Active,
            "superseded" => MemoryState::Superseded,
            "forgotten" => MemoryState::Forgotten,
            _ => return Err(damaged("state")),
        },
        superseded_by: row.get("superseded_by"),
        pinned: row.get::<i64, _>("pinned") != 0,
        successes: u32::try_from(row.get::<i64, _>("successes")).unwrap_or(0),
        failures: u32::try_from(row.get::<i64, _>("failures")).unwrap_or(0),
        provenance: Provenance { run: row.get("run_id"), node: row.get("node") },
        created_at: u64::try_from(row.get::<i64, _>("created_at")).unwrap_or(0),
        updated_at: u64::try_from(row.get::<i64, _>("updated_at")).unwrap_or(0),
    })
}

impl Store {
    /// Writes a memory under the rules above.
    ///
    /// Writes made at once (agents and branches writing together) are committed together: the
    /// first writer to find no commit under way writes every write waiting, in one transaction,
    /// and keeps going while more arrive; the others wait for their own answer. Each write is
    /// one statement, so one refused (a budget) leaves the others in the batch standing.
    pub async fn remember(&self, new: &NewMemory) -> Result<Written, StoreError> {
        let bytes = check_new(new)?;
        let (done, answer) = tokio::sync::oneshot::channel();
        let taken = {
            let mut queue = self.memory_writes.lock();
            queue.pending.push(Pending { new: new.clone(), bytes, digest: digest(new), done });
            if queue.leading {
                None
            } else {
                queue.leading = true;
                Some(std::mem::take(&mut queue.pending))
            }
        };
        match taken {
            // Another writer is committing: it takes this write in its next batch.
            None => {}
            // No one else is writing: this write goes now, on this task, as one statement (so
            // a caller that stops waiting cannot leave a transaction open).
            Some(mut alone) if alone.len() == 1 => {
                let _turn = Turn(self.clone());
                return self
                    .write_batch(&alone.split_off(0))
                    .await
                    .pop()
                    .unwrap_or_else(|| Err(StoreError::Damaged("a memory write answered nothing".into())));
            }
            // Several: committed on a task of their own, so a caller that stops waiting leaves
            // the others' writes, and the transaction, whole.
            Some(batch) => {
                let store = self.clone();
                tokio::spawn(async move { store.commit_memory_writes(batch).await });
            }
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Damaged("the memory writer stopped before this write was done; write it again".into()))
        })
    }

    /// Commits `first`, then the memory writes waiting, batch after batch, until none is left.
    async fn commit_memory_writes(&self, first: Vec<Pending>) {
        let _turn = Turn(self.clone());
        let mut batch = first;
        loop {
            if batch.is_empty() {
                let mut queue = self.memory_writes.lock();
                let take = queue.pending.len().min(MAX_BATCH);
                batch = queue.pending.drain(..take).collect();
            }
            if batch.is_empty() {
                return;
            }
            let answers = self.write_batch(&batch).await;
            for (pending, answer) in batch.drain(..).zip(answers) {
                // Its writer may have stopped waiting; the write stands all the same.
                let _ = pending.done.send(answer);
            }
        }
    }

    /// Writes a batch: alone, one statement; more, one transaction.
    async fn write_batch(&self, batch: &[Pending]) -> Vec<Result<Written, StoreError>> {
        let all_fail = |error: StoreError| {
            let said = error.to_string();
            std::iter::once(Err(error))
                .chain(batch.iter().skip(1).map(|_| Err(StoreError::Shared(said.clone()))))
                .collect()
        };
        let mut writer = match self.writer().await {
            Ok(writer) => writer,
            Err(e) => return all_fail(e),
        };
        let conn = &mut *writer;
        let answers = if let [one] = batch {
            vec![self.remember_in(conn, &one.new, one.bytes, &one.digest).await]
        } else {
            if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
                return all_fail(self.error(e));
            }
            let mut answers = Vec::with_capacity(batch.len());
            for pending in batch {
                answers.push(self.remember_in(conn, &pending.new, pending.bytes, &pending.digest).await);
            }
            if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return all_fail(self.error(e));
            }
            answers
        };
        let added =
            answers.iter().filter(|a| matches!(a, Ok(Written::Added { .. } | Written::Superseded { .. }))).count();
        let due = {
            let mut queue = self.memory_writes.lock();
            queue.unindexed += added;
            let due = queue.unindexed >= INDEX_EVERY;
            if due {
                queue.unindexed = 0;
            }
            due
        };
        // Written and committed whatever happens here: an index that stays behind is brought up
        // to date by the next search.
        if due && let Err(error) = self.index_in(conn).await {
            tracing::warn!("the memory index did not catch up now; the next search brings it up to date: {error}");
        }
        answers
    }

    /// Indexes for full-text search the memories written since the index last caught up (one
    /// statement: the `memory_fts_catch_up` trigger indexes the rows it moves past).
    async fn index_in(&self, conn: &mut sqlx::SqliteConnection) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE memory_fts_state SET indexed_upto = (SELECT coalesce(max(id), 0) FROM memories) \
             WHERE indexed_upto < (SELECT coalesce(max(id), 0) FROM memories)",
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Brings the full-text index up to date before a search reads it, when memories (of this
    /// process or another) were written since it last caught up.
    async fn index_before_search(&self) -> Result<(), StoreError> {
        let behind = sqlx::query(
            "SELECT 1 FROM memory_fts_state WHERE indexed_upto < (SELECT coalesce(max(id), 0) FROM memories)",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        if behind.is_none() {
            return Ok(());
        }
        self.index_in(&mut *self.writer().await?).await
    }

    /// The memory writer's own connection (opened on first use), held while the guard lives.
    async fn writer(&self) -> Result<tokio::sync::MappedMutexGuard<'_, sqlx::SqliteConnection>, StoreError> {
        let mut writer = self.memory_writer.lock().await;
        if writer.is_none() {
            *writer = Some(sqlx::ConnectOptions::connect(self.connect.as_ref()).await.map_err(|e| self.error(e))?);
        }
        tokio::sync::MutexGuard::try_map(writer, Option::as_mut)
            .map_err(|_| StoreError::Damaged("the memory writer has no connection".into()))
    }

    /// Writes memories in order, all in one transaction: each under the rules above, as if
    /// written one by one; if one is refused, none is written, and the error says which (its
    /// index from 0). An import of many is one commit.
    pub async fn remember_all(&self, all: &[NewMemory]) -> Result<Vec<Written>, (usize, StoreError)> {
        let checked: Vec<(usize, String)> = all
            .iter()
            .enumerate()
            .map(|(i, new)| check_new(new).map(|b| (b, digest(new))).map_err(|e| (i, e)))
            .collect::<Result<_, _>>()?;
        let whole = |e: sqlx::Error| (0, self.error(e));
        let mut conn = self.pool.acquire().await.map_err(whole)?;
        // IMMEDIATE: the budget reads and the writes are one step, whoever else writes.
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.map_err(whole)?;
        let mut written = Vec::with_capacity(all.len());
        let mut failed = None;
        for (index, (new, (bytes, digest))) in all.iter().zip(&checked).enumerate() {
            match self.remember_in(&mut conn, new, *bytes, digest).await {
                Ok(w) => written.push(w),
                Err(e) => {
                    failed = Some((index, e));
                    break;
                }
            }
        }
        // An import is indexed with it, in bulk: its first search has nothing left to index.
        if failed.is_none()
            && let Err(error) = self.index_in(&mut conn).await
        {
            failed = Some((all.len().saturating_sub(1), error));
        }
        let end = if failed.is_none() { "COMMIT" } else { "ROLLBACK" };
        sqlx::query(end).execute(&mut *conn).await.map_err(whole)?;
        match failed {
            Some(failure) => Err(failure),
            None => Ok(written),
        }
    }

    /// One write: a single INSERT (one round trip), the rest done by the schema's triggers in the
    /// same statement: the namespace made on first use, its budget checked, the memory this one
    /// `replaces` (the same fact, key or procedure, looked up in a sub-select) made history.
    async fn remember_in(
        &self,
        conn: &mut sqlx::SqliteConnection,
        new: &NewMemory,
        bytes: usize,
        digest: &str,
    ) -> Result<Written, StoreError> {
        self.write_in(conn, new, bytes, digest, None).await
    }

    /// [`Store::remember_in`], replacing memory `replaces` when given (an edit), else the
    /// active memory of the same fact, key or procedure.
    async fn write_in(
        &self,
        conn: &mut sqlx::SqliteConnection,
        new: &NewMemory,
        bytes: usize,
        digest: &str,
        replaces: Option<i64>,
    ) -> Result<Written, StoreError> {
        let tags =
            new.tags.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join("_")).collect::<Vec<_>>().join(" ");
        let inserted = sqlx::query(concat!(
            "INSERT INTO memories (namespace, kind, subject, attribute, text, value, tags, digest, bytes, run_id, node, \
             call_key, created_at, updated_at, replaces) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, \
             coalesce(?14, (SELECT id FROM memories WHERE namespace = ?1 AND kind = ?2 AND subject IS ?3 \
              AND attribute IS ?4 AND state = 'active' AND ?2 <> 'episodic' AND (?2 <> 'working' OR run_id IS ?10))) \
             WHERE true ON CONFLICT DO NOTHING RETURNING ",
            columns!(),
            ", replaces"
        ))
        .bind(&new.namespace)
        .bind(new.kind.as_str())
        .bind(&new.subject)
        .bind(&new.attribute)
        .bind(new.text.trim())
        .bind(new.value.to_string())
        .bind(tags)
        .bind(digest)
        .bind(bytes as i64)
        .bind(&new.provenance.run)
        .bind(&new.provenance.node)
        .bind(&new.call_key)
        .bind(now_ms() as i64)
        .bind(replaces)
        // Read to the end, so the statement is done and its write committed when this returns.
        .fetch_all(&mut *conn)
        .await
        .map(|mut rows| rows.pop());
        let over_budget =
            matches!(&inserted, Err(sqlx::Error::Database(e)) if e.message().contains("floe: memory budget"));
        match inserted {
            Ok(Some(row)) => {
                let memory = read(&row)?;
                Ok(match row.get::<Option<i64>, _>("replaces") {
                    Some(previous) => Written::Superseded { memory, previous },
                    None => Written::Added { memory },
                })
            }
            // Refused by a uniqueness rule: this key was written, or the same memory is active.
            Ok(None) => match self.same_memory(conn, new, digest).await? {
                Some(memory) => Ok(Written::Unchanged { memory }),
                None => Err(StoreError::Damaged("a memory write was refused and nothing holds it".into())),
            },
            Err(_) if over_budget => {
                // A full namespace still answers a repeated write with what it holds.
                if let Some(memory) = self.same_memory(conn, new, digest).await? {
                    return Ok(Written::Unchanged { memory });
                }
                let row = sqlx::query("SELECT budget_bytes, used_bytes FROM memory_namespaces WHERE name = ?")
                    .bind(&new.namespace)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| self.error(e))?;
                Err(StoreError::Refused(format!(
                    "memory namespace `{}` holds {} of its {} budget; this memory ({}) would pass it: forget memories \
                     (`floe memory forget`), or give the namespace a larger budget",
                    new.namespace,
                    human(u64::try_from(row.get::<i64, _>("used_bytes")).unwrap_or(0)),
                    human(u64::try_from(row.get::<i64, _>("budget_bytes")).unwrap_or(0)),
                    human(bytes as u64)
                )))
            }
            Err(e) => Err(self.error(e)),
        }
    }

    /// The memory a write's key already wrote, or the active one equal to it.
    async fn same_memory(
        &self,
        conn: &mut sqlx::SqliteConnection,
        new: &NewMemory,
        digest: &str,
    ) -> Result<Option<Memory>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM memories WHERE call_key = ? OR (namespace = ? AND digest = ? AND state = 'active') LIMIT 1"
        ))
        .bind(&new.call_key)
        .bind(&new.namespace)
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.error(e))?;
        row.as_ref().map(read).transpose()
    }

    /// The active memories of `namespace` that match `query` best (BM25), at most `limit`.
    pub async fn search_memory(&self, namespace: &str, query: &str, limit: u32) -> Result<Vec<Hit>, StoreError> {
        self.search_memory_with(namespace, query, None, limit).await
    }

    /// Like [`Store::search_memory`], and with `embedding` (the query's, and the model that made
    /// it), the memories that model embedded ranked by similarity too, the two rankings fused:
    /// each memory scores the sum of 1 / (60 + its rank) over the rankings that found it.
    pub async fn search_memory_with(
        &self,
        namespace: &str,
        query: &str,
        embedding: Option<(&str, &[f32])>,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        check_namespace(namespace)?;
        let limit = limit.clamp(1, 1000);
        let Some((model, vector)) = embedding else { return self.keyword_hits(namespace, query, limit).await };
        // Each ranking offers more than asked, so a memory ranked lower by one can still win.
        let deep = limit.saturating_mul(3).min(1000);
        // The index on SQLite's thread, the vectors on a blocking one: at the same time.
        let (keyword, similar) = tokio::try_join!(
            self.keyword_hits(namespace, query, deep),
            self.similar_hits(namespace, model, vector, deep)
        )?;
        let mut fused: Vec<Hit> = Vec::new();
        for ranking in [keyword, similar] {
            for (rank, hit) in ranking.into_iter().enumerate() {
                let score = 1.0 / (RRF_K + rank as f64 + 1.0);
                match fused.iter_mut().find(|h| h.memory.id == hit.memory.id) {
                    Some(known) => known.score += score,
                    None => fused.push(Hit { memory: hit.memory, score }),
                }
            }
        }
        fused.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.memory.id.cmp(&a.memory.id)));
        fused.truncate(limit as usize);
        Ok(fused)
    }

    /// The keyword ranking (BM25; the score is higher for better matches).
    async fn keyword_hits(&self, namespace: &str, query: &str, limit: u32) -> Result<Vec<Hit>, StoreError> {
        let Some(matching) = fts_query(namespace, query) else { return Ok(Vec::new()) };
        self.index_before_search().await?;
        // The index finds and ranks (its top-k path); the rows are read for the best only. The
        // namespace is checked exactly again: its name's words could match another's.
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(m),
            ", f.rank FROM (SELECT rowid, rank FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rank LIMIT ?) f \
             JOIN memories m ON m.id = f.rowid WHERE m.namespace = ? AND m.state = 'active' ORDER BY f.rank LIMIT ?"
        ))
        .bind(matching)
        .bind(i64::from(limit) * 2)
        .bind(namespace)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        // SQLite's bm25 is lower for better matches; a score reads the other way round.
        rows.iter().map(|row| Ok(Hit { memory: read(row)?, score: -row.get::<f64, _>("rank") })).collect()
    }

    /// The similarity ranking: the active memories `model` embedded nearest `query` (the score is
    /// the cosine similarity).
    async fn similar_hits(
        &self,
        namespace: &str,
        model: &str,
        query: &[f32],
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let Some(query) = unit(query) else { return Ok(Vec::new()) };
        let vectors = self.vectors_of(namespace, model).await?;
        let nearest = tokio::task::spawn_blocking(move || vectors.blocking_read().nearest(&query, limit as usize * 2))
            .await
            .map_err(|e| StoreError::Damaged(format!("the vector search stopped: {e}")))?;
        let ids = serde_json::to_string(&nearest.iter().map(|(id, _)| id).collect::<Vec<_>>()).unwrap_or_default();
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM memories WHERE id IN (SELECT value FROM json_each(?)) AND state = 'active'"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let mut found: HashMap<i64, Memory> =
            rows.iter().map(read).map(|m| m.map(|m| (m.id, m))).collect::<Result<_, _>>()?;
        Ok(nearest
            .into_iter()
            .filter_map(|(id, score)| found.remove(&id).map(|memory| Hit { memory, score: f64::from(score) }))
            .take(limit as usize)
            .collect())
    }

    /// A namespace's vectors of `model`, brought up to date with what was written since last read.
    async fn vectors_of(&self, namespace: &str, model: &str) -> Result<Arc<tokio::sync::RwLock<Vectors>>, StoreError> {
        let vectors = {
            let mut cache = self.vectors.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.entry((namespace.to_owned(), model.to_owned())).or_default().clone()
        };
        let mut held = vectors.write().await;
        let rows = sqlx::query(
            "SELECT id, dims, vector FROM memory_vectors WHERE namespace = ? AND model = ? AND id > ? ORDER BY id",
        )
        .bind(namespace)
        .bind(model)
        .bind(held.upto)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        for row in &rows {
            let id: i64 = row.get("id");
            let dims = usize::try_from(row.get::<i64, _>("dims")).unwrap_or(0);
            let bytes: Vec<u8> = row.get("vector");
            held.upto = held.upto.max(id);
            if held.ids.is_empty() {
                held.dims = dims;
            }
            // A vector of another length (the model changed its size) cannot be compared: skipped.
            if dims == 0 || dims != held.dims || bytes.len() != dims * 4 {
                continue;
            }
            held.ids.push(id);
            held.unit.extend(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        }
        drop(held);
        Ok(vectors)
    }

    /// Stores memory `id`'s embedding, made by `model` (`provider:model`). A memory keeps the
    /// first embedding it is given.
    pub async fn set_memory_vector(&self, id: i64, model: &str, vector: &[f32]) -> Result<(), StoreError> {
        let Some(unit) = unit(vector) else {
            return Err(StoreError::Refused(format!(
                "the embedding of memory {id} from {model} is empty or not finite; check the embedding model"
            )));
        };
        let bytes: Vec<u8> = unit.iter().flat_map(|x| x.to_le_bytes()).collect();
        sqlx::query(
            "INSERT INTO memory_vectors (id, namespace, model, dims, vector) SELECT id, namespace, ?, ?, ? \
             FROM memories WHERE id = ? ON CONFLICT (id) DO NOTHING",
        )
        .bind(model)
        .bind(unit.len() as i64)
        .bind(bytes)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// One memory, whatever its state.
    pub async fn memory(&self, id: i64) -> Result<Memory, StoreError> {
        let row = sqlx::query(concat!("SELECT ", columns!(), " FROM memories WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?
            .ok_or_else(|| StoreError::Refused(format!("there is no memory {id}; `floe memory list` shows them")))?;
        read(&row)
    }

    /// A memory's history: every version of it, oldest first (itself included): the memories
    /// it superseded, and those that superseded it, link by link.
    pub async fn memory_history(&self, id: i64) -> Result<Vec<Memory>, StoreError> {
        let rows = sqlx::query(concat!(
            "WITH RECURSIVE older(id) AS (SELECT ?1 UNION SELECT m.id FROM memories m JOIN older o ON m.superseded_by = o.id), \
             newer(id) AS (SELECT ?1 UNION SELECT m.superseded_by FROM memories m JOIN newer n ON m.id = n.id \
             WHERE m.superseded_by IS NOT NULL) \
             SELECT ",
            columns!(),
            " FROM memories WHERE id IN (SELECT id FROM older UNION SELECT id FROM newer) ORDER BY id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        if rows.is_empty() {
            return Err(StoreError::Refused(format!("there is no memory {id}; `floe memory list` shows them")));
        }
        rows.iter().map(read).collect()
    }

    /// The active memories of a namespace, pinned first, then newest first.
    pub async fn list_memories(&self, namespace: &str, limit: u32, offset: u32) -> Result<Vec<Memory>, StoreError> {
        check_namespace(namespace)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM memories WHERE namespace = ? AND state = 'active' ORDER BY pinned DESC, id DESC LIMIT ? OFFSET ?"
        ))
        .bind(namespace)
        .bind(i64::from(limit.clamp(1, 10_000)))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        rows.iter().map(read).collect()
    }

    /// Forgets a memory: hidden from search and lists; with `hard`, deleted for good together with
    /// the history of its fact, key or procedure.
    pub async fn forget_memory(&self, id: i64, hard: bool) -> Result<(), StoreError> {
        let history = self.memory_history(id).await?;
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        for memory in &history {
            if !hard && memory.id != id {
                continue;
            }
            let sql = if hard {
                "DELETE FROM memories WHERE id = ?"
            } else {
                "UPDATE memories SET state = 'forgotten', updated_at = ? WHERE id = ?"
            };
            let query = sqlx::query(sql);
            let query = if hard { query } else { query.bind(now_ms() as i64) };
            query.bind(memory.id).execute(&mut *tx).await.map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// A person's edit of memory `id`: a new version with `text`, `value` and `tags`, which
    /// supersedes it (kept as its history) and keeps its pin. The edit's provenance is a person's
    /// (no run). Only the newest version of a memory can be edited.
    pub async fn edit_memory(
        &self,
        id: i64,
        text: &str,
        value: Value,
        tags: Vec<String>,
    ) -> Result<Written, StoreError> {
        let old = self.memory(id).await?;
        if old.state != MemoryState::Active {
            let newest = old.superseded_by.map_or_else(String::new, |n| format!(" (its newest version is {n})"));
            return Err(StoreError::Refused(format!(
                "memory {id} is {} and cannot be edited{newest}",
                if old.state == MemoryState::Forgotten { "forgotten" } else { "history" }
            )));
        }
        let new = NewMemory {
            namespace: old.namespace,
            kind: old.kind,
            subject: old.subject,
            attribute: old.attribute,
            text: text.to_owned(),
            value,
            tags,
            provenance: Provenance { run: old.provenance.run.filter(|_| old.kind == MemoryKind::Working), node: None },
            call_key: None,
        };
        let bytes = check_new(&new)?;
        let mut conn = self.pool.acquire().await.map_err(|e| self.error(e))?;
        let written = self.write_in(&mut conn, &new, bytes, &digest(&new), Some(id)).await?;
        drop(conn);
        if old.pinned && matches!(written, Written::Superseded { .. }) {
            let pinned = self.pin_memory(written.memory().id, true).await?;
            return Ok(Written::Superseded { memory: pinned, previous: id });
        }
        Ok(written)
    }

    /// Records how a named procedure went.
    pub async fn procedure_outcome(&self, namespace: &str, name: &str, success: bool) -> Result<Memory, StoreError> {
        check_namespace(namespace)?;
        let sql = if success {
            concat!(
                "UPDATE memories SET successes = successes + 1, updated_at = ? WHERE namespace = ? AND kind = 'procedural' \
                 AND subject = ? AND state = 'active' RETURNING ",
                columns!()
            )
        } else {
            concat!(
                "UPDATE memories SET failures = failures + 1, updated_at = ? WHERE namespace = ? AND kind = 'procedural' \
                 AND subject = ? AND state = 'active' RETURNING ",
                columns!()
            )
        };
        let row = sqlx::query(sql)
        .bind(now_ms() as i64)
        .bind(namespace)
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?
        .ok_or_else(|| {
            StoreError::Refused(format!(
                "namespace `{namespace}` has no procedure `{name}`; remember it first (kind `procedural`, subject `{name}`)"
            ))
        })?;
        read(&row)
    }

    /// Pins or unpins a memory (pinned ones come first in lists).
    pub async fn pin_memory(&self, id: i64, pinned: bool) -> Result<Memory, StoreError> {
        sqlx::query("UPDATE memories SET pinned = ?, updated_at = ? WHERE id = ?")
            .bind(i64::from(pinned))
            .bind(now_ms() as i64)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        self.memory(id).await
    }

    /// Sets a namespace's budget (creating the namespace); refused below what it holds already.
    pub async fn set_memory_budget(&self, namespace: &str, budget_bytes: u64) -> Result<Namespace, StoreError> {
        check_namespace(namespace)?;
        let used =
            self.memory_namespaces().await?.into_iter().find(|n| n.name == namespace).map_or(0, |n| n.used_bytes);
        if budget_bytes < used {
            return Err(StoreError::Refused(format!(
                "namespace `{namespace}` holds {} already; forget memories before setting its budget to {}",
                human(used),
                human(budget_bytes)
            )));
        }
        sqlx::query(
            "INSERT INTO memory_namespaces (name, budget_bytes, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET budget_bytes = excluded.budget_bytes",
        )
        .bind(namespace)
        .bind(budget_bytes as i64)
        .bind(now_ms() as i64)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        self.memory_namespaces()
            .await?
            .into_iter()
            .find(|n| n.name == namespace)
            .ok_or_else(|| StoreError::Damaged(format!("namespace `{namespace}` did not read back")))
    }

    /// Refuses a namespace no memory was ever written to, naming the ones there are: what a
    /// person reading memory (the CLI, the app) is told; runs search an empty namespace freely.
    pub async fn known_namespace(&self, name: &str) -> Result<(), StoreError> {
        check_namespace(name)?;
        let all = self.memory_namespaces().await?;
        if all.iter().any(|n| n.name == name) {
            return Ok(());
        }
        let names: Vec<String> = all.iter().map(|n| format!("`{}`", n.name)).collect();
        Err(StoreError::Refused(if names.is_empty() {
            format!("there is no memory namespace `{name}`: nothing has been remembered yet")
        } else {
            format!("there is no memory namespace `{name}`; there are {} (`floe memory list`)", names.join(", "))
        }))
    }

    /// Every namespace, with what it holds.
    pub async fn memory_namespaces(&self) -> Result<Vec<Namespace>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.name, n.budget_bytes, n.used_bytes AS used, \
             (SELECT count(*) FROM memories WHERE namespace = n.name AND state = 'active') AS active \
             FROM memory_namespaces n ORDER BY n.name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows
            .iter()
            .map(|r| Namespace {
                name: r.get("name"),
                memories: u64::try_from(r.get::<i64, _>("active")).unwrap_or(0),
                used_bytes: u64::try_from(r.get::<i64, _>("used")).unwrap_or(0),
                budget_bytes: u64::try_from(r.get::<i64, _>("budget_bytes")).unwrap_or(0),
            })
            .collect())
    }
}

/// Bytes as a person reads them.
fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_quoted_so_none_is_syntax() {
        assert_eq!(
            fts_query("support", "plan AND \"pro\" NEAR(x)").as_deref(),
            Some("namespace : \"support\" AND {text tags} : (\"plan\" OR \"AND\" OR \"pro\" OR \"NEAR\" OR \"x\")")
        );
        assert_eq!(fts_query("support", "  ...  "), None);
    }
}
