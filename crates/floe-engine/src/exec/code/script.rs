//! A `code` node's script, prepared once (per plan, and shared by content across plans): the
//! names it is given, and the function it is compiled to.
//!
//! A script's result is the value of its last expression, or what it `return`s. To compile it
//! once and call it many times, it runs as the body of a function whose parameters are its
//! globals (`inputs`, `run`, the body variables), so its declarations are its own on every call.
//! Its last statement, when it is an expression, becomes a `return`: [`last_statement`] finds
//! it with a small tokenizer that keeps to the places where a statement certainly ends (a `;`,
//! or a line break where JavaScript inserts one), and the sandbox compiles the result, so a split
//! it got wrong fails to compile instead of changing what the script means. A script whose
//! result is not a final expression (it ends in an `if`, a `try`…) and that does not `return`
//! is evaluated as written instead ([`Form::Eval`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use floe_blueprint::cache::ContentCache;

/// A script ready to run in any sandbox.
#[derive(Debug)]
pub(crate) struct Script {
    /// Its id in the sandboxes' function caches (unique in the process).
    pub key: u64,
    /// The source as written.
    pub source: String,
    /// Its parameters: `inputs`, then `run` and the body variables it mentions.
    pub params: Vec<&'static str>,
    /// How it is compiled, decided by the first sandbox that runs it.
    pub form: OnceLock<Form>,
    /// It once ran past the inline budget: it runs on the blocking pool from then on.
    pub slow: AtomicBool,
}

/// How a script is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// A function expression taking the parameters, compiled once per sandbox.
    Function(String),
    /// Evaluated as written (a direct `eval` inside a function taking the parameters), for a
    /// script whose result is the completion value of a statement other than an expression.
    Eval,
}

impl Script {
    /// The script for `source` in a scope whose body variables are `vars`, shared with every node
    /// (of any plan) that has the same source and variables.
    pub fn prepare(source: &str, vars: &[&'static str]) -> Arc<Script> {
        static SCRIPTS: LazyLock<ContentCache<Script>> = LazyLock::new(|| ContentCache::new(4096));
        static KEYS: AtomicU64 = AtomicU64::new(1);
        let mut params = vec!["inputs"];
        // A name the source never mentions cannot be read (there is no `eval`), so it is not
        // passed: that spares serialising the run inputs or a large `parent` for each call.
        params.extend(std::iter::once("run").chain(vars.iter().copied()).filter(|name| source.contains(name)));
        let key = format!("{}\n{source}", params.join(","));
        let made = SCRIPTS.get_or_insert_with(&key, || {
            Ok::<_, std::convert::Infallible>(Script {
                key: KEYS.fetch_add(1, Ordering::Relaxed),
                source: source.to_owned(),
                params: params.clone(),
                form: OnceLock::new(),
                slow: AtomicBool::new(false),
            })
        });
        match made {
            Ok(script) => script,
        }
    }

    /// The function text whose body is the source with its last expression returned, when the
    /// source ends in an expression statement.
    pub fn returning_last(&self) -> Option<String> {
        let (start, end) = last_statement(&self.source)?;
        let (prefix, last, rest) = (&self.source[..start], &self.source[start..end], &self.source[end..]);
        // Line breaks around the inserted text keep a trailing `// comment` from swallowing it;
        // the prefix keeps its lines, so error lines stay right.
        Some(format!("(function ({}) {{{prefix}\n;return (\n{last}\n);{rest}\n}})", self.params.join(", ")))
    }

    /// The function text whose body is the source as written (its result is what it returns).
    pub fn as_body(&self) -> String {
        format!("(function ({}) {{{}\n}})", self.params.join(", "), self.source)
    }
}

/// Token kinds the splitter tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A name (or a keyword; see [`word`]).
    Word,
    /// A number, string, template or regular expression literal.
    Literal,
    /// `)` closing the condition of `if`, `for`, `while` or `with`: a statement follows it.
    ControlParen,
    /// Any other `)`, and `]` and `}`: an expression can end with them.
    Close,
    /// `++` or `--`.
    Step,
    /// Any other punctuator.
    Punct(u8),
}

/// Reserved words that never end an expression (so no statement ends after them) and never start
/// one that may become a `return`.
const STATEMENT_WORDS: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "do",
    "else",
    "export",
    "extends",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "of",
    "return",
    "switch",
    "throw",
    "try",
    "var",
    "while",
    "with",
    "yield",
    "async",
    "await",
    "static",
    "get",
    "set",
    "enum",
];

/// Words that are whole expressions or start one: they may follow an inserted semicolon.
const EXPRESSION_WORDS: &[&str] = &["this", "null", "true", "false", "new", "typeof", "void", "delete", "super"];

/// The byte range of the script's last statement when it is an expression statement whose
/// start is certain, else `None`.
pub(crate) fn last_statement(source: &str) -> Option<(usize, usize)> {
    let bytes = source.as_bytes();
    // Open brackets; each `(` remembers whether it holds a control statement's condition, and a
    // template substitution is a `{` that resumes the template when it closes.
    let mut open: Vec<(u8, bool)> = Vec::new();
    let mut previous: Option<(Token, &str)> = None;
    // The current top-level statement: where it started, and whether that start is certain.
    let mut statement: Option<(usize, bool)> = None;
    // The last complete top-level statement: (start, end, start certain).
    let mut last: Option<(usize, usize, bool)> = None;
    let mut line_break = false;
    // Where the last token ended (a statement ends there, not after a comment that follows it).
    let mut token_end = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        // White space and comments.
        if c == b'\n' || c == b'\r' || c.is_ascii_whitespace() {
            line_break |= c == b'\n' || c == b'\r';
            i += 1;
            continue;
        }
        if source[i..].starts_with("//") {
            i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if source[i..].starts_with("/*") {
            let end = source[i + 2..].find("*/").map(|n| i + 2 + n + 2)?;
            line_break |= source[i..end].contains('\n');
            i = end;
            continue;
        }
        let start = i;
        let top = open.is_empty();
        // Where a top-level statement certainly ends before this token: a line break where
        // JavaScript inserts a semicolon (the previous token can end an expression and this one
        // cannot continue it).
        if top
            && line_break
            && ends_expression(previous)
            && starts_after_break(source, i)
            && let Some((begin, certain)) = statement.take()
        {
            last = Some((begin, token_end, certain));
        }
        // `++` after a line break belongs to the next line's operand; where the statement ends
        // is not this splitter's to decide.
        if top
            && line_break
            && (c == b'+' || c == b'-')
            && bytes.get(i + 1) == Some(&c)
            && let Some((_, certain)) = statement.as_mut()
        {
            *certain = false;
        }
        line_break = false;
        if top && statement.is_none() && c != b';' {
            statement = Some((start, true));
        }
        let token = match c {
            b'\'' | b'"' => {
                i = skip_string(bytes, i)?;
                Token::Literal
            }
            b'`' => {
                i = skip_template(bytes, i + 1, &mut open)?;
                Token::Literal
            }
            b'0'..=b'9' => {
                i = skip_number(bytes, i);
                Token::Literal
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = skip_number(bytes, i);
                Token::Literal
            }
            b'/' if regex_allowed(previous) => {
                i = skip_regex(bytes, i)?;
                Token::Literal
            }
            b'(' => {
                let control = matches!(previous, Some((Token::Word, "if" | "for" | "while" | "with")));
                open.push((b'(', control));
                i += 1;
                Token::Punct(b'(')
            }
            b'[' | b'{' => {
                open.push((c, false));
                i += 1;
                Token::Punct(c)
            }
            b')' | b']' => {
                let (_, control) = open.pop()?;
                i += 1;
                if control { Token::ControlParen } else { Token::Close }
            }
            b'}' => match open.pop()? {
                // The end of a template substitution: the template goes on.
                (b'`', _) => {
                    i = skip_template(bytes, i + 1, &mut open)?;
                    Token::Literal
                }
                _ => {
                    i += 1;
                    Token::Close
                }
            },
            b'+' | b'-' if bytes.get(i + 1) == Some(&c) => {
                i += 2;
                Token::Step
            }
            c if c == b'_' || c == b'$' || c == b'\\' || c == b'#' || c.is_ascii_alphabetic() || c >= 0x80 => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i] == b'_' || bytes[i] == b'$' || bytes[i].is_ascii_alphanumeric() || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Token::Word
            }
            c => {
                i += 1;
                Token::Punct(c)
            }
        };
        if top
            && token == Token::Punct(b';')
            && let Some((begin, certain)) = statement.take()
        {
            last = Some((begin, start, certain));
        }
        previous = Some((token, &source[start..i]));
        token_end = i;
    }
    if !open.is_empty() {
        return None;
    }
    if let Some((begin, certain)) = statement {
        last = Some((begin, token_end, certain));
    }
    let (start, end, certain) = last?;
    (certain && starts_expression(&source[start..end])).then_some((start, end))
}

/// Whether a token can end an expression, so that a line break after it may end the statement.
fn ends_expression(previous: Option<(Token, &str)>) -> bool {
    match previous {
        Some((Token::Word, word)) => !STATEMENT_WORDS.contains(&word) || EXPRESSION_WORDS.contains(&word),
        Some((Token::Literal | Token::Close, _)) => true,
        _ => false,
    }
}

/// Whether the token at `i`, after a line break, cannot continue the statement before it: a
/// number or string literal, or a word other than the operators `in` and `instanceof`.
fn starts_after_break(source: &str, i: usize) -> bool {
    let c = source.as_bytes()[i];
    if matches!(c, b'\'' | b'"' | b'0'..=b'9') {
        return true;
    }
    let word = word_at(source, i);
    !word.is_empty() && word != "in" && word != "instanceof"
}

/// Whether a statement's text is an expression statement that may be returned as it is.
fn starts_expression(statement: &str) -> bool {
    let Some(&c) = statement.as_bytes().first() else { return false };
    match c {
        // A block, not an object literal.
        b'{' | b';' | b')' | b']' | b'}' => false,
        b'\'' | b'"' | b'`' | b'0'..=b'9' | b'(' | b'[' | b'!' | b'~' | b'-' | b'+' | b'/' | b'.' => true,
        _ => {
            let word = word_at(statement, 0);
            !word.is_empty()
                && (EXPRESSION_WORDS.contains(&word) || !STATEMENT_WORDS.contains(&word))
                // `label: …` is a statement.
                && !statement[word.len()..].trim_start().starts_with(':')
        }
    }
}

/// The name starting at `i` (empty when none does).
fn word_at(source: &str, i: usize) -> &str {
    let rest = &source[i..];
    let end = rest
        .bytes()
        .position(|b| !(b == b'_' || b == b'$' || b.is_ascii_alphanumeric() || b >= 0x80))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether a `/` after `previous` starts a regular expression (not a division).
fn regex_allowed(previous: Option<(Token, &str)>) -> bool {
    match previous {
        None => true,
        Some((Token::Word, word)) => STATEMENT_WORDS.contains(&word) && !EXPRESSION_WORDS.contains(&word),
        Some((Token::Literal | Token::Close | Token::Step, _)) => false,
        Some((Token::ControlParen | Token::Punct(_), _)) => true,
    }
}

fn skip_string(bytes: &[u8], i: usize) -> Option<usize> {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b if b == quote => return Some(j + 1),
            b'\n' => return None,
            _ => j += 1,
        }
    }
    None
}

/// Skips template text from `i` (just after a backtick or a substitution's `}`) to the closing
/// backtick, or to a `${`, which it records as open.
fn skip_template(bytes: &[u8], mut i: usize, open: &mut Vec<(u8, bool)>) -> Option<usize> {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return Some(i + 1),
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                open.push((b'`', false));
                return Some(i + 2);
            }
            _ => i += 1,
        }
    }
    None
}

fn skip_number(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        let b = bytes[i];
        let exponent_sign = (b == b'+' || b == b'-') && matches!(bytes[i - 1], b'e' | b'E');
        if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign) {
            break;
        }
        i += 1;
    }
    i
}

fn skip_regex(bytes: &[u8], i: usize) -> Option<usize> {
    let (mut j, mut class) = (i + 1, false);
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 1,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
                    j += 1;
                }
                return Some(j);
            }
            b'\n' => return None,
            _ => {}
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::last_statement;

    fn last(source: &str) -> Option<&str> {
        last_statement(source).map(|(start, end)| &source[start..end])
    }

    #[test]
    fn finds_the_final_expression_after_a_semicolon_or_an_inserted_one() {
        assert_eq!(last("inputs.in.n + 1"), Some("inputs.in.n + 1"));
        assert_eq!(last("({n: inputs.in.n + 1})"), Some("({n: inputs.in.n + 1})"));
        assert_eq!(last("const a = 1;\na * 2;\n"), Some("a * 2"));
        assert_eq!(last("const a = f(1)\nconst b = a\nb + 1 // done"), Some("b + 1"));
        assert_eq!(last("let t = 0\nfor (const r of rows) { t += r }\nt"), Some("t"));
        assert_eq!(
            last("const rows = x;\nrows\n  .filter(r => r.ok)\n  .map(r => r.n)"),
            Some("rows\n  .filter(r => r.ok)\n  .map(r => r.n)")
        );
        assert_eq!(last("const s = `a ${x + `b ${y}`} ; c`;\ns"), Some("s"));
        assert_eq!(last("const r = /;\\/[;]/g; r.test(x)"), Some("r.test(x)"));
        assert_eq!(last("function f(x) { return x }\nf(2)"), Some("f(2)"));
        assert_eq!(last("/* a;\nb */ 'text'"), Some("'text'"));
    }

    #[test]
    fn leaves_alone_what_it_cannot_be_sure_of() {
        // No statement ends before `(b)`: it is a call `a(b)`.
        assert_eq!(last("a\n(b)"), Some("a\n(b)"));
        // The line after `if (…)` is its body.
        assert_eq!(last("if (x)\n y"), None);
        assert_eq!(last("x = 1\nif (x) { 'a' } else { 'b' }"), None);
        assert_eq!(last("try { JSON.parse(x) } catch { null }"), None);
        assert_eq!(last("{a: 1}"), None);
        assert_eq!(last("const x = 1;"), None);
        assert_eq!(last("label: x"), None);
        assert_eq!(last("a = b\n++c"), None);
        assert_eq!(last("x = `unterminated"), None);
        assert_eq!(last("return x"), None);
        assert_eq!(last("let total = 0\ntotal +=\n  1"), Some("total +=\n  1"));
    }
}
