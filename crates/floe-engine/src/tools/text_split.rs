//! `text_split`: chunks by characters, lines, paragraphs or a separator, with overlap.

use floe_blueprint::catalog::tools::text_split::{SplitMode, TextSplitArgs};
use serde_json::Value;

use super::text_or_input;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) fn run(args: TextSplitArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let text = text_or_input(args.text, ctx)?;
    let mode = args.mode.unwrap_or(SplitMode::Chars);
    let size = args.chunk_size.map_or(if mode == SplitMode::Chars { 2000 } else { 50 }, |s| s as usize).max(1);
    let overlap = args.overlap.unwrap_or(0) as usize;
    if overlap >= size {
        return Err(NodeError::tool(format!("`overlap` ({overlap}) must be smaller than `chunk_size` ({size})")));
    }
    let chunks = match mode {
        SplitMode::Chars => {
            let chars: Vec<char> = text.chars().collect();
            windows(chars.len(), size, overlap).into_iter().map(|(a, b)| chars[a..b].iter().collect()).collect()
        }
        SplitMode::Lines => group(&text.lines().collect::<Vec<_>>(), size, overlap, "\n"),
        SplitMode::Paragraphs => {
            let paragraphs: Vec<&str> = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
            group(&paragraphs, size, overlap, "\n\n")
        }
        SplitMode::Separator => {
            let separator = args
                .separator
                .as_deref()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| NodeError::tool("`mode: separator` needs a non-empty `separator`"))?;
            let parts: Vec<&str> = text.split(separator).filter(|p| !p.is_empty()).collect();
            group(&parts, size, overlap, separator)
        }
    };
    Ok(output("chunks", Value::Array(chunks.into_iter().map(Value::String).collect())))
}

/// `[start, end)` ranges of at most `size` over `len` items, each overlapping the last by
/// `overlap`, ending with the one that reaches the end.
fn windows(len: usize, size: usize, overlap: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < len {
        let end = (start + size).min(len);
        out.push((start, end));
        if end == len {
            break;
        }
        start = end - overlap;
    }
    out
}

fn group(parts: &[&str], size: usize, overlap: usize, joiner: &str) -> Vec<String> {
    windows(parts.len(), size, overlap).into_iter().map(|(a, b)| parts[a..b].join(joiner)).collect()
}

#[cfg(test)]
mod tests {
    use super::windows;

    #[test]
    fn windows_cover_everything_once_with_overlap() {
        assert_eq!(windows(10, 4, 0), [(0, 4), (4, 8), (8, 10)]);
        assert_eq!(windows(10, 4, 1), [(0, 4), (3, 7), (6, 10)]);
        assert_eq!(windows(0, 4, 0).len(), 0);
        assert_eq!(windows(3, 4, 2), [(0, 3)]);
    }
}
