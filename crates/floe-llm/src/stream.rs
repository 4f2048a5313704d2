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

/// Feeds `body` to `decoder` frame by frame; every wait for more bytes is bounded by `idle`.
pub(crate) async fn decode(
    provider: &str,
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + Unpin,
    framing: Framing,
    idle: Duration,
    mut decoder: Box<dyn Decoder>,
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<ChatResponse, LlmError> {
    match framing {
        Framing::Sse => {
            let mut events = body.eventsource();
            loop {
                let next = tokio::time::timeout(idle, events.next())
                    .await
                    .map_err(|_| LlmError::timeout(provider, idle, "further data"))?;
                match next {
                    None => break,
                    Some(Ok(event)) => decoder.frame(&event.data, on_delta)?,
                    Some(Err(eventsource_stream::EventStreamError::Transport(error))) => {
                        return Err(LlmError::stream_broken(provider, error));
                    }
                    Some(Err(error)) => return Err(LlmError::unparseable(provider, error)),
                }
            }
        }
        Framing::Ndjson => {
            let mut body = body;
            let mut pending: Vec<u8> = Vec::new();
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
                            let line: Vec<u8> = pending.drain(..=end).collect();
                            ndjson_line(provider, &line, decoder.as_mut(), on_delta)?;
                        }
                    }
                }
            }
            if !pending.is_empty() {
                ndjson_line(provider, &pending, decoder.as_mut(), on_delta)?;
            }
        }
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
