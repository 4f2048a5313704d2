//! `http_request`: one HTTP request through a shared reqwest client. Responses are sorted into
//! error classes (429 → rate_limited with its Retry-After, 5xx → server, 401/403 → auth, other
//! 4xx → bad_request). Methods other than GET and HEAD carry an `Idempotency-Key` that is the
//! same for every attempt of the node in the run, resumed or not.

use std::sync::OnceLock;
use std::time::Duration;

use floe_blueprint::ErrorClass;
use floe_blueprint::catalog::tools::http_request::{HttpMethod, HttpRequestArgs};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use serde_json::{Map, Value, json};

use crate::exec::{NodeCtx, NodeError};
use crate::template::Outputs;

/// Largest response body kept.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

fn client() -> Result<&'static reqwest::Client, NodeError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .user_agent(concat!("floe/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| NodeError::new(ErrorClass::Network, format!("the HTTP client could not start: {e}")))
}

pub(super) async fn run(args: HttpRequestArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let method = args.method.unwrap_or(HttpMethod::Get);
    let url = reqwest::Url::parse(&args.url)
        .map_err(|e| NodeError::new(ErrorClass::BadRequest, format!("`url` {:?} is not a valid URL: {e}", args.url)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NodeError::new(
            ErrorClass::BadRequest,
            format!("`url` must be http or https, not {}", url.scheme()),
        ));
    }
    let timeout = match &args.timeout {
        Some(text) => floe_blueprint::policy::parse_duration(text)
            .map_err(|e| NodeError::new(ErrorClass::BadRequest, format!("`timeout` {text:?}: {e}")))?,
        None => Duration::from_secs(30),
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &args.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| NodeError::new(ErrorClass::BadRequest, format!("header name {name:?} is not valid")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| NodeError::new(ErrorClass::BadRequest, format!("header `{name}` has an invalid value")))?;
        headers.insert(name, value);
    }
    let verb = match method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Head => reqwest::Method::HEAD,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Patch => reqwest::Method::PATCH,
        HttpMethod::Delete => reqwest::Method::DELETE,
    };
    if !matches!(method, HttpMethod::Get | HttpMethod::Head)
        && !headers.contains_key("idempotency-key")
        && let Ok(key) = HeaderValue::from_str(&ctx.idempotency_key())
    {
        headers.insert("idempotency-key", key);
    }
    let mut request = client()?.request(verb, url).headers(headers).timeout(timeout);
    if !args.query.is_empty() {
        request = request.query(&args.query);
    }
    request = match &args.body {
        None | Some(Value::Null) => request,
        Some(Value::String(text)) => request.body(text.clone()),
        Some(other) => request.json(other),
    };
    let exchange = async {
        let response = request.send().await.map_err(|e| transport_error(&e, timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = read_body(response).await?;
        Ok::<_, NodeError>((status, headers, bytes))
    };
    let (status, headers, bytes) = tokio::select! {
        result = exchange => result?,
        () = ctx.cancel.cancelled() => return Err(NodeError::new(ErrorClass::Timeout, "cancelled during the request")),
    };
    let is_json =
        headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !status.is_success() {
        return Err(status_error(status, &headers, &text));
    }
    let body = if is_json { serde_json::from_str(&text).unwrap_or(Value::String(text)) } else { Value::String(text) };
    let header_map: Map<String, Value> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), json!(value.to_str().ok()?))))
        .collect();
    let mut outputs = Map::new();
    outputs.insert("status".into(), json!(status.as_u16()));
    outputs.insert("headers".into(), Value::Object(header_map));
    outputs.insert("body".into(), body);
    Ok(outputs)
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, NodeError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| NodeError::new(ErrorClass::StreamBroken, format!("the response broke off: {e}")))?
    {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(NodeError::tool(format!("the response is larger than {MAX_BODY_BYTES} bytes")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn transport_error(error: &reqwest::Error, timeout: Duration) -> NodeError {
    if error.is_timeout() {
        NodeError::new(
            ErrorClass::Timeout,
            format!(
                "no response within {}; raise `timeout` if the service is slow",
                humantime::format_duration(timeout)
            ),
        )
    } else {
        NodeError::new(
            ErrorClass::Network,
            format!("could not reach the server: {error}; check the URL and the network"),
        )
    }
}

/// Sorts a non-2xx response into an error class.
fn status_error(status: reqwest::StatusCode, headers: &HeaderMap, body: &str) -> NodeError {
    let code = status.as_u16();
    let snippet: String = body.chars().take(300).collect();
    let class = match code {
        429 => ErrorClass::RateLimited,
        503 | 529 => ErrorClass::Overloaded,
        401 | 403 => ErrorClass::Auth,
        500..=599 => ErrorClass::Server,
        _ => ErrorClass::BadRequest,
    };
    let retry_after = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
    NodeError::new(class, format!("HTTP {code}: {snippet}")).retry_after(retry_after)
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::parse_retry_after;
    use std::time::Duration;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
