//! The ten node kinds, one file each.

use super::KindSpec;

pub mod agent;
pub mod approval;
pub mod code;
pub mod condition;
pub mod llm;
#[path = "loop.rs"]
pub mod loop_;
pub mod parallel;
pub mod recursive;
pub mod tool;
pub mod workflow;

/// Every kind, in palette order.
pub fn all() -> Vec<KindSpec> {
    vec![
        tool::spec(),
        llm::spec(),
        agent::spec(),
        code::spec(),
        condition::spec(),
        loop_::spec(),
        parallel::spec(),
        recursive::spec(),
        workflow::spec(),
        approval::spec(),
    ]
}
