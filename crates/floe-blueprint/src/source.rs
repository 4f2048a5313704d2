//! Source positions: turns a JSON pointer into the line and column where that value starts, so
//! diagnostics found on the typed document can still say `file:line:col`.

use jsonc_parser::ast::{ObjectPropName, Value as Ast};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use crate::diagnostic::Span;

/// A parsed view of the source text for pointer look-ups. Build it only for text that
/// `serde_json` has already accepted (so nesting is bounded).
#[derive(Debug)]
pub struct SourceMap<'a> {
    text: &'a str,
    root: Option<Ast<'a>>,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            ..ParseOptions::default()
        };
        let root = parse_to_ast(text, &CollectOptions::default(), &options).ok().and_then(|r| r.value);
        Self { text, root, line_starts: line_starts(text) }
    }

    /// The position of the value at `pointer`, or of its nearest existing ancestor.
    pub fn span(&self, pointer: &str) -> Option<Span> {
        let mut node = self.root.as_ref()?;
        let mut offset = node_start(node);
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            let next = match node {
                Ast::Object(object) => {
                    object.properties.iter().find(|p| name(&p.name) == token).map(|p| (&p.value, p.range.start))
                }
                Ast::Array(array) => {
                    token.parse::<usize>().ok().and_then(|i| array.elements.get(i)).map(|v| (v, node_start(v)))
                }
                _ => None,
            };
            match next {
                Some((value, start)) => {
                    node = value;
                    offset = start;
                }
                None => break,
            }
        }
        Some(self.position(offset))
    }

    /// The line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Span {
        position_in(self.text, &self.line_starts, offset)
    }
}

fn name<'b>(name: &'b ObjectPropName<'_>) -> &'b str {
    name.as_str()
}

fn node_start(node: &Ast<'_>) -> usize {
    match node {
        Ast::StringLit(v) => v.range.start,
        Ast::NumberLit(v) => v.range.start,
        Ast::BooleanLit(v) => v.range.start,
        Ast::Object(v) => v.range.start,
        Ast::Array(v) => v.range.start,
        Ast::NullKeyword(v) => v.range.start,
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

fn position_in(text: &str, starts: &[usize], offset: usize) -> Span {
    let offset = offset.min(text.len());
    let line = starts.partition_point(|&start| start <= offset).max(1);
    let start = starts[line - 1];
    let column = text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
    Span { line, column }
}

/// The line and column of a byte offset in arbitrary bytes (for files that are not UTF-8).
pub fn byte_position(bytes: &[u8], offset: usize) -> Span {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Span { line, column: offset.min(bytes.len()) - line_start + 1 }
}
