//! Compiled artifacts by the text they were compiled from: jq filters, regular expressions,
//! scripts, JSON Schema validators. Compiling is the expensive part of running such a node; a
//! cache shared by the whole process makes it happen once per distinct text, whichever plan,
//! run, retry or loop item asks. Lookups take a read lock on an `FxHashMap`; a miss compiles
//! outside the lock (two threads may both compile the same text once; the first one kept wins).
//! The cache is bounded: when it holds `capacity` entries it starts over, which keeps a
//! long-running app that sees ever new texts from growing without end.

use std::sync::{Arc, PoisonError, RwLock};

use rustc_hash::FxHashMap;

/// Values compiled from texts, by text.
#[derive(Debug)]
pub struct ContentCache<V> {
    entries: RwLock<FxHashMap<Box<str>, Arc<V>>>,
    capacity: usize,
}

impl<V> ContentCache<V> {
    /// An empty cache that keeps at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Self { entries: RwLock::new(FxHashMap::default()), capacity: capacity.max(1) }
    }

    /// The value compiled from `text`, compiling it with `make` the first time. A failure is not
    /// kept: the next lookup compiles again (and reports the same error).
    pub fn get_or_insert_with<E>(&self, text: &str, make: impl FnOnce() -> Result<V, E>) -> Result<Arc<V>, E> {
        if let Some(value) = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(text) {
            return Ok(value.clone());
        }
        let value = Arc::new(make()?);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = entries.get(text) {
            return Ok(kept.clone());
        }
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(text.into(), value.clone());
        Ok(value)
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::ContentCache;

    #[test]
    fn compiles_each_text_once_and_keeps_no_failure() {
        let cache = ContentCache::new(2);
        let mut compiled = 0;
        for _ in 0..3 {
            let value = cache.get_or_insert_with("a", || {
                compiled += 1;
                Ok::<_, ()>(1)
            });
            assert_eq!(value.ok().as_deref(), Some(&1));
        }
        assert_eq!(compiled, 1);
        assert!(cache.get_or_insert_with("bad", || Err::<i32, _>("no")).is_err());
        assert_eq!(cache.len(), 1);
        // At capacity it starts over rather than grow.
        let _ = cache.get_or_insert_with("b", || Ok::<_, ()>(2));
        let _ = cache.get_or_insert_with("c", || Ok::<_, ()>(3));
        assert_eq!(cache.len(), 1);
    }
}
