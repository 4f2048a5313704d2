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
/// disk, then renamed over the original. A crash leaves either the old or the new file (and,
/// when the process is killed mid-write, a hidden temporary that [`sweep_temporaries`] removes).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    write_atomic_as(path, contents, &format!("p{}", std::process::id()))
}

/// The marker in a temporary file's name, between the target's name and the writer's tag.
const TEMPORARY: &str = ".floe-tmp-";

/// [`write_atomic`], naming the temporary after `tag` (a run id for a run's writes), so that
/// what a killed writer left can be told apart from what a live one is writing.
pub fn write_atomic_as(path: &Path, contents: &[u8], tag: &str) -> Result<(), FileError> {
    let error = |source| FileError::Write { path: path.to_owned(), source };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Unique per process and per call, so concurrent writers never share a temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = folder.join(format!(".{name}{TEMPORARY}{tag}-{n}"));
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

/// The writer's tag of a temporary file's name (`.<name>.floe-tmp-<tag>-<n>`), if it is one.
fn temporary_tag(file_name: &str) -> Option<&str> {
    if !file_name.starts_with('.') {
        return None;
    }
    let (_, rest) = file_name.rsplit_once(TEMPORARY)?;
    let (tag, n) = rest.rsplit_once('-')?;
    (!tag.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(tag)
}

/// Most folder entries a sweep looks at: a workspace is a folder of blueprints and their data,
/// not a disk to crawl.
const SWEEP_LIMIT: usize = 20_000;

/// Removes the temporary files killed writers left under `root`: those whose tag `abandoned`
/// says is no longer writing. Symlinks are not followed. Returns the paths removed.
pub fn sweep_temporaries(root: &Path, abandoned: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let mut folders = vec![root.to_owned()];
    let mut seen = 0;
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            seen += 1;
            if seen > SWEEP_LIMIT {
                return removed;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_dir() {
                if !matches!(name.as_ref(), ".git" | "node_modules" | "target") {
                    folders.push(entry.path());
                }
            } else if kind.is_file()
                && temporary_tag(&name).is_some_and(abandoned)
                && fs::remove_file(entry.path()).is_ok()
            {
                removed.push(entry.path());
            }
        }
    }
    removed
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
/// current folder for a blueprint with no file), and `default` models to the one it was given.
#[derive(Debug, Clone, Default)]
pub struct FileResolver {
    default_model: Option<String>,
}

impl FileResolver {
    /// A resolver whose default model is `model` (`provider:model`).
    pub fn with_default_model(model: Option<String>) -> Self {
        Self { default_model: model }
    }

    /// A resolver whose default model is the one the settings file (or `FLOE_DEFAULT_MODEL`)
    /// chooses.
    pub fn from_settings() -> Self {
        Self::with_default_model(floe_llm::Settings::default_model_of_default_file())
    }
}

impl Resolver for FileResolver {
    fn default_model(&self) -> Option<&str> {
        self.default_model.as_deref()
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_known_by_their_tag() {
        assert_eq!(temporary_tag(".out.txt.floe-tmp-r0190aa-3"), Some("r0190aa"));
        assert_eq!(temporary_tag(".a.floe-tmp-b.floe-tmp-p42-0"), Some("p42"));
        assert_eq!(temporary_tag("out.txt.floe-tmp-r1-3"), None, "not hidden");
        assert_eq!(temporary_tag(".out.txt.floe-tmp-r1-x"), None);
        assert_eq!(temporary_tag(".notes.txt"), None);
    }

    #[test]
    fn a_sweep_removes_only_abandoned_temporaries() {
        let dir = std::env::temp_dir().join(format!("floe-sweep-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).expect("folder");
        for name in [".a.txt.floe-tmp-rdead-0", "sub/.b.csv.floe-tmp-rdead-1", ".c.txt.floe-tmp-rlive-2", "keep.txt"] {
            fs::write(dir.join(name), "x").expect("write");
        }
        let mut removed = sweep_temporaries(&dir, &|tag| tag == "rdead");
        removed.sort();
        assert_eq!(removed, vec![dir.join(".a.txt.floe-tmp-rdead-0"), dir.join("sub/.b.csv.floe-tmp-rdead-1")]);
        assert!(dir.join(".c.txt.floe-tmp-rlive-2").is_file() && dir.join("keep.txt").is_file());
        let _ = fs::remove_dir_all(&dir);
    }
}
