//! Reading a blueprint from bytes, text or JSON, collecting every problem instead of stopping
//! at the first.
//!
//! A broken field is reported at its JSON pointer and left at its default; a broken node or edge
//! stays in place as an empty stand-in (empty id) so later pointers keep their indices. The
//! result is therefore usable by the compiler even when it has errors, and [`Parsed::is_clean`]
//! says whether it may be written back (formatting a document with structural errors would lose
//! what could not be read).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::diagnostic::{Code, Diagnostic, Fix, PatchOp, Span, join_pointer};
use crate::document::{Blueprint, Body, Edge, FormatTag, Node, is_identifier};
use crate::layout::Layout;
use crate::migrate::migrate;
use crate::policy::{Policy, RunPolicy};
use crate::source::{SourceMap, byte_position};

/// Largest blueprint file read, in bytes.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Longest single string value (a prompt, a code body), in bytes.
pub const MAX_STRING_BYTES: usize = 1024 * 1024;

/// What reading a document produced.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The document, when it was at least an object with the right format tag.
    pub blueprint: Option<Blueprint>,
    /// Every problem found while reading.
    pub diagnostics: Vec<Diagnostic>,
    /// The version the file declared, when it was older than the current one.
    pub migrated_from: Option<u32>,
}

impl Parsed {
    /// True when the document was read completely, with no errors.
    pub fn is_clean(&self) -> bool {
        self.blueprint.is_some() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads raw file bytes: checks size and UTF-8, then parses.
pub fn parse_bytes(bytes: &[u8]) -> Parsed {
    if bytes.len() > MAX_FILE_BYTES {
        return failed(Diagnostic::new(
            Code::TooLarge,
            "",
            format!("the file is {} MiB; blueprints are limited to {} MiB", bytes.len() >> 20, MAX_FILE_BYTES >> 20),
            "move large data into files the workflow reads at run time",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(text),
        Err(error) => failed(
            Diagnostic::new(
                Code::NotUtf8,
                "",
                format!("byte {} is not valid UTF-8", error.valid_up_to()),
                "save the file as UTF-8 (blueprints are JSON, which must be UTF-8)",
            )
            .at(byte_position(bytes, error.valid_up_to())),
        ),
    }
}

/// Parses JSON text; every diagnostic gets a line and column where one can be found.
pub fn parse_str(text: &str) -> Parsed {
    if let Some(blueprint) = read_clean(text) {
        return Parsed { blueprint: Some(blueprint), diagnostics: Vec::new(), migrated_from: None };
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => return failed(json_error(&error)),
    };
    let mut parsed = parse_value(value);
    locate(text, &mut parsed.diagnostics);
    parsed
}

/// The fast path for the common case, a current-version document with nothing wrong: one strict
/// pass straight into the typed model, no intermediate JSON tree. `None` whenever anything would
/// need a diagnostic (a type error, an unknown field, an old version, a bad identifier, an
/// oversized string); the lenient reader then finds and reports it. A test checks that both paths
/// agree on every example and every broken blueprint.
fn read_clean(text: &str) -> Option<Blueprint> {
    let sharing = crate::shared::Sharing::begin();
    let blueprint: Blueprint = serde_json::from_str(text).ok()?;
    drop(sharing);
    let ids_ok = is_blueprint_id(&blueprint.id) && blueprint.inputs.keys().all(|name| is_identifier(name));
    let mut pending: Vec<&Node> = blueprint.nodes.iter().collect();
    let mut nodes_ok = true;
    while let Some(node) = pending.pop() {
        nodes_ok &= is_identifier(&node.id)
            && node.config.is_object()
            && node.inputs.iter().chain(&node.outputs).all(|port| is_identifier(&port.name));
        pending.extend(node.body.iter().flat_map(|body| &body.nodes));
    }
    let sizes_ok = !has_long_literal(text);
    (blueprint.version == crate::VERSION && ids_ok && nodes_ok && sizes_ok).then_some(blueprint)
}

/// Whether some string literal in (valid) JSON text is longer than [`MAX_STRING_BYTES`] as
/// written. Escapes only shorten a string when decoded, so `false` proves every string fits; a
/// `true` sends the document to the exact check of the lenient reader.
///
/// Valid JSON has no raw line break inside a string, so every literal lies within one line:
/// when no line is longer than the limit, no literal is. That is found in a few jumps of the
/// limit's length (a pretty-printed 10,000-node blueprint: 4 jumps, against 3 ms for looking at
/// each of its 300,000 strings); only a document with a longer line is scanned string by string.
fn has_long_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut line_start = 0;
    while bytes.len() - line_start > MAX_STRING_BYTES {
        match memchr::memrchr(b'\n', &bytes[line_start..=line_start + MAX_STRING_BYTES]) {
            Some(at) => line_start += at + 1,
            None => return has_long_literal_in(bytes),
        }
    }
    false
}

/// [`has_long_literal`], string by string.
fn has_long_literal_in(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = memchr::memchr(b'"', &bytes[i..]).map(|p| i + p) {
        let mut end = open + 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &bytes[end..]) {
                Some(p) if bytes[end + p] == b'\\' => end += p + 2,
                Some(p) => {
                    end += p;
                    break;
                }
                None => return false,
            }
        }
        if end - open - 1 > MAX_STRING_BYTES {
            return true;
        }
        i = end + 1;
    }
    false
}

/// Fills in `span` for every diagnostic that has none, from its pointer.
pub fn locate(text: &str, diagnostics: &mut [Diagnostic]) {
    if diagnostics.iter().all(|d| d.span.is_some()) {
        return;
    }
    let missing: Vec<&str> = diagnostics.iter().filter(|d| d.span.is_none()).map(|d| d.pointer.as_str()).collect();
    let spans = SourceMap::new(text).spans(&missing);
    for (diagnostic, span) in diagnostics.iter_mut().filter(|d| d.span.is_none()).zip(spans) {
        diagnostic.span = span;
    }
}

fn json_error(error: &serde_json::Error) -> Diagnostic {
    let span = Span { line: error.line().max(1), column: error.column().max(1) };
    let text = error.to_string();
    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m).to_owned();
    let diagnostic = if message.starts_with("recursion limit exceeded") {
        Diagnostic::new(
            Code::TooDeep,
            "",
            "the JSON is nested more than 128 levels deep",
            "flatten the document; blueprints never need this much nesting",
        )
    } else if error.is_eof() {
        Diagnostic::new(
            Code::JsonSyntax,
            "",
            format!("the file ends too early: {message}"),
            "the file looks truncated; restore it from a backup or close the open brackets",
        )
    } else {
        Diagnostic::new(Code::JsonSyntax, "", message, "fix the JSON syntax at this position")
    };
    diagnostic.at(span)
}

fn failed(diagnostic: Diagnostic) -> Parsed {
    Parsed { blueprint: None, diagnostics: vec![diagnostic], migrated_from: None }
}

/// Reads a JSON value (already parsed) as a blueprint, migrating older versions first.
pub fn parse_value(value: Value) -> Parsed {
    let mut diagnostics = Vec::new();
    check_sizes(&value, &mut diagnostics);
    let migrated = match migrate(value) {
        Ok(migrated) => migrated,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return Parsed { blueprint: None, diagnostics, migrated_from: None };
        }
    };
    let migrated_from = (migrated.from_version != crate::VERSION).then_some(migrated.from_version);
    let mut reader = Reader { diagnostics };
    let sharing = crate::shared::Sharing::begin();
    let blueprint = reader.blueprint(migrated.document);
    drop(sharing);
    Parsed { blueprint, diagnostics: reader.diagnostics, migrated_from }
}

/// Reports every string longer than [`MAX_STRING_BYTES`]. A cheap pass first; pointers are only
/// built when something is too long. Both passes walk iteratively.
fn check_sizes(value: &Value, diagnostics: &mut Vec<Diagnostic>) {
    let mut pending = vec![value];
    let mut found = false;
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) if text.len() > MAX_STRING_BYTES => {
                found = true;
                break;
            }
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    if !found {
        return;
    }
    let mut pending = vec![(value, String::new())];
    while let Some((value, pointer)) = pending.pop() {
        match value {
            Value::String(text) if text.len() > MAX_STRING_BYTES => diagnostics.push(Diagnostic::new(
                Code::TooLarge,
                pointer,
                format!(
                    "this string is {} KiB; strings in a blueprint are limited to {} KiB",
                    text.len() >> 10,
                    MAX_STRING_BYTES >> 10
                ),
                "keep large text in a file and read it with the read_file tool",
            )),
            Value::Array(items) => {
                pending.extend(items.iter().enumerate().map(|(i, v)| (v, join_pointer(&pointer, i))));
            }
            Value::Object(map) => {
                pending.extend(map.iter().map(|(k, v)| (v, join_pointer(&pointer, k))));
            }
            _ => {}
        }
    }
}

const BLUEPRINT_FIELDS: &[&str] = &[
    "$schema",
    "format",
    "version",
    "id",
    "name",
    "description",
    "inputs",
    "outputs",
    "default_model",
    "defaults",
    "run",
    "nodes",
    "edges",
    "layout",
];
const NODE_FIELDS: &[&str] = &["id", "kind", "title", "description", "config", "inputs", "outputs", "policy", "body"];
const BODY_FIELDS: &[&str] = &["nodes", "edges"];

/// Reads the document by value, moving strings and config objects out of the JSON rather than
/// copying them; pointers are built only when something is wrong.
struct Reader {
    diagnostics: Vec<Diagnostic>,
}

impl Reader {
    fn blueprint(&mut self, document: Value) -> Option<Blueprint> {
        let Value::Object(mut object) = document else { return None };
        self.unknown_fields(&object, BLUEPRINT_FIELDS, "", None);
        let id: String = self.take_string(&mut object, "id", "", None, true).unwrap_or_default();
        if !id.is_empty() && !is_blueprint_id(&id) {
            self.diagnostics.push(Diagnostic::new(
                Code::InvalidId,
                "/id",
                format!("blueprint id {id:?} is not a valid id"),
                "use letters, digits, `_` and `-` only (at most 64 characters)",
            ));
        }
        let (nodes, edges) = self.graph(&mut object, "");
        let blueprint = Blueprint {
            schema: self.take_string(&mut object, "$schema", "", None, false),
            format: FormatTag::FloeBlueprint,
            version: crate::VERSION,
            id,
            name: self.take_string(&mut object, "name", "", None, true).unwrap_or_default(),
            description: self.take_string(&mut object, "description", "", None, false).unwrap_or_default(),
            inputs: self.take(&mut object, "inputs", "", None, false).unwrap_or_default(),
            outputs: self.take(&mut object, "outputs", "", None, false).unwrap_or_default(),
            default_model: self.take_string(&mut object, "default_model", "", None, false),
            defaults: self.take::<Policy>(&mut object, "defaults", "", None, false).unwrap_or_default(),
            run: self.take::<RunPolicy>(&mut object, "run", "", None, false).unwrap_or_default(),
            nodes,
            edges,
            layout: self.take::<Layout>(&mut object, "layout", "", None, false).unwrap_or_default(),
        };
        for name in blueprint.inputs.keys().filter(|name| !is_identifier(name)) {
            self.invalid_identifier(&join_pointer("/inputs", name), None, "run input", name);
        }
        Some(blueprint)
    }

    /// Reads `nodes` and `edges` of an object (the document or a body).
    fn graph(&mut self, object: &mut Map<String, Value>, pointer: &str) -> (Vec<Node>, Vec<Edge>) {
        let nodes = match object.remove("nodes") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| self.node(item, &format!("{pointer}/nodes/{i}")))
                .collect(),
            Some(other) => {
                self.wrong_type(&join_pointer(pointer, "nodes"), None, "an array of nodes", &other);
                Vec::new()
            }
        };
        let edges = match object.remove("edges") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    self.value::<Edge>(item, &format!("{pointer}/edges/{i}"), None).unwrap_or_else(|| Edge::new("", ""))
                })
                .collect(),
            Some(other) => {
                self.wrong_type(&join_pointer(pointer, "edges"), None, "an array of edges", &other);
                Vec::new()
            }
        };
        (nodes, edges)
    }

    fn node(&mut self, value: Value, pointer: &str) -> Node {
        let Value::Object(mut object) = value else {
            self.wrong_type(pointer, None, "a node object", &value);
            return Node::new("", "");
        };
        let id: String = self.take_string(&mut object, "id", pointer, None, true).unwrap_or_default();
        let node_id = (!id.is_empty()).then_some(id.as_str());
        if !id.is_empty() && !is_identifier(&id) {
            self.invalid_identifier(&join_pointer(pointer, "id"), None, "node id", &id);
        }
        self.unknown_fields(&object, NODE_FIELDS, pointer, node_id);
        let mut node = Node::new(id.clone(), "");
        node.kind = self.take_string(&mut object, "kind", pointer, node_id, true).unwrap_or_default();
        node.title = self.take_string(&mut object, "title", pointer, node_id, false).unwrap_or_default();
        node.description = self.take_string(&mut object, "description", pointer, node_id, false).unwrap_or_default();
        match object.remove("config") {
            None => {}
            Some(config @ Value::Object(_)) => node.config = crate::shared::share(config),
            Some(other) => self.wrong_type(&join_pointer(pointer, "config"), node_id, "a config object", &other),
        }
        node.inputs = self.take(&mut object, "inputs", pointer, node_id, false).unwrap_or_default();
        node.outputs = self.take(&mut object, "outputs", pointer, node_id, false).unwrap_or_default();
        node.policy = self.take(&mut object, "policy", pointer, node_id, false).unwrap_or_default();
        for (field, ports) in [("inputs", &node.inputs), ("outputs", &node.outputs)] {
            for (i, port) in ports.iter().enumerate() {
                if !is_identifier(&port.name) {
                    let at = format!("{pointer}/{field}/{i}/name");
                    self.invalid_identifier(&at, node_id, "port name", &port.name);
                }
            }
        }
        node.body = match object.remove("body") {
            None => None,
            Some(Value::Object(mut body)) => {
                let body_pointer = join_pointer(pointer, "body");
                self.unknown_fields(&body, BODY_FIELDS, &body_pointer, node_id);
                let (nodes, edges) = self.graph(&mut body, &body_pointer);
                Some(Body { nodes, edges })
            }
            Some(other) => {
                let at = join_pointer(pointer, "body");
                self.wrong_type(&at, node_id, "an object with nodes and edges", &other);
                None
            }
        };
        node
    }

    /// Takes one field out of `object`; reports a missing required field, or a wrong one, and
    /// returns `None` for both.
    fn take<T: DeserializeOwned>(
        &mut self,
        object: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        node: Option<&str>,
        required: bool,
    ) -> Option<T> {
        match object.remove(key) {
            Some(value) => self.value_at(value, pointer, key, node),
            None if required => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingField,
                        pointer,
                        format!("required field `{key}` is missing"),
                        format!("add `{key}`"),
                    )
                    .node_opt(node),
                );
                None
            }
            None => None,
        }
    }

    /// Takes a string field, moving it out of the JSON (the common case, kept off serde's path).
    fn take_string(
        &mut self,
        object: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        node: Option<&str>,
        required: bool,
    ) -> Option<String> {
        match object.remove(key) {
            Some(Value::String(text)) => Some(text),
            Some(other) => {
                let at = join_pointer(pointer, key);
                self.wrong_type(&at, node, "a string", &other);
                None
            }
            None if required => self.take(object, key, pointer, node, true),
            None => None,
        }
    }

    /// Deserialises the field `key` of the object at `pointer`.
    fn value_at<T: DeserializeOwned>(
        &mut self,
        value: Value,
        pointer: &str,
        key: &str,
        node: Option<&str>,
    ) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                self.report(error, &join_pointer(pointer, key), node);
                None
            }
        }
    }

    /// Deserialises `value`, reporting the exact failing path on error.
    fn value<T: DeserializeOwned>(&mut self, value: Value, pointer: &str, node: Option<&str>) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                self.report(error, pointer, node);
                None
            }
        }
    }

    fn report(&mut self, error: serde_path_to_error::Error<serde_json::Error>, pointer: &str, node: Option<&str>) {
        let mut at = pointer.to_owned();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => at = join_pointer(&at, index),
                serde_path_to_error::Segment::Map { key } => at = join_pointer(&at, key),
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        self.diagnostics.push(serde_diagnostic(&error.into_inner().to_string(), &at).node_opt(node));
    }

    fn unknown_fields(&mut self, object: &Map<String, Value>, known: &[&str], pointer: &str, node: Option<&str>) {
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            self.diagnostics.push(unknown_field(key, known, pointer).node_opt(node));
        }
    }

    fn wrong_type(&mut self, pointer: &str, node: Option<&str>, expected: &str, found: &Value) {
        self.diagnostics.push(
            Diagnostic::new(
                Code::WrongType,
                pointer,
                format!("expected {expected}, found {}", describe(found)),
                format!("replace this value with {expected}"),
            )
            .node_opt(node),
        );
    }

    fn invalid_identifier(&mut self, pointer: &str, node: Option<&str>, what: &str, value: &str) {
        let shown: String = value.chars().take(80).collect();
        self.diagnostics.push(
            Diagnostic::new(
                Code::InvalidId,
                pointer,
                format!("{what} {shown:?} is not an identifier"),
                "use ASCII letters, digits and `_`, not starting with a digit, at most 64 characters",
            )
            .node_opt(node),
        );
    }
}

fn is_blueprint_id(id: &str) -> bool {
    id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A diagnostic for an unknown key, with a rename fix when a known key is close.
pub fn unknown_field(key: &str, known: &[&str], pointer: &str) -> Diagnostic {
    let at = join_pointer(pointer, key);
    let suggestion = closest(key, known.iter().copied());
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`? known fields: {}", known.join(", ")),
        None => format!("remove it; known fields: {}", known.join(", ")),
    };
    let diagnostic = Diagnostic::new(Code::UnknownField, at.clone(), format!("unknown field `{key}`"), help);
    match suggestion {
        Some(s) => diagnostic.fix(Fix {
            title: format!("rename `{key}` to `{s}`"),
            patch: vec![PatchOp::Move { from: at, path: join_pointer(pointer, s) }],
        }),
        None => diagnostic,
    }
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(distance, c)| distance < word.len().min(c.len()) && distance * 3 <= c.len().max(word.len()))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// Turns a serde error message into a diagnostic with a code that names what went wrong.
fn serde_diagnostic(message: &str, pointer: &str) -> Diagnostic {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return Diagnostic::new(
            Code::MissingField,
            pointer,
            format!("required field `{field}` is missing"),
            format!("add `{field}`"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let known = expected_names(rest);
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        return unknown_field(field, &known, pointer);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let variant = rest.split('`').next().unwrap_or_default();
        let known = expected_names(rest);
        let suggestion = closest(variant, known.iter().map(String::as_str));
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? allowed: {}", known.join(", ")),
            None => format!("use one of: {}", known.join(", ")),
        };
        let diagnostic = Diagnostic::new(Code::WrongType, pointer, format!("`{variant}` is not allowed here"), help);
        return match suggestion {
            Some(s) => diagnostic.fix(Fix {
                title: format!("replace with `{s}`"),
                patch: vec![PatchOp::Replace { path: pointer.to_owned(), value: Value::String(s.to_owned()) }],
            }),
            None => diagnostic,
        };
    }
    let message = message
        .replace("expected u32", "expected a whole number (0 or more)")
        .replace("expected u64", "expected a whole number (0 or more)")
        .replace("expected f64", "expected a number");
    Diagnostic::new(Code::WrongType, pointer, message, "change this value to the expected type")
}

/// The backticked names after "expected one of" in a serde message.
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, list)) = message.split_once("expected ") else { return Vec::new() };
    list.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {:?}", s.chars().take(40).collect::<String>()),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Every node of a blueprint with its JSON pointer and scope depth, bodies included, in document
/// order. Iterative, so depth costs no stack.
pub fn walk_nodes(blueprint: &Blueprint) -> Vec<(&Node, String)> {
    let mut out = Vec::new();
    let mut pending: Vec<(&Node, String)> =
        blueprint.nodes.iter().enumerate().rev().map(|(i, n)| (n, format!("/nodes/{i}"))).collect();
    while let Some((node, pointer)) = pending.pop() {
        if let Some(body) = &node.body {
            pending.extend(body.nodes.iter().enumerate().rev().map(|(i, n)| (n, format!("{pointer}/body/nodes/{i}"))));
        }
        out.push((node, pointer));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` array items of `item`, one per line or all on one line.
    fn array(item: &str, n: usize, pretty: bool) -> String {
        let separator = if pretty { ",\n  " } else { "," };
        format!("[{}]", vec![item; n].join(separator))
    }

    #[test]
    fn long_literals_are_found_on_long_lines_and_ruled_out_by_short_ones() {
        let short = "\"a short string\"";
        // 3 MiB of short lines: ruled out by the lines alone.
        assert!(!has_long_literal(&array(short, 200_000, true)));
        // 3 MiB on one line, every string short: scanned string by string.
        assert!(!has_long_literal(&array(short, 200_000, false)));
        // One literal of exactly the limit, and one a byte over, between short lines.
        let at_limit = format!("\"{}\"", "x".repeat(MAX_STRING_BYTES));
        let over = format!("\"{}\\\"\"", "x".repeat(MAX_STRING_BYTES - 1));
        for (literal, long) in [(&at_limit, false), (&over, true)] {
            let text = format!("[\n{},\n{},\n{}\n]", array(short, 50_000, true), literal, array(short, 50_000, true));
            assert_eq!(has_long_literal(&text), long);
            assert_eq!(has_long_literal(&text.replace('\n', "")), long);
            assert!(serde_json::from_str::<Value>(&text).is_ok());
        }
    }
}
