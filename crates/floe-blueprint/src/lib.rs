//! Floe blueprints: the document model, the node catalogue, the JSON Schema, the canonical form,
//! migrations and source positions.
//!
//! This crate knows nothing of I/O, async runtimes, SQL or the desktop shell: it turns bytes
//! into a typed document (reporting every problem as a [`Diagnostic`]) and a document back into
//! canonical bytes. Judging whether a document is a runnable graph is `floe-compiler`'s job.

pub mod cache;
pub mod canonical;
pub mod catalog;
pub mod diagnostic;
pub mod document;
pub mod layout;
pub mod migrate;
pub mod parse;
pub mod policy;
pub mod schema;
mod shared;
pub mod source;

pub use canonical::{format_bytes, to_canonical_string};
pub use catalog::{Catalog, Effect, FieldRole, KindSpec, PortDef, Ports, ScriptField, ToolEffect, ToolInfo, ToolSpec};
pub use diagnostic::{Code, Diagnostic, Fix, PatchOp, Severity, Span, apply_patch, apply_patch_to_text};
pub use document::{
    Blueprint, Body, Edge, FORMAT, Node, PortRef, PortSpec, RunInput, RunOutput, SCHEMA_REF, VERSION, ValueType,
    is_identifier,
};
pub use layout::{Comment, Layout, NodeBox};
pub use parse::{Parsed, locate, parse_bytes, parse_str, parse_value, walk_nodes};
pub use policy::{
    Budget, ErrorClass, JoinRule, OnError, Policy, RetryPolicy, RunFailurePolicy, RunPolicy, parse_duration,
};
pub use schema::blueprint_schema;
