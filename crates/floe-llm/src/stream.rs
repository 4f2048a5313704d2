//! Reading a streamed reply incrementally: server-sent events (OpenAI, Anthropic, Gemini) or
//! newline-delimited JSON (Ollama), each read under an idle timeout. A provider's decoder gets one
//! frame at a time and hands text deltas on as soon as they are parsed.

use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};

use crate::error::LlmError;
use crate::types::{ChatResponse, Usage};

/// How a provider frames its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `text/event-stream`.
    Sse,
    /// One JSON object per line.
    Ndjson,
}

/// What every decoder gathers: the provider's name (for messages), the reply text and the usage.
#[derive(Debug)]
pub(crate) struct Partial {
    pub provider: String,
    pub text: String,
    pub usage: Usage,
}

impl Partial {
    pub(crate) fn new(provider: &str) -> Self {
        Self { provider: provider.to_owned(), text: String::new(), usage: Usage::default() }
    }

    /// Hands a piece of reply text on and keeps it.
    pub(crate) fn text(&mut self, piece: &str, on_delta: &mut (dyn FnMut(&str) + Send)) {
        if !piece.is_empty() {
            on_delta(piece);
            self.text.push_str(piece);
        }
    }
}

/// A provider's stream decoder.
pub(crate) trait Decoder: Send {
    /// Takes one frame's data (every vendor names the event inside it); calls `on_delta` with
    /// every piece of reply text it holds.
    fn frame(&mut self, data: &str, on_delta: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError>;
    /// The stream ended: the whole reply, or why it is incomplete.
    fn finish(self: Box<Self>) -> Result<ChatResponse, LlmError>;
}

/// Feeds `body` to `decoder` frame by frame; every wait for more bytes is bounded by `idle`. A
/// reply that ends without one frame of the stream (a web page, a plain JSON document) is
/// [`LlmError::not_a_stream`]: complete, so no retry can help.
pub(crate) async fn decode(
    provider: &str,
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + Unpin,
    framing: Framing,
    idle: Duration,
    mut decoder: Box<dyn Decoder>,
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<ChatResponse, LlmError> {
    let mut body = body;
    let first =
        tokio::time::timeout(idle, body.next()).await.map_err(|_| LlmError::timeout(provider, idle, "further data"))?;
    let began: Vec<u8> = match &first {
        Some(Ok(chunk)) => chunk.iter().take(160).copied().collect(),
        _ => Vec::new(),
    };
    let body = futures::stream::iter(first).chain(body);
    let mut frames = 0usize;
    match framing {
        Framing::Sse => {
            let mut events = body.eventsource();
            loop {
                let next = tokio::time::timeout(idle, events.next())
                    .await
                    .map_err(|_| LlmError::timeout(provider, idle, "further data"))?;
                match next {
                    None => break,
                    Some(Ok(event)) => {
                        frames += 1;
                        decoder.frame(&event.data, on_delta)?;
                    }
                    Some(Err(eventsource_stream::EventStreamError::Transport(error))) => {
                        return Err(LlmError::stream_broken(provider, error));
                    }
                    Some(Err(error)) => return Err(LlmError::unparseable(provider, error)),
                }
            }
        }
        Framing::Ndjson => {
            let mut body = Box::pin(body);
            let mut pending: Vec<u8> = Vec::new();
            let mut line = |line: &[u8], frames: &mut usize, decoder: &mut dyn Decoder| {
                if line.iter().all(u8::is_ascii_whitespace) {
                    return Ok(());
                }
                let result = ndjson_line(provider, line, decoder, on_delta);
                match result {
                    Err(_) if *frames == 0 => Err(LlmError::not_a_stream(provider, &began)),
                    other => {
                        *frames += 1;
                        other
                    }
                }
            };
            loop {
                let next = tokio::time::timeout(idle, body.next())
                    .await
                    .map_err(|_| LlmError::timeout(provider, idle, "further data"))?;
                match next {
                    None => break,
                    Some(Err(error)) => return Err(LlmError::stream_broken(provider, error)),
                    Some(Ok(chunk)) => {
                        pending.extend_from_slice(&chunk);
                        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                            let taken: Vec<u8> = pending.drain(..=end).collect();
                            line(&taken, &mut frames, decoder.as_mut())?;
                        }
                    }
                }
            }
            if !pending.is_empty() {
                line(&pending, &mut frames, decoder.as_mut())?;
            }
        }
    }
    if frames == 0 {
        return Err(LlmError::not_a_stream(provider, &began));
    }
    decoder.finish()
}

fn ndjson_line(
    provider: &str,
    line: &[u8],
    decoder: &mut dyn Decoder,
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<(), LlmError> {
    let text = std::str::from_utf8(line).map_err(|e| LlmError::unparseable(provider, e))?.trim();
    if text.is_empty() {
        return Ok(());
    }
    decoder.frame(text, on_delta)
}

/// Parses one JSON frame, naming the provider when it is not JSON.
pub(crate) fn json<T: serde::de::DeserializeOwned>(provider: &str, data: &str) -> Result<T, LlmError> {
    serde_json::from_str(data).map_err(|e| {
        let start: String = data.chars().take(120).collect();
        LlmError::unparseable(provider, format!("{e} in {start:?}"))
    })
}
