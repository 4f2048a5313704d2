//! `floe` uses the system allocator: measured against mimalloc on 10,000-node blueprints,
//! `floe validate` and `floe run` take the same time, and a run peaks ~14 MB lower in RSS
//! (mimalloc keeps freed pages for a second, per thread, so the compile's pages are not reused by
//! the run). ARCHITECTURE.md "Run memory".
//!
//! It makes one setting in it, the workspace's one `unsafe` block: glibc has no safe binding for
//! it.

/// Blocks of this size or more are mapped on their own, and unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAPPED_FROM_BYTES: libc::c_int = 256 * 1024;

/// Fixes glibc's mmap threshold at [`MAPPED_FROM_BYTES`]. Left alone, glibc raises it to the
/// size of the largest mapped block freed so far (up to 32 MiB), and the size a heap's free top
/// must reach before it is returned to twice that. Reading and compiling a 10,000-node blueprint
/// frees blocks of 2–6 MB, so every block up to that size afterwards came from the heap of the
/// thread that asked (the journal writer's rows of 256 KiB among them) and stayed there: peak RSS
/// of a 10,000-node `floe run` 3–5 MB higher (`scripts/bench-run-memory.py`, the same wall
/// time). Does nothing elsewhere than glibc.
pub fn return_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets an allocator parameter, under the allocator's own lock, so
        // it may be called at any time from any thread; no memory is touched. A refusal (0)
        // leaves glibc's default, which costs only memory.
        #[expect(unsafe_code, reason = "glibc's mallopt has no safe binding")]
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM_BYTES) };
    }
}
