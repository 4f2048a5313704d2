//! Blueprint files on disk: reading them with size limits, resolving sub-workflow references
//! relative to the referencing file, and writing canonical form atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use floe_blueprint::parse::MAX_FILE_BYTES;
use floe_compiler::{Resolved, Resolver};

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is over the blueprint size limit.
    #[error("{path} is {size} bytes; blueprints are limited to {limit} bytes")]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Reads a blueprint file, refusing files over the size limit before reading them.
pub fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    let error = |source| FileError::Read { path: path.to_owned(), source };
    let size = fs::metadata(path).map_err(error)?.len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(FileError::TooLarge { path: path.to_owned(), size, limit: MAX_FILE_BYTES });
    }
    fs::read(path).map_err(|source| FileError::Read { path: path.to_owned(), source })
}

/// Replaces `path` with `contents` atomically: a temporary file in the same folder, flushed to
/// disk, then renamed over the original. A crash leaves either the old or the new file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let error = |source| FileError::Write { path: path.to_owned(), source };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Unique per process and per call, so concurrent writers never share a temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = folder.join(format!(".{name}.floe-tmp-{}-{n}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(error)
}

/// Resolves `relative` inside `root`, refusing anything that would leave it: absolute paths,
/// `..` above the root, and (the deepest existing ancestor being canonicalised) symlinks that
/// point outside. The error says what to do.
pub fn confine(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let outside = || {
        format!(
            "`{relative}` is outside the workspace ({}); use a path relative to it, without `..` above it",
            root.display()
        )
    };
    let given = Path::new(relative);
    if given.is_absolute() {
        return Err(outside());
    }
    let mut joined = PathBuf::new();
    for component in given.components() {
        match component {
            std::path::Component::Normal(part) => joined.push(part),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !joined.pop() {
                    return Err(outside());
                }
            }
            std::path::Component::RootDir | std::path::Component::Prefix(_) => return Err(outside()),
        }
    }
    let canonical_root =
        root.canonicalize().map_err(|e| format!("the workspace folder {} is not usable: {e}", root.display()))?;
    let target = canonical_root.join(&joined);
    // The deepest part that exists must still be inside once symlinks are resolved.
    let mut existing = target.as_path();
    while !existing.exists() {
        match existing.parent() {
            Some(parent) => existing = parent,
            None => break,
        }
    }
    let resolved = existing.canonicalize().map_err(|e| format!("`{relative}`: {e}"))?;
    if !resolved.starts_with(&canonical_root) {
        return Err(outside());
    }
    Ok(target)
}

/// The key a file is known by: its canonical path when it exists, else the path as given.
pub fn key_of(path: &Path) -> String {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()).to_string_lossy().into_owned()
}

/// Resolves sub-workflow references as paths relative to the referencing file's folder (or the
/// current folder for a blueprint with no file).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileResolver;

impl Resolver for FileResolver {
    fn resolve(&self, from: Option<&str>, reference: &str) -> Result<Resolved, String> {
        let base = from.and_then(|f| Path::new(f).parent()).map_or_else(|| PathBuf::from("."), Path::to_owned);
        let path = base.join(reference);
        if !path.is_file() {
            return Err(format!("no file at {}", path.display()));
        }
        let bytes = read(&path).map_err(|e| e.to_string())?;
        let parsed = floe_blueprint::parse_bytes(&bytes);
        Ok(Resolved { key: key_of(&path), blueprint: parsed.blueprint, diagnostics: parsed.diagnostics })
    }
}
