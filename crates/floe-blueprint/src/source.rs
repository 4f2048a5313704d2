//! Source positions: turns JSON pointers into the line and column where their values start, so
//! diagnostics found on the typed document can still say `file:line:col`.
//!
//! The text is walked once with jsonc-parser's scanner, descending only into the values on the way
//! to a wanted pointer and skipping the rest token by token. Nothing of the document is kept, so
//! locating a hundred warnings in a 10,000-node blueprint costs one pass and no tree (the AST of
//! such a file is about 12× its size).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

use crate::diagnostic::Span;

/// Line starts of the source text, for pointer and offset look-ups.
#[derive(Debug)]
pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        Self { text, line_starts: line_starts(text) }
    }

    /// The position of the value at `pointer`, or of its nearest existing ancestor.
    pub fn span(&self, pointer: &str) -> Option<Span> {
        self.spans(&[pointer]).pop().flatten()
    }

    /// The positions of the values at `pointers` (for an object member: where its name starts),
    /// each falling back to its nearest existing ancestor, found in one pass over the text. Text
    /// that is not JSON yields what was found before the first error.
    pub fn spans(&self, pointers: &[&str]) -> Vec<Option<Span>> {
        let wanted: HashSet<&str> = pointers.iter().flat_map(|p| ancestors(p)).collect();
        let mut walk = Walk {
            scanner: Scanner::new(self.text, &strict()),
            wanted: &wanted,
            found: HashMap::new(),
            path: String::new(),
        };
        let _ = walk.root();
        pointers
            .iter()
            .map(|p| ancestors(p).find_map(|a| walk.found.get(a)).map(|&offset| self.position(offset)))
            .collect()
    }

    /// The line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Span {
        position_in(self.text, &self.line_starts, offset)
    }
}

/// `pointer`, then each of its ancestors up to the root (`""`).
fn ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(pointer), |p| p.rfind('/').map(|i| &p[..i]))
}

fn strict() -> ScannerOptions {
    ScannerOptions {
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// A walk over the tokens that records the start of every wanted value. Descent follows wanted
/// paths only, so its depth is bounded by the longest pointer; skipped values are counted through.
struct Walk<'t, 'w> {
    scanner: Scanner<'t>,
    wanted: &'w HashSet<&'w str>,
    found: HashMap<String, usize>,
    /// The pointer of the value being read.
    path: String,
}

impl<'t> Walk<'t, '_> {
    fn next(&mut self) -> Option<Token<'t>> {
        loop {
            match self.scanner.scan().ok()?? {
                Token::CommentLine(_) | Token::CommentBlock(_) => {}
                token => return Some(token),
            }
        }
    }

    fn root(&mut self) -> Option<()> {
        let token = self.next()?;
        let start = self.scanner.token_start();
        self.value(token, start)
    }

    /// The value that begins with `token`; `offset` is where it (or its member) starts.
    fn value(&mut self, token: Token<'t>, offset: usize) -> Option<()> {
        let wanted = self.wanted.contains(self.path.as_str());
        if wanted {
            self.found.insert(self.path.clone(), offset);
        }
        match token {
            Token::OpenBrace if wanted => self.object(),
            Token::OpenBracket if wanted => self.array(),
            Token::OpenBrace | Token::OpenBracket => self.skip(),
            _ => Some(()),
        }
    }

    fn object(&mut self) -> Option<()> {
        loop {
            let name = match self.next()? {
                Token::CloseBrace => return Some(()),
                Token::Comma => continue,
                Token::String(name) => name,
                _ => return None,
            };
            let start = self.scanner.token_start();
            if self.next()? != Token::Colon {
                return None;
            }
            let token = self.next()?;
            let len = self.path.len();
            self.path.push('/');
            if name.contains(['~', '/']) {
                self.path.push_str(&name.replace('~', "~0").replace('/', "~1"));
            } else {
                self.path.push_str(&name);
            }
            let read = self.value(token, start);
            self.path.truncate(len);
            read?;
        }
    }

    fn array(&mut self) -> Option<()> {
        let mut index = 0usize;
        loop {
            let token = match self.next()? {
                Token::CloseBracket => return Some(()),
                Token::Comma => continue,
                token => token,
            };
            let start = self.scanner.token_start();
            let len = self.path.len();
            let _ = write!(self.path, "/{index}");
            index += 1;
            let read = self.value(token, start);
            self.path.truncate(len);
            read?;
        }
    }

    /// Reads past the rest of an object or array whose opening token was just read.
    fn skip(&mut self) -> Option<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Token::OpenBrace | Token::OpenBracket => depth += 1,
                Token::CloseBrace | Token::CloseBracket => depth -= 1,
                _ => {}
            }
        }
        Some(())
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
