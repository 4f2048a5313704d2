//! The Memory view's methods: namespaces, listing and searching memories, one memory with its
//! history and where it came from, and a person's edits (edit, pin, forget).

use floe_engine::store::{Hit, Memory, Namespace};
use serde::Serialize;
use serde_json::Value;

use crate::{Api, ApiError};

/// One memory, for the Memory view.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MemoryDetail {
    /// The memory.
    pub memory: Memory,
    /// Every version of it, oldest first (itself included).
    pub history: Vec<Memory>,
    /// The blueprint (relative to the open folder) of the run that wrote it, when known.
    pub run_path: Option<String>,
}

impl Api {
    /// Every memory namespace, with what it holds.
    pub async fn memory_namespaces(&self) -> Result<Vec<Namespace>, ApiError> {
        Ok(self.store.memory_namespaces().await?)
    }

    /// A namespace's memories: with `query`, the best matches (keyword search, fused with
    /// similarity when an embedding model is set); without, pinned first, then newest first.
    pub async fn memories(
        &self,
        namespace: String,
        query: Option<String>,
        limit: Option<u32>,
    ) -> Result<Vec<Hit>, ApiError> {
        let limit = limit.unwrap_or(100);
        self.store.known_namespace(&namespace).await?;
        match query.filter(|q| !q.trim().is_empty()) {
            Some(query) => {
                // An embedding model that cannot be reached leaves the search to keywords.
                let embedded = floe_engine::tools::embed_for_memory(&self.llm, &query).await.ok().flatten();
                let embedded = embedded.as_ref().map(|(model, vector)| (model.as_str(), vector.as_slice()));
                Ok(self.store.search_memory_with(&namespace, &query, embedded, limit).await?)
            }
            None => Ok(self
                .store
                .list_memories(&namespace, limit, 0)
                .await?
                .into_iter()
                .map(|memory| Hit { memory, score: 0.0 })
                .collect()),
        }
    }

    /// One memory, its history, and the blueprint of the run that wrote it.
    pub async fn memory_detail(&self, id: i64) -> Result<MemoryDetail, ApiError> {
        let memory = self.store.memory(id).await?;
        let history = self.store.memory_history(id).await?;
        let run_path = match &memory.provenance.run {
            Some(run) => self.run_detail(run.clone()).await.ok().and_then(|detail| detail.path),
            None => None,
        };
        Ok(MemoryDetail { memory, history, run_path })
    }

    /// A person's edit: a new version of memory `id` that supersedes it. Answers with the
    /// memory as it now is.
    pub async fn edit_memory(
        &self,
        id: i64,
        text: String,
        value: Value,
        tags: Vec<String>,
    ) -> Result<Memory, ApiError> {
        let written = self.store.edit_memory(id, &text, value, tags).await?;
        let memory = written.memory().clone();
        if let Ok(Some((model, vector))) = floe_engine::tools::embed_for_memory(&self.llm, &memory.text).await {
            // Without it the memory is still found by keyword.
            let _ = self.store.set_memory_vector(memory.id, &model, &vector).await;
        }
        Ok(memory)
    }

    /// Pins a memory (first in lists), or unpins it.
    pub async fn pin_memory(&self, id: i64, pinned: bool) -> Result<Memory, ApiError> {
        Ok(self.store.pin_memory(id, pinned).await?)
    }

    /// Forgets a memory: hidden from search and lists; with `hard`, deleted with its history.
    pub async fn forget_memory(&self, id: i64, hard: Option<bool>) -> Result<(), ApiError> {
        Ok(self.store.forget_memory(id, hard.unwrap_or(false)).await?)
    }
}
