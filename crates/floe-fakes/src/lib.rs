//! Loopback model servers for tests and benches. Each [`FakeServer`] speaks one vendor's real
//! wire format (request paths, streamed reply framing, usage fields, error bodies and status
//! codes, as in the vendors' public API references) and replays a script of [`Reply`]s, faults
//! included. It records every request and how many were in flight at once.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};

/// The repository's root folder, as found when the test runs: `cargo test` hands each test its
/// crate's folder (`crates/<name>`). The folder compiled in is only the fallback, because a build
/// cache shared between checkouts (CI's) can hold a test compiled in another checkout, which
/// cargo does not rebuild when only the checkout's path changed.
pub fn repository() -> PathBuf {
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(crate_folder) => PathBuf::from(crate_folder).join("../.."),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    }
}

/// Which vendor a server imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// OpenAI chat completions (and every OpenAI-compatible endpoint).
    Openai,
    /// Anthropic messages.
    Anthropic,
    /// Google Gemini streamGenerateContent.
    Gemini,
    /// Ollama's native chat API.
    Ollama,
}

/// One scripted reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Streams `text` in `pieces` deltas, then the usage.
    Text {
        /// The reply.
        text: String,
        /// Prompt, completion and cached prompt tokens reported.
        usage: (u64, u64, u64),
    },
    /// Calls tools: (name, arguments as JSON text; need not be valid JSON).
    ToolCalls(Vec<(String, String)>),
    /// A failure.
    Fault(Fault),
}

impl Reply {
    /// A text reply with usage 10 in, `words` out.
    pub fn text(text: &str) -> Self {
        let words = text.split_whitespace().count() as u64;
        Reply::Text { text: text.to_owned(), usage: (10, words.max(1), 0) }
    }

    /// One tool call with JSON arguments.
    pub fn tool(name: &str, arguments: Value) -> Self {
        Reply::ToolCalls(vec![(name.to_owned(), arguments.to_string())])
    }
}

/// A scripted failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: <seconds>`.
    RateLimited(u64),
    /// HTTP 500 (or the status given).
    Server(u16),
    /// Anthropic's 529, the others' 503.
    Overloaded,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 400 saying the prompt is too long, in the vendor's words.
    ContextTooLong,
    /// HTTP 200, streams the first part of this text, then drops the connection.
    CutMidStream(String),
    /// Waits this long before answering (then answers with the next scripted reply).
    SlowFirstByte(Duration),
    /// HTTP 200 with a stream frame that is not JSON.
    MalformedJson,
    /// HTTP 200, then an error inside the stream (rate limit / overloaded, in the vendor's format).
    MidStreamError,
    /// HTTP 200 with a whole web page instead of a stream (a proxy's sign-in page, a wrong base URL).
    HtmlPage,
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The JSON body (null when there was none).
    pub body: Value,
}

impl Recorded {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct Shared {
    vendor: Vendor,
    script: Mutex<VecDeque<Reply>>,
    rules: Mutex<Vec<(String, Reply)>>,
    fallback: Mutex<Reply>,
    latency: Mutex<Duration>,
    pieces: AtomicUsize,
    piece_delay: Mutex<Duration>,
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    sent: Mutex<Vec<Instant>>,
    synonyms: Mutex<std::collections::HashMap<String, String>>,
}

/// A running fake; it stops when dropped.
#[derive(Debug)]
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeServer {
    /// Starts a server for `vendor` on a free loopback port. Unscripted calls get `Reply::text("ok")`.
    pub async fn start(vendor: Vendor) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            vendor,
            script: Mutex::default(),
            rules: Mutex::default(),
            fallback: Mutex::new(Reply::text("ok")),
            latency: Mutex::new(Duration::ZERO),
            pieces: AtomicUsize::new(4),
            piece_delay: Mutex::new(Duration::ZERO),
            requests: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            sent: Mutex::default(),
            synonyms: Mutex::default(),
        });
        let app = axum::Router::new().fallback(handle).with_state(shared.clone());
        // Frames go out as they are written, as from a vendor's edge: no Nagle delay on loopback.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The base URL to configure the provider with.
    pub fn base_url(&self) -> String {
        match self.shared.vendor {
            Vendor::Openai => format!("http://{}/v1", self.addr),
            _ => format!("http://{}", self.addr),
        }
    }

    /// Queues replies, answered in order.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.shared.script).extend(replies);
    }

    /// Answers every request whose body contains `text` with `reply` (before the script; the
    /// first matching rule wins).
    pub fn rule(&self, text: &str, reply: Reply) {
        lock(&self.shared.rules).push((text.to_owned(), reply));
    }

    /// The reply given when no rule matches and the script is empty.
    pub fn set_fallback(&self, reply: Reply) {
        *lock(&self.shared.fallback) = reply;
    }

    /// Words the embeddings treat as one (each word → the word it stands for), so similarity
    /// search can find what keyword search cannot.
    pub fn set_synonyms(&self, pairs: &[(&str, &str)]) {
        *lock(&self.shared.synonyms) = pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    }

    /// A wait before every reply (a model's thinking time).
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Into how many deltas text is split (at least 1).
    pub fn set_pieces(&self, pieces: usize) {
        self.shared.pieces.store(pieces.max(1), Ordering::Relaxed);
    }

    /// A pause before each text delta, as a model generating tokens.
    pub fn set_piece_delay(&self, delay: Duration) {
        *lock(&self.shared.piece_delay) = delay;
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Most requests that were being answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// When each text delta frame was handed to the socket, in order.
    pub fn sent_at(&self) -> Vec<Instant> {
        lock(&self.shared.sent).clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Model calls are counted in flight; model lists (GET) are not calls.
    let guard = (method != Method::GET).then(|| {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared.clone())
    });
    lock(&shared.requests).push(Recorded {
        method: method.to_string(),
        uri: uri.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let latency = *lock(&shared.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !serves(shared.vendor, uri.path()) {
        // As the vendor does for a path it has no API at (a base URL without its `/v1`).
        let body = json!({"error": {"message": format!("Invalid URL (POST {})", uri.path()), "type": "invalid_request_error"}});
        return json_response(StatusCode::NOT_FOUND, body);
    }
    if method == Method::GET {
        return json_response(StatusCode::OK, models(shared.vendor));
    }
    if let Some(reply) = embeddings(&shared, &uri, &body) {
        return json_response(StatusCode::OK, reply);
    }
    let text = String::from_utf8_lossy(&body);
    let ruled = lock(&shared.rules).iter().find(|(needle, _)| text.contains(needle.as_str())).map(|(_, r)| r.clone());
    let mut reply = match ruled {
        Some(reply) => reply,
        None => next(&shared),
    };
    while let Reply::Fault(Fault::SlowFirstByte(wait)) = reply {
        tokio::time::sleep(wait).await;
        reply = next(&shared);
    }
    let model = model_of(shared.vendor, &uri, &body);
    respond(shared.clone(), reply, &model, guard)
}

/// The reply to an embeddings request (none when `uri` is not the vendor's embeddings path):
/// each text's vector counts its words (synonyms as one) in hashed buckets, `dimensions` long
/// (default 384), so texts sharing words, or synonyms, point the same way.
fn embeddings(shared: &Shared, uri: &Uri, body: &[u8]) -> Option<Value> {
    let path = uri.path();
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let texts: Vec<String> = match shared.vendor {
        Vendor::Openai if path == "/v1/embeddings" => strings(&request["input"]),
        Vendor::Ollama if path == "/api/embed" => strings(&request["input"]),
        Vendor::Gemini if path.ends_with(":batchEmbedContents") => request["requests"]
            .as_array()
            .map(|all| {
                all.iter().filter_map(|r| r["content"]["parts"][0]["text"].as_str().map(str::to_owned)).collect()
            })
            .unwrap_or_default(),
        _ => return None,
    };
    let dims = request["dimensions"].as_u64().map_or(384, |d| d as usize).max(1);
    let synonyms = lock(&shared.synonyms).clone();
    let vector = |text: &str| -> Vec<f32> {
        let mut v = vec![0f32; dims];
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let word = word.to_lowercase();
            let meant = synonyms.get(&word).unwrap_or(&word);
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(meant, &mut hasher);
            v[(std::hash::Hasher::finish(&hasher) % dims as u64) as usize] += 1.0;
        }
        v
    };
    Some(match shared.vendor {
        Vendor::Openai => json!({
            "object": "list",
            "data": texts.iter().enumerate().map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": vector(t)})).collect::<Vec<_>>(),
            "model": request["model"],
            "usage": {"prompt_tokens": texts.len(), "total_tokens": texts.len()}
        }),
        Vendor::Ollama => {
            json!({"model": request["model"], "embeddings": texts.iter().map(|t| vector(t)).collect::<Vec<_>>()})
        }
        _ => json!({"embeddings": texts.iter().map(|t| json!({"values": vector(t)})).collect::<Vec<_>>()}),
    })
}

/// A string or an array of strings, as a list.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(all) => all.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

/// Whether the vendor has its API at `path`.
fn serves(vendor: Vendor, path: &str) -> bool {
    match vendor {
        Vendor::Openai | Vendor::Anthropic => path.starts_with("/v1/"),
        Vendor::Gemini => path.starts_with("/v1beta/") || path.starts_with("/v1/"),
        Vendor::Ollama => path.starts_with("/api/"),
    }
}

fn next(shared: &Shared) -> Reply {
    lock(&shared.script).pop_front().unwrap_or_else(|| lock(&shared.fallback).clone())
}

fn model_of(vendor: Vendor, uri: &Uri, body: &[u8]) -> String {
    match vendor {
        Vendor::Gemini => {
            uri.path().rsplit('/').next().and_then(|last| last.split(':').next()).unwrap_or_default().to_owned()
        }
        _ => serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|b| b.get("model").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default(),
    }
}

fn models(vendor: Vendor) -> Value {
    match vendor {
        Vendor::Openai => {
            json!({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "owned_by": "system"}]})
        }
        Vendor::Anthropic => {
            json!({"data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5"}], "has_more": false})
        }
        Vendor::Gemini => json!({"models": [
            {"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash", "inputTokenLimit": 1048576}
        ]}),
        Vendor::Ollama => {
            json!({"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 2019393189}]})
        }
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

/// A failure as the vendor sends it: status, headers and body.
fn error_response(vendor: Vendor, fault: &Fault) -> Response {
    let (status, anthropic_type, openai_code, gemini_status, message) = match fault {
        Fault::RateLimited(_) => (
            429,
            "rate_limit_error",
            "rate_limit_exceeded",
            "RESOURCE_EXHAUSTED",
            "Rate limit reached; please try again later.",
        ),
        Fault::Server(code) => {
            (*code, "api_error", "server_error", "INTERNAL", "The server had an error while processing your request.")
        }
        Fault::Overloaded => (
            if vendor == Vendor::Anthropic { 529 } else { 503 },
            "overloaded_error",
            "overloaded",
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        ),
        Fault::Unauthorized => {
            (401, "authentication_error", "invalid_api_key", "UNAUTHENTICATED", "Incorrect API key provided.")
        }
        _ => (400, "invalid_request_error", "context_length_exceeded", "INVALID_ARGUMENT", context_message(vendor)),
    };
    let body = match vendor {
        Vendor::Openai => {
            json!({"error": {"message": message, "type": anthropic_type.replace("_error", ""), "param": null, "code": openai_code}})
        }
        Vendor::Anthropic => json!({"type": "error", "error": {"type": anthropic_type, "message": message}}),
        Vendor::Gemini => json!({"error": {"code": status, "message": message, "status": gemini_status}}),
        Vendor::Ollama => json!({"error": message}),
    };
    let mut response = json_response(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body);
    if let Fault::RateLimited(seconds) = fault {
        response.headers_mut().insert(
            "retry-after",
            seconds
                .to_string()
                .parse()
                .unwrap_or_else(|_| "1".parse().unwrap_or(axum::http::HeaderValue::from_static("1"))),
        );
    }
    response
}

fn context_message(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Openai => {
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens."
        }
        Vendor::Anthropic => "prompt is too long: 210000 tokens > 200000 maximum",
        Vendor::Gemini => "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
        Vendor::Ollama => "the input length exceeds the context length",
    }
}

/// One frame of the stream, or the point where the connection drops.
enum Piece {
    Frame(String),
    Delta(String),
    Drop,
}

fn respond(shared: Arc<Shared>, reply: Reply, model: &str, guard: Option<InFlight>) -> Response {
    let vendor = shared.vendor;
    let pieces = shared.pieces.load(Ordering::Relaxed);
    let frames = match &reply {
        Reply::Fault(Fault::CutMidStream(text)) => {
            let half: String = text.chars().take(text.chars().count() / 2).collect();
            let mut frames = text_frames(vendor, model, &half, pieces, (0, 0, 0), false);
            frames.push(Piece::Drop);
            frames
        }
        Reply::Fault(Fault::MalformedJson) => {
            let mut frames = text_frames(vendor, model, "Hello", 1, (0, 0, 0), false);
            frames.push(Piece::Frame(frame(vendor, "", "{\"choices\": [{\"delta\": {\"content\": \"unterminated")));
            frames
        }
        Reply::Fault(Fault::MidStreamError) => {
            let mut frames = text_frames(vendor, model, "Partial", 1, (0, 0, 0), false);
            frames.push(Piece::Frame(mid_stream_error(vendor)));
            frames
        }
        Reply::Fault(Fault::HtmlPage) => {
            return Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "text/html; charset=utf-8")
                .body(Body::from("<!doctype html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n"))
                .unwrap_or_default();
        }
        Reply::Fault(fault) => return error_response(vendor, fault),
        Reply::Text { text, usage } => text_frames(vendor, model, text, pieces, *usage, true),
        Reply::ToolCalls(calls) => tool_frames(vendor, model, calls),
    };
    let content_type = if vendor == Vendor::Ollama { "application/x-ndjson" } else { "text/event-stream" };
    let delay = *lock(&shared.piece_delay);
    let stream = futures::stream::iter(frames).then(move |piece| {
        let shared = shared.clone();
        async move {
            // A frame per scheduler turn (or per `piece_delay`), as a real server's writes arrive.
            match (&piece, delay.is_zero()) {
                (Piece::Delta(_), false) => tokio::time::sleep(delay).await,
                _ => tokio::task::yield_now().await,
            }
            match piece {
                Piece::Frame(text) => Ok(Bytes::from(text)),
                Piece::Delta(text) => {
                    lock(&shared.sent).push(Instant::now());
                    Ok(Bytes::from(text))
                }
                Piece::Drop => {
                    Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fake: connection dropped"))
                }
            }
        }
    });
    // The in-flight count drops when the body has been sent.
    let stream = stream.chain(futures::stream::once(async move {
        drop(guard);
        Ok(Bytes::new())
    }));
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

/// An SSE frame (`event:` when named) or an NDJSON line.
fn frame(vendor: Vendor, event: &str, data: &str) -> String {
    match vendor {
        Vendor::Ollama => format!("{data}\n"),
        _ if event.is_empty() => format!("data: {data}\n\n"),
        _ => format!("event: {event}\ndata: {data}\n\n"),
    }
}

fn split(text: &str, pieces: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(pieces).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

fn text_frames(
    vendor: Vendor,
    model: &str,
    text: &str,
    pieces: usize,
    usage: (u64, u64, u64),
    finish: bool,
) -> Vec<Piece> {
    let (input, output, cached) = usage;
    let parts = split(text, pieces);
    let mut out = Vec::new();
    match vendor {
        Vendor::Openai => {
            let chunk = |delta: Value, finish: Value| {
                json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_763_700_000, "model": model,
                       "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
            };
            out.push(Piece::Frame(frame(
                vendor,
                "",
                &chunk(json!({"role": "assistant", "content": ""}), Value::Null).to_string(),
            )));
            for part in parts {
                out.push(Piece::Delta(frame(vendor, "", &chunk(json!({"content": part}), Value::Null).to_string())));
            }
            if finish {
                out.push(Piece::Frame(frame(vendor, "", &chunk(json!({}), json!("stop")).to_string())));
                let usage = json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_763_700_000, "model": model, "choices": [],
                    "usage": {"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output,
                              "prompt_tokens_details": {"cached_tokens": cached}}});
                out.push(Piece::Frame(frame(vendor, "", &usage.to_string())));
                out.push(Piece::Frame(frame(vendor, "", "[DONE]")));
            }
        }
        Vendor::Anthropic => {
            out.push(Piece::Frame(frame(vendor, "message_start", &anthropic_start(model, input, cached).to_string())));
            out.push(Piece::Frame(frame(
                vendor,
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
                    .to_string(),
            )));
            out.push(Piece::Frame(frame(vendor, "ping", r#"{"type": "ping"}"#)));
            for part in parts {
                let delta =
                    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": part}});
                out.push(Piece::Delta(frame(vendor, "content_block_delta", &delta.to_string())));
            }
            if finish {
                out.extend(anthropic_end(vendor, "end_turn", output, 0));
            }
        }
        Vendor::Gemini => {
            let count = parts.len();
            for (i, part) in parts.into_iter().enumerate() {
                let last = finish && i + 1 == count;
                let mut candidate = json!({"content": {"parts": [{"text": part}], "role": "model"}, "index": 0});
                let mut chunk = json!({"modelVersion": model, "responseId": "fake"});
                if last {
                    candidate["finishReason"] = json!("STOP");
                    chunk["usageMetadata"] = json!({"promptTokenCount": input, "candidatesTokenCount": output,
                        "totalTokenCount": input + output, "cachedContentTokenCount": cached});
                }
                chunk["candidates"] = json!([candidate]);
                out.push(Piece::Delta(frame(vendor, "", &chunk.to_string())));
            }
        }
        Vendor::Ollama => {
            for part in parts {
                let chunk = json!({"model": model, "created_at": "2026-11-21T08:00:00Z", "message": {"role": "assistant", "content": part}, "done": false});
                out.push(Piece::Delta(frame(vendor, "", &chunk.to_string())));
            }
            if finish {
                out.push(Piece::Frame(frame(vendor, "", &ollama_done(model, input, output).to_string())));
            }
        }
    }
    out
}

fn anthropic_start(model: &str, input: u64, cached: u64) -> Value {
    json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "content": [],
        "model": model, "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": input.saturating_sub(cached), "cache_creation_input_tokens": 0, "cache_read_input_tokens": cached, "output_tokens": 1}}})
}

fn anthropic_end(vendor: Vendor, stop: &str, output: u64, index: usize) -> Vec<Piece> {
    vec![
        Piece::Frame(frame(vendor, "content_block_stop", &json!({"type": "content_block_stop", "index": index}).to_string())),
        Piece::Frame(frame(vendor, "message_delta", &json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": output}}).to_string())),
        Piece::Frame(frame(vendor, "message_stop", r#"{"type": "message_stop"}"#)),
    ]
}

fn ollama_done(model: &str, input: u64, output: u64) -> Value {
    json!({"model": model, "created_at": "2026-11-21T08:00:01Z", "message": {"role": "assistant", "content": ""}, "done": true,
           "done_reason": "stop", "total_duration": 1_200_000, "load_duration": 100_000, "prompt_eval_count": input,
           "prompt_eval_duration": 200_000, "eval_count": output, "eval_duration": 800_000})
}

fn tool_frames(vendor: Vendor, model: &str, calls: &[(String, String)]) -> Vec<Piece> {
    let mut out = Vec::new();
    match vendor {
        Vendor::Openai => {
            let chunk = |delta: Value, finish: Value| {
                json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_763_700_000, "model": model,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).to_string()
            };
            out.push(Piece::Frame(frame(
                vendor,
                "",
                &chunk(json!({"role": "assistant", "content": null}), Value::Null),
            )));
            for (i, (name, arguments)) in calls.iter().enumerate() {
                let start = json!({"tool_calls": [{"index": i, "id": format!("call_fake{i}"), "type": "function", "function": {"name": name, "arguments": ""}}]});
                out.push(Piece::Frame(frame(vendor, "", &chunk(start, Value::Null))));
                for part in split(arguments, 2) {
                    let more = json!({"tool_calls": [{"index": i, "function": {"arguments": part}}]});
                    out.push(Piece::Frame(frame(vendor, "", &chunk(more, Value::Null))));
                }
            }
            out.push(Piece::Frame(frame(vendor, "", &chunk(json!({}), json!("tool_calls")))));
            let usage = json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model, "choices": [],
                               "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}});
            out.push(Piece::Frame(frame(vendor, "", &usage.to_string())));
            out.push(Piece::Frame(frame(vendor, "", "[DONE]")));
        }
        Vendor::Anthropic => {
            out.push(Piece::Frame(frame(vendor, "message_start", &anthropic_start(model, 20, 0).to_string())));
            for (i, (name, arguments)) in calls.iter().enumerate() {
                let start = json!({"type": "content_block_start", "index": i, "content_block": {"type": "tool_use", "id": format!("toolu_fake{i}"), "name": name, "input": {}}});
                out.push(Piece::Frame(frame(vendor, "content_block_start", &start.to_string())));
                for part in split(arguments, 2) {
                    let delta = json!({"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": part}});
                    out.push(Piece::Frame(frame(vendor, "content_block_delta", &delta.to_string())));
                }
                out.push(Piece::Frame(frame(
                    vendor,
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": i}).to_string(),
                )));
            }
            out.extend(anthropic_end(vendor, "tool_use", 10, calls.len()).into_iter().skip(1));
        }
        Vendor::Gemini => {
            // Gemini sends arguments as an object; text that is not JSON becomes a string argument.
            let parts: Vec<Value> = calls
                .iter()
                .map(|(name, arguments)| {
                    let args = serde_json::from_str::<Value>(arguments).unwrap_or_else(|_| json!({"raw": arguments}));
                    json!({"functionCall": {"name": name, "args": args}})
                })
                .collect();
            let chunk = json!({"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}],
                               "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 10, "totalTokenCount": 30}, "modelVersion": model});
            out.push(Piece::Frame(frame(vendor, "", &chunk.to_string())));
        }
        Vendor::Ollama => {
            let tool_calls: Vec<Value> = calls
                .iter()
                .map(|(name, arguments)| {
                    let args =
                        serde_json::from_str::<Value>(arguments).unwrap_or_else(|_| Value::String(arguments.clone()));
                    json!({"function": {"name": name, "arguments": args}})
                })
                .collect();
            let chunk = json!({"model": model, "created_at": "2026-11-21T08:00:00Z", "message": {"role": "assistant", "content": "", "tool_calls": tool_calls}, "done": false});
            out.push(Piece::Frame(frame(vendor, "", &chunk.to_string())));
            out.push(Piece::Frame(frame(vendor, "", &ollama_done(model, 20, 10).to_string())));
        }
    }
    out
}

fn mid_stream_error(vendor: Vendor) -> String {
    match vendor {
        Vendor::Openai => frame(vendor, "", &json!({"error": {"message": "Rate limit reached", "type": "rate_limit_error", "code": "rate_limit_exceeded"}}).to_string()),
        Vendor::Anthropic => frame(vendor, "error", &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).to_string()),
        Vendor::Gemini => frame(vendor, "", &json!({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}).to_string()),
        Vendor::Ollama => frame(vendor, "", &json!({"error": "model runner has unexpectedly stopped"}).to_string()),
    }
}
