//! Provider failures, classified into the engine's error classes so retry policies and fallback
//! chains can act on them.

use std::time::{Duration, SystemTime};

use floe_blueprint::ErrorClass;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// An error and its causes, one line (reqwest's own message names the URL).
fn causes(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// The kind of the I/O error under `error`, if there is one.
fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

/// A failed model call: its class, a message that names the provider and says what to do, and
/// the wait the provider asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct LlmError {
    /// The class (decides retries and fallbacks).
    pub class: ErrorClass,
    /// What happened and what to do.
    pub message: String,
    /// `Retry-After` (or `retry-after-ms`), when given.
    pub retry_after: Option<Duration>,
}

impl LlmError {
    /// An error of `class`.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self { class, message: message.into(), retry_after: None }
    }

    /// A reply that could not be understood.
    pub fn unparseable(provider: &str, what: impl std::fmt::Display) -> Self {
        Self::new(ErrorClass::Unparseable, format!("{provider} sent a reply Floe could not read: {what}"))
    }

    /// A complete reply that is not the provider's stream at all (a web page, a proxy's answer,
    /// a truncated JSON document): the base URL points somewhere else. Not worth a retry.
    pub fn not_a_stream(provider: &str, began: &[u8]) -> Self {
        let text = String::from_utf8_lossy(began);
        let start: String = text.chars().take(80).collect();
        Self::new(
            ErrorClass::Unparseable,
            format!(
                "{provider} answered, but not with a model reply (it began {start:?}); check the provider's base_url \
                 in the settings: it must be the API's address (often ending in /v1), not a web page or a proxy"
            ),
        )
    }

    /// The stream ended before the reply was complete.
    pub fn stream_broken(provider: &str, what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorClass::StreamBroken,
            format!("{provider}'s stream broke off before the reply was complete ({what}); the call can be retried"),
        )
    }

    /// A transport failure (connection, timeout, body read), said as a person would: what is
    /// not there, where, and what to do. `api` names the kind of server (a local Ollama that is
    /// not running gets its own message).
    pub fn transport(provider: &str, api: crate::Api, error: &reqwest::Error) -> Self {
        let place = error.url().map_or_else(String::new, |url| {
            let host = url.host_str().unwrap_or_default();
            url.port_or_known_default().map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"))
        });
        let host = error.url().and_then(|url| url.host_str()).unwrap_or_default().to_owned();
        let causes = causes(error);
        let refused = io_kind(error) == Some(std::io::ErrorKind::ConnectionRefused);
        if error.is_connect() && refused {
            return Self::new(
                ErrorClass::Network,
                if api == crate::Api::Ollama {
                    format!("Ollama is not running at {place}: start it with `ollama serve`, or choose another model")
                } else {
                    format!(
                        "{provider}: nothing answers at {place} (connection refused); start the server, or check the \
                         provider's base URL in Settings"
                    )
                },
            );
        }
        let lowered = causes.to_ascii_lowercase();
        if error.is_connect() && lowered.contains("dns error") {
            return Self::new(
                ErrorClass::Network,
                format!(
                    "{provider}: the host `{host}` of its base URL could not be found; check the base URL in Settings and \
                     your network connection"
                ),
            );
        }
        if error.is_connect()
            && ["tls", "certificate", "handshake", "corrupt message"].iter().any(|w| lowered.contains(w))
        {
            return Self::new(
                ErrorClass::Network,
                format!(
                    "{provider}: a secure (TLS) connection to {place} failed ({}); if the server speaks plain HTTP its \
                     base URL must start with http://, otherwise check its certificate",
                    causes.rsplit(": ").next().unwrap_or(&causes)
                ),
            );
        }
        let class = if error.is_timeout() {
            ErrorClass::Timeout
        } else if error.is_connect() {
            ErrorClass::Network
        } else if error.is_body() || error.is_decode() {
            ErrorClass::StreamBroken
        } else {
            ErrorClass::Network
        };
        let hint = match class {
            ErrorClass::Network => "; check the provider's base URL in Settings and that it is reachable",
            ErrorClass::Timeout => "; raise the provider's timeout in Settings if the model is slow",
            _ => "",
        };
        Self::new(class, format!("{provider}: {causes}{hint}"))
    }

    /// Nothing arrived within `limit`.
    pub fn timeout(provider: &str, limit: Duration, waiting_for: &str) -> Self {
        Self::new(
            ErrorClass::Timeout,
            format!(
                "{provider} sent no {waiting_for} within {}; raise the provider's timeout in the settings if the model is slow",
                humantime::format_duration(limit)
            ),
        )
    }

    /// [`LlmError::from_status`] for an API whose paths come after a versioned base URL (OpenAI
    /// and compatible ones): a 404 from a base URL without `/v1` says it may lack it.
    pub fn from_versioned(provider: &str, base_url: &str, status: StatusCode, headers: &HeaderMap, body: &str) -> Self {
        let mut error = Self::from_status(provider, status, headers, body);
        let base = base_url.trim_end_matches('/');
        if status == StatusCode::NOT_FOUND && !base.ends_with("/v1") {
            error.message = format!(
                "{provider} answered HTTP 404 Not Found at {base}; the base_url may lack its `/v1`: set it to {base}/v1 \
                 in the settings"
            );
        }
        error
    }

    /// Classifies an HTTP error reply from its status, headers and body.
    pub fn from_status(provider: &str, status: StatusCode, headers: &HeaderMap, body: &str) -> Self {
        let detail = error_detail(body);
        let lowered = detail.to_ascii_lowercase();
        let context = [
            "context_length",
            "context length",
            "too long",
            "maximum context",
            "exceeds the maximum",
            "too many tokens",
        ];
        let class = match status.as_u16() {
            401 | 403 => ErrorClass::Auth,
            429 if lowered.contains("quota") && lowered.contains("billing") => ErrorClass::Auth,
            429 => ErrorClass::RateLimited,
            503 | 529 => ErrorClass::Overloaded,
            400 | 413 | 422 if context.iter().any(|c| lowered.contains(c)) => ErrorClass::ContextTooLong,
            500..=599 => ErrorClass::Server,
            _ => ErrorClass::BadRequest,
        };
        let hint = match class {
            ErrorClass::Auth => format!(
                "; set a valid key with `floe keys set {provider}` or the {} environment variable",
                crate::secrets::env_var(provider)
            ),
            ErrorClass::RateLimited => "; Floe waits and retries when the node's retry policy allows".to_owned(),
            ErrorClass::Overloaded => "; retry later or add a fallback model".to_owned(),
            ErrorClass::ContextTooLong => {
                "; shorten the prompt (e.g. chunk the input) or pick a model with a larger context".to_owned()
            }
            ErrorClass::BadRequest => "; check the node's model name and parameters".to_owned(),
            _ => String::new(),
        };
        let detail = if detail.is_empty() { String::new() } else { format!(": {detail}") };
        Self {
            class,
            message: format!("{provider} answered HTTP {status}{detail}{hint}"),
            retry_after: retry_after(headers),
        }
    }
}

/// The provider's own error message out of a JSON error body (every vendor nests it under
/// `error`), or the start of the body.
pub(crate) fn error_detail(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        let error = v.get("error")?;
        error.get("message").and_then(|m| m.as_str()).or_else(|| error.as_str()).map(str::to_owned)
    });
    message.unwrap_or_else(|| body.chars().take(300).collect::<String>().trim().to_owned())
}

/// `retry-after-ms`, or `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return Some(Duration::from_secs_f64(seconds.max(0.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(status: u16, body: &str) -> ErrorClass {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        LlmError::from_status("openai", status, &HeaderMap::new(), body).class
    }

    #[test]
    fn statuses_map_to_classes() {
        assert_eq!(classify(401, "{}"), ErrorClass::Auth);
        assert_eq!(classify(429, r#"{"error":{"message":"Rate limit reached"}}"#), ErrorClass::RateLimited);
        assert_eq!(
            classify(529, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
            ErrorClass::Overloaded
        );
        assert_eq!(
            classify(
                400,
                r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#
            ),
            ErrorClass::ContextTooLong
        );
        assert_eq!(classify(400, r#"{"error":{"message":"Unknown parameter"}}"#), ErrorClass::BadRequest);
        assert_eq!(classify(502, "bad gateway"), ErrorClass::Server);
    }

    #[test]
    fn retry_after_reads_seconds_milliseconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after-ms", "250".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
        let mut dated = HeaderMap::new();
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        dated.insert("retry-after", later.parse().expect("header"));
        let wait = retry_after(&dated).expect("a date parses");
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28), "{wait:?}");
    }
}
