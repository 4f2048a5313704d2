//! Threads: the conversations `llm` and `agent` nodes keep across runs, by key. A thread is its
//! summary (of the messages folded into it) and its messages, oldest first. Messages are added
//! with the node call's idempotency key, so a resumed run adds nothing twice, and a call reads
//! the thread without what it added itself (a call re-executed after a crash sees the thread as
//! it was before it).

use serde::Serialize;
use sqlx::Row;

use super::{Store, StoreError};

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThreadMessage {
    /// Its id (the order of the thread).
    pub id: i64,
    /// `user` or `assistant`.
    pub role: String,
    /// What was said.
    pub content: String,
    /// Its estimated tokens.
    pub tokens: u32,
    /// The run that added it.
    pub run: Option<String>,
    /// The node that added it.
    pub node: Option<String>,
}

/// A thread as a call reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Thread {
    /// Its key.
    pub key: String,
    /// What the folded messages said (empty when none are folded).
    pub summary: String,
    /// The messages kept whole, oldest first.
    pub messages: Vec<ThreadMessage>,
}

/// A message to add to a thread.
#[derive(Debug, Clone)]
pub struct NewThreadMessage<'a> {
    /// `user` or `assistant`.
    pub role: &'a str,
    /// What was said.
    pub content: &'a str,
}

/// Tokens a text takes, estimated (four characters a token, as the vendors' rule of thumb).
pub fn estimate_tokens(text: &str) -> u32 {
    u32::try_from(text.chars().count().div_ceil(4)).unwrap_or(u32::MAX)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Thread `key` as call `call_key` reads it: without the messages that call added.
    pub async fn thread(&self, key: &str, call_key: Option<&str>) -> Result<Thread, StoreError> {
        let summary = sqlx::query("SELECT summary FROM threads WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?
            .map(|row| row.get::<String, _>("summary"))
            .unwrap_or_default();
        let rows = sqlx::query(
            "SELECT id, role, content, tokens, run_id, node FROM thread_messages \
             WHERE thread = ? AND folded = 0 AND call_key IS NOT ? ORDER BY id",
        )
        .bind(key)
        .bind(call_key)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let messages = rows
            .iter()
            .map(|row| ThreadMessage {
                id: row.get("id"),
                role: row.get("role"),
                content: row.get("content"),
                tokens: u32::try_from(row.get::<i64, _>("tokens")).unwrap_or(0),
                run: row.get("run_id"),
                node: row.get("node"),
            })
            .collect();
        Ok(Thread { key: key.to_owned(), summary, messages })
    }

    /// Adds a call's messages to thread `key` (made on first use), in one transaction; added
    /// again with the same `call_key` (a retry, a resumed run), they are not added twice.
    pub async fn add_to_thread(
        &self,
        key: &str,
        messages: &[NewThreadMessage<'_>],
        run: &str,
        node: &str,
        call_key: &str,
    ) -> Result<(), StoreError> {
        if key.trim().is_empty() || key.len() > 512 {
            return Err(StoreError::Refused(format!(
                "thread key {key:?} must be 1–512 characters: check the node's `thread` template"
            )));
        }
        let now = now_ms();
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        sqlx::query(
            "INSERT INTO threads (key, created_at, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        for message in messages {
            sqlx::query(
                "INSERT INTO thread_messages (thread, role, content, tokens, run_id, node, call_key, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(key)
            .bind(message.role)
            .bind(message.content)
            .bind(i64::from(estimate_tokens(message.content)))
            .bind(run)
            .bind(node)
            .bind(call_key)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Folds thread `key`'s messages up to id `upto` into `summary` (which replaces the old one:
    /// it should say what the old one said). The folded messages are kept, out of the thread.
    pub async fn fold_thread(&self, key: &str, summary: &str, upto: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        sqlx::query("UPDATE threads SET summary = ?, updated_at = ? WHERE key = ?")
            .bind(summary)
            .bind(now_ms())
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        sqlx::query("UPDATE thread_messages SET folded = 1 WHERE thread = ? AND id <= ?")
            .bind(key)
            .bind(upto)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }
}
