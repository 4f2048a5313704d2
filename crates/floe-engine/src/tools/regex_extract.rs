//! `regex_extract`: matches of a regular expression, or of one capture group.

use std::sync::LazyLock;

use floe_blueprint::cache::ContentCache;
use floe_blueprint::catalog::tools::regex_extract::RegexExtractArgs;
use regex::Regex;
use serde_json::Value;

use super::text_or_input;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) fn run(args: RegexExtractArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    // Compiled once per pattern in the process (`Regex` is made to be shared between threads).
    static PATTERNS: LazyLock<ContentCache<Regex>> = LazyLock::new(|| ContentCache::new(1024));
    let regex = PATTERNS
        .get_or_insert_with(&args.pattern, || Regex::new(&args.pattern))
        .map_err(|e| NodeError::tool(format!("`pattern` is not a valid regular expression: {e}")))?;
    let group = args.group.unwrap_or(0) as usize;
    if group >= regex.captures_len() {
        return Err(NodeError::tool(format!(
            "`group` {group} does not exist: the pattern has {} capture groups",
            regex.captures_len() - 1
        )));
    }
    let text = text_or_input(args.text, ctx)?;
    let found = regex.captures_iter(&text).filter_map(|c| c.get(group)).map(|m| Value::String(m.as_str().to_owned()));
    let matches: Vec<Value> = if args.all.unwrap_or(true) { found.collect() } else { found.take(1).collect() };
    let mut outputs = output("first", matches.first().cloned().unwrap_or(Value::Null));
    outputs.insert("matches".into(), Value::Array(matches));
    Ok(outputs)
}
