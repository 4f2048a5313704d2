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
//! Search is SQLite FTS5 with BM25 ranking over the active memories of one namespace.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, StoreError};

/// What a namespace may hold unless it is given another budget: 16 MiB.
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
    /// Writes a memory under the rules above, in one transaction.
    pub async fn remember(&self, new: &NewMemory) -> Result<Written, StoreError> {
        let mut written = self.remember_all(std::slice::from_ref(new)).await.map_err(|(_, e)| e)?;
        written.pop().ok_or_else(|| StoreError::Damaged("a write answered nothing".into()))
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
        let end = if failed.is_none() { "COMMIT" } else { "ROLLBACK" };
        sqlx::query(end).execute(&mut *conn).await.map_err(whole)?;
        match failed {
            Some(failure) => Err(failure),
            None => Ok(written),
        }
    }

    async fn remember_in(
        &self,
        conn: &mut sqlx::SqliteConnection,
        new: &NewMemory,
        bytes: usize,
        digest: &str,
    ) -> Result<Written, StoreError> {
        // This write's key written before, or the same memory active: nothing to do.
        let same = sqlx::query(concat!(
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
        if let Some(row) = same {
            return Ok(Written::Unchanged { memory: read(&row)? });
        }
        let now = now_ms() as i64;
        let space = sqlx::query("SELECT budget_bytes, used_bytes FROM memory_namespaces WHERE name = ?")
            .bind(&new.namespace)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| self.error(e))?;
        let (budget, used) = match space {
            Some(row) => (
                u64::try_from(row.get::<i64, _>("budget_bytes")).unwrap_or(0),
                u64::try_from(row.get::<i64, _>("used_bytes")).unwrap_or(0),
            ),
            None => {
                sqlx::query("INSERT INTO memory_namespaces (name, budget_bytes, created_at) VALUES (?, ?, ?)")
                    .bind(&new.namespace)
                    .bind(DEFAULT_BUDGET as i64)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| self.error(e))?;
                (DEFAULT_BUDGET, 0)
            }
        };
        if used + bytes as u64 > budget {
            return Err(StoreError::Refused(format!(
                "memory namespace `{}` holds {} of its {} budget; this memory ({}) would pass it: forget memories \
                 (`floe memory forget`), or give the namespace a larger budget",
                new.namespace,
                human(used),
                human(budget),
                human(bytes as u64)
            )));
        }
        // The fact, key or procedure this one replaces.
        let previous: Option<i64> = match new.kind {
            MemoryKind::Episodic => None,
            kind => sqlx::query(
                "SELECT id FROM memories WHERE namespace = ? AND kind = ? AND subject IS ? AND attribute IS ? \
                 AND state = 'active' AND (? <> 'working' OR run_id IS ?)",
            )
            .bind(&new.namespace)
            .bind(kind.as_str())
            .bind(&new.subject)
            .bind(&new.attribute)
            .bind(kind.as_str())
            .bind(&new.provenance.run)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| self.error(e))?
            .map(|r| r.get("id")),
        };
        let tags =
            new.tags.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join("_")).collect::<Vec<_>>().join(" ");
        let row = sqlx::query(concat!(
            "INSERT INTO memories (namespace, kind, subject, attribute, text, value, tags, digest, bytes, run_id, node, \
             call_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
            columns!()
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
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| self.error(e))?;
        let memory = read(&row)?;
        Ok(match previous {
            Some(old) => {
                // After the insert: the new row's id is known, and its digest differs from the old one's.
                sqlx::query("UPDATE memories SET state = 'superseded', superseded_by = ?, updated_at = ? WHERE id = ?")
                    .bind(memory.id)
                    .bind(now)
                    .bind(old)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| self.error(e))?;
                Written::Superseded { memory, previous: old }
            }
            None => Written::Added { memory },
        })
    }

    /// The active memories of `namespace` that match `query` best (BM25), at most `limit`.
    pub async fn search_memory(&self, namespace: &str, query: &str, limit: u32) -> Result<Vec<Hit>, StoreError> {
        check_namespace(namespace)?;
        let Some(matching) = fts_query(namespace, query) else { return Ok(Vec::new()) };
        // The index finds and ranks (its top-k path); the rows are read for the best only. The
        // namespace is checked exactly again: its name's words could match another's.
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(m),
            ", f.rank FROM (SELECT rowid, rank FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rank LIMIT ?) f \
             JOIN memories m ON m.id = f.rowid WHERE m.namespace = ? AND m.state = 'active' ORDER BY f.rank LIMIT ?"
        ))
        .bind(matching)
        .bind(i64::from(limit.clamp(1, 1000)) * 2)
        .bind(namespace)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        // SQLite's bm25 is lower for better matches; a score reads the other way round.
        rows.iter().map(|row| Ok(Hit { memory: read(row)?, score: -row.get::<f64, _>("rank") })).collect()
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

    /// A memory's history: every value its fact, key or procedure has had, oldest first (itself
    /// included); an episode's history is itself.
    pub async fn memory_history(&self, id: i64) -> Result<Vec<Memory>, StoreError> {
        let memory = self.memory(id).await?;
        if memory.kind == MemoryKind::Episodic {
            return Ok(vec![memory]);
        }
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM memories WHERE namespace = ? AND kind = ? AND subject IS ? AND attribute IS ? \
             AND (? <> 'working' OR run_id IS ?) ORDER BY id"
        ))
        .bind(&memory.namespace)
        .bind(memory.kind.as_str())
        .bind(&memory.subject)
        .bind(&memory.attribute)
        .bind(memory.kind.as_str())
        .bind(&memory.provenance.run)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
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
