//! Drafting: a request becomes a **draft**, a list of typed operations on a blueprint (add a
//! node, connect two ports, set a config field…), the blueprint they produce, the compiler's
//! diagnostics on it and a summary in words. Drafters (a model, or the offline one) only ever
//! propose operations; applying them is this crate's, so nodes the operations do not touch stay
//! byte-identical in the canonical form, and positions are computed here, never asked of a model.
//!
//! - [`ops`]: the operations, their JSON Schema (for structured output) and [`ops::apply`].
//! - [`place`]: positions for the nodes a draft adds.
//! - [`summary`]: what a list of operations does, in words.
//! - [`digest`]: the catalogue, compactly, for a model's prompt (generated, never written by hand).
//! - [`draft`]: a whole draft: operations applied to a base, compiled and summarised.
//! - [`eval`]: the evaluation set and its figures.
//! - [`explain`]: a blueprint in plain words, step by step.
//! - [`model`]: the model drafter: structured output and a bounded repair loop.
//! - [`offline`]: the deterministic drafter (no model): a request read as steps in order.
//!
//! Depends on the blueprint, compiler and model crates: no engine.

pub mod digest;
pub mod draft;
pub mod eval;
pub mod explain;
pub mod model;
pub mod offline;
pub mod ops;
pub mod place;
pub mod summary;

pub use draft::{Draft, Drafter, make_draft};
pub use ops::{ApplyError, Op, apply};
