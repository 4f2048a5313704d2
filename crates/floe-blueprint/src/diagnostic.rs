//! Diagnostics: the one shape every problem with a blueprint takes, from a JSON syntax error to a
//! cycle. Each has a stable code documented in `docs/errors.md`, a severity, the node it concerns,
//! a JSON pointer to the field, a message saying what is wrong and what to do, and where possible
//! a machine-applicable fix written as JSON Patch operations.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How serious a diagnostic is. Only errors stop a blueprint from compiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The blueprint does not compile.
    Error,
    /// It compiles, but something is probably a mistake.
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// Stable diagnostic codes. Never renumber one; retire it instead.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum Code {
            $(
                #[doc = $title]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written in files and docs, e.g. `E0206`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The severity this code is reported with.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// A one-line title, as in `docs/errors.md`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }
        }
    };
}

codes! {
    NotUtf8 = "E0100", Error, "file is not UTF-8";
    JsonSyntax = "E0101", Error, "malformed JSON";
    TooDeep = "E0102", Error, "JSON nested too deeply";
    NotABlueprint = "E0103", Error, "not a Floe blueprint";
    UnsupportedVersion = "E0104", Error, "unsupported blueprint version";
    MissingField = "E0105", Error, "required field missing";
    UnknownField = "E0106", Error, "unknown field";
    WrongType = "E0107", Error, "field has the wrong type or value";
    InvalidId = "E0108", Error, "invalid identifier";
    TooLarge = "E0109", Error, "value or file too large";
    DuplicateId = "E0201", Error, "duplicate node id";
    UnknownKind = "E0202", Error, "unknown node kind";
    EdgeUnknownNode = "E0203", Error, "edge refers to a missing node";
    EdgeUnknownPort = "E0204", Error, "edge refers to a missing port";
    PortTypeMismatch = "E0205", Error, "port types do not match";
    Cycle = "E0206", Error, "cycle outside a loop or recursive body";
    EdgeCrossesScope = "E0207", Error, "edge crosses a container boundary";
    InputNotConnected = "E0208", Error, "required input port not connected";
    OutputSourceMissing = "E0209", Error, "run output reads a missing node or port";
    UnusedNode = "W0210", Warning, "node output is never used";
    BadPortRef = "E0211", Error, "malformed port reference";
    DuplicateEdge = "W0212", Warning, "duplicate edge";
    BodyMismatch = "E0213", Error, "body on a non-container, or container without body";
    MissingConfig = "E0301", Error, "required config missing";
    InvalidConfig = "E0302", Error, "invalid config value";
    UnknownConfigField = "E0303", Error, "unknown config field";
    TemplateSyntax = "E0304", Error, "template or expression syntax error";
    NotUpstream = "E0305", Error, "template reads a node that is not upstream";
    UnknownVariable = "E0306", Error, "template reads an unknown variable";
    UnknownTool = "E0307", Error, "unknown tool";
    InvalidModel = "E0308", Error, "malformed model name";
    BodyRefInvalid = "E0309", Error, "container reads a missing body port";
    NoDefaultModel = "W0310", Warning, "no default model is chosen";
    ToolNotAllowed = "E0311", Error, "an agent lists a tool the blueprint does not allow agents";
    InvalidRetry = "E0401", Error, "invalid retry policy";
    InvalidDuration = "E0402", Error, "invalid duration";
    InvalidLimit = "E0403", Error, "invalid limit";
    ErrorPortUnused = "W0404", Warning, "error port is never connected";
    WorkflowNotFound = "E0501", Error, "sub-workflow not found";
    WorkflowRecursion = "E0502", Error, "sub-workflow recurses into itself";
    WorkflowInvalid = "E0503", Error, "sub-workflow does not compile";
    WorkflowInput = "E0504", Error, "sub-workflow input missing or unknown";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with a blueprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0206`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The node concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// JSON pointer (RFC 6901) to the field, `""` for the whole document.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// Line and column in the source text, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// A change that resolves the problem, applied as JSON Patch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    pub fn new(code: Code, pointer: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            node: None,
            pointer: pointer.into(),
            message: message.into(),
            help: help.into(),
            span: None,
            fix: None,
        }
    }

    /// Sets the node concerned.
    #[must_use]
    pub fn node(mut self, id: impl Into<String>) -> Self {
        self.node = Some(id.into());
        self
    }

    /// Sets the node concerned, when there is one.
    #[must_use]
    pub fn node_opt(self, id: Option<&str>) -> Self {
        match id {
            Some(id) => self.node(id),
            None => self,
        }
    }

    /// Attaches a fix.
    #[must_use]
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Sets the source position.
    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A machine-applicable fix: a title and JSON Patch (RFC 6902) operations on the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fix {
    /// What the fix does, e.g. "add edge fetch.body → summarise".
    pub title: String,
    /// The edits, applied in order.
    pub patch: Vec<PatchOp>,
}

/// One JSON Patch operation (the subset fixes use).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PatchOp {
    /// Insert `value` at `path` (`/-` appends to an array).
    Add {
        /// Target pointer.
        path: String,
        /// Value inserted.
        value: Value,
    },
    /// Replace the value at `path`.
    Replace {
        /// Target pointer.
        path: String,
        /// New value.
        value: Value,
    },
    /// Remove the value at `path`.
    Remove {
        /// Target pointer.
        path: String,
    },
    /// Move the value at `from` to `path` (a rename when both are keys of one object).
    Move {
        /// Source pointer.
        from: String,
        /// Target pointer.
        path: String,
    },
}

/// Orders JSON pointers the way a reader expects: token by token, array indices numerically.
pub fn pointer_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let mut left = a.split('/');
    let mut right = b.split('/');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_token(&mut out, token);
    out
}

fn push_token(out: &mut String, token: &str) {
    if token.contains(['~', '/']) {
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(token);
    }
}

/// The value at a JSON pointer, like [`Value::pointer`] but without allocating for tokens that
/// need no unescaping (nearly all of them), since the compiler looks up every template field.
pub fn value_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let mut current = value;
    for token in pointer.strip_prefix('/')?.split('/') {
        let unescaped;
        let token = if token.contains('~') {
            unescaped = token.replace("~1", "/").replace("~0", "~");
            unescaped.as_str()
        } else {
            token
        };
        current = match current {
            Value::Object(map) => map.get(token)?,
            Value::Array(items) => items.get(parse_index(token)?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// An array index token: decimal digits without a leading zero (RFC 6901).
fn parse_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

/// Appends a token to a pointer.
pub fn join_pointer(base: &str, token: impl fmt::Display) -> String {
    use fmt::Write;
    let mut token_text = String::new();
    let _ = write!(token_text, "{token}");
    let mut out = String::with_capacity(base.len() + token_text.len() + 1);
    out.push_str(base);
    out.push('/');
    push_token(&mut out, &token_text);
    out
}

/// Applies a fix's patch to a document. Returns a message when an operation does not apply.
pub fn apply_patch(doc: &mut Value, patch: &[PatchOp]) -> Result<(), String> {
    for op in patch {
        match op {
            PatchOp::Add { path, value } => insert(doc, path, value.clone())?,
            PatchOp::Replace { path, value } => {
                let slot = doc.pointer_mut(path).ok_or_else(|| format!("no value at {path}"))?;
                *slot = value.clone();
            }
            PatchOp::Remove { path } => {
                take(doc, path)?;
            }
            PatchOp::Move { from, path } => {
                let value = take(doc, from)?;
                insert(doc, path, value)?;
            }
        }
    }
    Ok(())
}

fn split_parent(path: &str) -> Result<(&str, String), String> {
    let (parent, last) = path.rsplit_once('/').ok_or_else(|| format!("bad pointer {path}"))?;
    Ok((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn insert(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let (parent, key) = split_parent(path)?;
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key, value);
            Ok(())
        }
        Some(Value::Array(items)) if key == "-" => {
            items.push(value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index: usize = key.parse().map_err(|_| format!("bad index in {path}"))?;
            if index > items.len() {
                return Err(format!("index out of range in {path}"));
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(format!("no container at {parent}")),
    }
}

fn take(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, key) = split_parent(path)?;
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&key).ok_or_else(|| format!("no value at {path}")),
        Some(Value::Array(items)) => {
            let index: usize = key.parse().map_err(|_| format!("bad index in {path}"))?;
            if index >= items.len() {
                return Err(format!("index out of range in {path}"));
            }
            Ok(items.remove(index))
        }
        _ => Err(format!("no container at {parent}")),
    }
}

/// Applies a patch to JSON text and returns the result pretty-printed.
pub fn apply_patch_to_text(text: &str, patch: &[PatchOp]) -> Result<String, String> {
    let mut document: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    apply_patch(&mut document, patch)?;
    serde_json::to_string_pretty(&document).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::value_at;

    #[test]
    fn value_at_agrees_with_serde_json() {
        let doc = json!({"a": {"b/c": [10, {"~d": true}], "": 1}, "e": null});
        let pointers = [
            "",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0d",
            "/a/",
            "/e",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/x",
            "a",
            "/e/0",
        ];
        for pointer in pointers {
            assert_eq!(value_at(&doc, pointer), doc.pointer(pointer), "{pointer:?}");
        }
    }
}
