//! A workspace: a folder of blueprints the app opens. Every path is relative to the folder and
//! confined to it; saving writes the canonical form atomically and never writes a document it
//! could not read whole; renames and new files never overwrite.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use floe_blueprint::{Blueprint, Catalog, Diagnostic};
use floe_compiler::Checked;
use schemars::JsonSchema;
use serde::Serialize;

use crate::files::{self, FileResolver};

/// Folders never searched for blueprints.
const SKIPPED: &[&str] = &["node_modules", "target", "out", "dist"];

/// Why a workspace operation failed; the message names the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The path is not usable (outside the folder, not `.json`, already there, missing).
    #[error("{0}")]
    Path(String),
    /// Reading or writing failed.
    #[error(transparent)]
    File(#[from] files::FileError),
    /// The document cannot be read whole, so saving it would lose data.
    #[error("{path} was not saved: {} problem(s) make the document unreadable; fix them first", diagnostics.len())]
    Unreadable {
        /// The file.
        path: String,
        /// The problems, with line and column.
        diagnostics: Vec<Diagnostic>,
    },
}

/// Adds `tool` to the `run.approved_tools` of the blueprint at `path` (the answer "always for
/// this blueprint" to an agent's tool call), keeping the rest of the document, in canonical form,
/// atomically. Returns false when it was listed already.
pub fn approve_tool_in_file(path: &Path, tool: &str) -> Result<bool, WorkspaceError> {
    let bytes = files::read(path)?;
    let parsed = floe_blueprint::parse_bytes(&bytes);
    let clean = parsed.is_clean();
    let Some(mut blueprint) = parsed.blueprint.filter(|_| clean) else {
        return Err(WorkspaceError::Path(format!(
            "{} does not read as a blueprint now, so `{tool}` was not added to its run.approved_tools; fix it and add it there by hand",
            path.display()
        )));
    };
    let approved = &mut blueprint.run.approved_tools;
    if approved.iter().any(|a| a == tool) {
        return Ok(false);
    }
    approved.push(tool.to_owned());
    files::write_atomic(path, floe_blueprint::to_canonical_string(&blueprint).as_bytes())?;
    Ok(true)
}

/// A blueprint file in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Entry {
    /// Path relative to the workspace folder, with `/` separators.
    pub path: String,
    /// The blueprint's name (empty when the file cannot be read).
    pub name: String,
    /// Its id.
    pub id: String,
    /// Last modification, ms since the epoch.
    pub modified_ms: u64,
    /// Size in bytes.
    pub bytes: u64,
}

/// The result of checking a document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Check {
    /// Every problem, with line and column where known.
    pub diagnostics: Vec<Diagnostic>,
    /// The plan hash, when it compiles.
    pub hash: Option<String>,
    /// Nodes, bodies included, when it compiles.
    pub nodes: Option<usize>,
    /// The model `default` resolves to, when a node (or a sub-workflow's node) says `default`.
    pub default_model: Option<floe_compiler::DefaultModel>,
}

/// An open folder of blueprints. Clones share the listing cache.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    /// Each file's id and name, read once per version of the file (its modification time and
    /// size): the app lists the folder every few seconds, and parsing every blueprint each time
    /// would cost as much as the folder is large.
    names: Arc<Mutex<HashMap<PathBuf, Named>>>,
    /// Files parsed for the listing so far.
    parsed: Arc<AtomicUsize>,
}

/// What the listing shows of one version of a file.
#[derive(Debug, Clone)]
struct Named {
    modified: Option<SystemTime>,
    bytes: u64,
    id: String,
    name: String,
}

impl Workspace {
    /// Opens `root`, which must be a folder.
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let root = root
            .canonicalize()
            .map_err(|e| WorkspaceError::Path(format!("cannot open the folder {}: {e}", root.display())))?;
        if !root.is_dir() {
            return Err(WorkspaceError::Path(format!(
                "{} is not a folder; open the folder holding the blueprints",
                root.display()
            )));
        }
        Ok(Self { root, names: Arc::default(), parsed: Arc::default() })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `relative` lives, refusing paths outside the folder and names not ending in `.json`.
    pub fn path(&self, relative: &str) -> Result<PathBuf, WorkspaceError> {
        if !relative.ends_with(".json") {
            return Err(WorkspaceError::Path(format!("`{relative}`: blueprint files end in `.json`")));
        }
        files::confine(&self.root, relative).map_err(WorkspaceError::Path)
    }

    /// Every `*.json` blueprint below the folder (hidden folders and build output skipped),
    /// sorted by path.
    pub fn list(&self) -> Result<Vec<Entry>, WorkspaceError> {
        let mut entries = Vec::new();
        let mut pending = vec![self.root.clone()];
        while let Some(folder) = pending.pop() {
            let listing = std::fs::read_dir(&folder)
                .map_err(|e| WorkspaceError::Path(format!("cannot list {}: {e}", folder.display())))?;
            for item in listing.flatten() {
                let path = item.path();
                let name = item.file_name().to_string_lossy().into_owned();
                let Ok(kind) = item.file_type() else { continue };
                if name.starts_with('.') || name.ends_with(".blobs") {
                    continue;
                }
                if kind.is_dir() {
                    if !SKIPPED.contains(&name.as_str()) {
                        pending.push(path);
                    }
                } else if kind.is_file() && name.ends_with(".json") {
                    entries.push(self.entry(&path));
                }
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        // Forget files that are gone.
        let listed: HashSet<PathBuf> = entries.iter().map(|e| self.root.join(&e.path)).collect();
        self.names.lock().unwrap_or_else(PoisonError::into_inner).retain(|path, _| listed.contains(path));
        Ok(entries)
    }

    fn entry(&self, path: &Path) -> Entry {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let metadata = std::fs::metadata(path).ok();
        let modified = metadata.as_ref().and_then(|m| m.modified().ok());
        let bytes = metadata.map_or(0, |m| m.len());
        let modified_ms = modified.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_millis() as u64);
        let known = self.names.lock().unwrap_or_else(PoisonError::into_inner).get(path).cloned();
        let named = match known {
            Some(named) if modified.is_some() && named.modified == modified && named.bytes == bytes => named,
            _ => {
                let (id, name) = files::read(path)
                    .ok()
                    .and_then(|bytes| floe_blueprint::parse_bytes(&bytes).blueprint)
                    .map(|b| (b.id, b.name))
                    .unwrap_or_default();
                self.parsed.fetch_add(1, Ordering::Relaxed);
                let named = Named { modified, bytes, id, name };
                self.names.lock().unwrap_or_else(PoisonError::into_inner).insert(path.to_owned(), named.clone());
                named
            }
        };
        Entry { path: relative, name: named.name, id: named.id, modified_ms, bytes }
    }

    /// How many files the listing has parsed since the folder was opened.
    pub fn parsed(&self) -> usize {
        self.parsed.load(Ordering::Relaxed)
    }

    /// The text of a blueprint.
    pub fn read(&self, relative: &str) -> Result<String, WorkspaceError> {
        let path = self.path(relative)?;
        let bytes = files::read(&path)?;
        String::from_utf8(bytes).map_err(|_| WorkspaceError::Path(format!("`{relative}` is not UTF-8 text")))
    }

    /// Checks a document against `catalog` (the process's tools) as if it were saved at
    /// `relative` (sub-workflows resolve from there), `default` models resolving to
    /// `default_model` (the one chosen in the settings).
    pub fn check(
        &self,
        relative: &str,
        text: &str,
        catalog: &Catalog,
        default_model: Option<String>,
    ) -> Result<Check, WorkspaceError> {
        let path = self.path(relative)?;
        let key = files::key_of(&path);
        let resolver = FileResolver::with_default_model(default_model);
        let Checked { plan, mut diagnostics, .. } =
            floe_compiler::check_bytes(text.as_bytes(), catalog, &resolver, Some(&key));
        floe_blueprint::locate(text, &mut diagnostics);
        Ok(Check {
            hash: plan.as_ref().map(|p| p.hash().to_owned()),
            nodes: plan.as_ref().map(|p| p.node_count()),
            default_model: plan.and_then(|p| p.default_model().cloned()),
            diagnostics,
        })
    }

    /// Saves `text` at `relative` in canonical form (atomically) and returns what was written.
    /// A document with read errors is refused, so nothing it holds is lost.
    pub fn save(&self, relative: &str, text: &str) -> Result<String, WorkspaceError> {
        let path = self.path(relative)?;
        let canonical = floe_blueprint::format_bytes(text.as_bytes()).map_err(|mut diagnostics| {
            floe_blueprint::locate(text, &mut diagnostics);
            WorkspaceError::Unreadable { path: relative.to_owned(), diagnostics }
        })?;
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|source| files::FileError::Write { path: folder.to_owned(), source })?;
        }
        files::write_atomic(&path, canonical.as_bytes())?;
        Ok(canonical)
    }

    /// Creates a new, empty blueprint named `name` at `relative`; refuses an existing file.
    pub fn create(&self, relative: &str, name: &str) -> Result<String, WorkspaceError> {
        let path = self.path(relative)?;
        if path.exists() {
            return Err(WorkspaceError::Path(format!("`{relative}` already exists; choose another name")));
        }
        let stem = Path::new(relative).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let id: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let text = floe_blueprint::to_canonical_string(&Blueprint::new(id, name));
        self.save(relative, &text)
    }

    /// Renames a blueprint; refuses to overwrite.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), WorkspaceError> {
        let source = self.path(from)?;
        let target = self.path(to)?;
        if !source.is_file() {
            return Err(WorkspaceError::Path(format!("`{from}` does not exist")));
        }
        if target.exists() {
            return Err(WorkspaceError::Path(format!("`{to}` already exists; choose another name")));
        }
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|source| files::FileError::Write { path: folder.to_owned(), source })?;
        }
        std::fs::rename(&source, &target).map_err(|source| files::FileError::Write { path: target, source })?;
        Ok(())
    }

    /// Deletes a blueprint.
    pub fn delete(&self, relative: &str) -> Result<(), WorkspaceError> {
        let path = self.path(relative)?;
        std::fs::remove_file(&path).map_err(|e| WorkspaceError::Path(format!("cannot delete `{relative}`: {e}")))
    }
}
