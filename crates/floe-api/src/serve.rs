//! `floe serve`: the [`Api`] over HTTP + WebSocket, for the UI in a browser and the end-to-end
//! tests. Every method of the table ([`crate::methods`]) is `POST /api/<method>` with its
//! arguments as a JSON object, answered with JSON (or an [`ApiError`] and its code's status);
//! a run's events are the WebSocket `GET /api/runs/<id>/events?after=<seq>`. It binds to loopback only, and every request must carry the per-launch token (an
//! `Authorization: Bearer` header, the `floe_token` cookie set when the page is opened with
//! `?token=`, or a `token` query parameter) and a `Host` (and `Origin`, when sent) naming this
//! server, so other local pages and DNS-rebinding tricks get nothing.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;

use crate::{Api, ApiError, ErrorCode};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Loopback port (0: any free one).
    pub port: u16,
    /// The token requests must carry (default: a random one per launch).
    pub token: Option<String>,
    /// A built UI to serve at `/` (its `index.html` and assets).
    pub ui: Option<PathBuf>,
}

/// A bound server: where it listens and the token it wants.
#[derive(Debug)]
pub struct Bound {
    /// The address (always loopback).
    pub addr: SocketAddr,
    /// The per-launch token.
    pub token: String,
    listener: tokio::net::TcpListener,
    app: axum::Router,
}

impl Bound {
    /// The URL that opens the UI (and sets the token cookie).
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// Serves until the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.app).await
    }
}

#[derive(Clone)]
struct Shared {
    api: Api,
    token: String,
    port: u16,
}

/// Binds `127.0.0.1:port` and prepares the routes.
pub async fn bind(api: Api, options: ServeOptions) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    let addr = listener.local_addr()?;
    let token = options.token.unwrap_or_else(|| (0..32).map(|_| fastrand::alphanumeric()).collect());
    // MCP over streamable HTTP, behind the same token (and Host check) as the API. A call's link
    // to its run opens this server's page when it serves the UI, else the desktop app.
    let mcp = {
        let api = api.clone();
        let page = options.ui.is_some().then(|| format!("http://{addr}/"));
        rmcp::transport::streamable_http_server::StreamableHttpService::new(
            move || {
                let server = crate::mcp::McpServer::new(api.clone());
                Ok(match &page {
                    Some(page) => server.linking_to(page),
                    None => server,
                })
            },
            std::sync::Arc::new(rmcp::transport::streamable_http_server::session::local::LocalSessionManager::default()),
            rmcp::transport::streamable_http_server::StreamableHttpServerConfig::default(),
        )
    };
    let shared = Shared { api, token: token.clone(), port: addr.port() };
    let mut app = axum::Router::new()
        .route("/api/{method}", post(call))
        .route("/api/runs/{id}/events", get(events))
        .nest_service("/mcp", mcp);
    if let Some(ui) = options.ui {
        app = app.fallback(move |request: Request| ui_file(ui.clone(), request));
    }
    let app = app.layer(middleware::from_fn_with_state(shared.clone(), guard)).with_state(shared);
    Ok(Bound { addr, token, listener, app })
}

/// Refuses requests without the token or from a page that is not ours.
async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host_ok = headers.get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(|host| {
        [format!("127.0.0.1:{}", shared.port), format!("localhost:{}", shared.port)].iter().any(|h| h == host)
    });
    let origin_ok = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_none_or(|origin| {
        [format!("http://127.0.0.1:{}", shared.port), format!("http://localhost:{}", shared.port)]
            .iter()
            .any(|o| o == origin)
    });
    if !host_ok || !origin_ok {
        return problem(StatusCode::FORBIDDEN, "requests must come from this server's own page on 127.0.0.1");
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|cookies| cookies.split(';').find_map(|c| c.trim().strip_prefix("floe_token=").map(str::to_owned)));
    let query = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=").map(str::to_owned)));
    let from_query = query.as_deref() == Some(shared.token.as_str());
    if ![bearer, cookie, query].iter().flatten().any(|t| *t == shared.token) {
        // A person who opened the page without its token gets a page that says how to get in.
        let wants_page = request.method() == axum::http::Method::GET
            && headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
        if wants_page {
            return (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], NO_TOKEN_PAGE)
                .into_response();
        }
        return problem(StatusCode::UNAUTHORIZED, "missing or wrong token; open the URL `floe serve` printed");
    }
    let mut response = next.run(request).await;
    if from_query && let Ok(value) = format!("floe_token={}; HttpOnly; SameSite=Strict; Path=/", shared.token).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// What a browser shows when the page is opened without the token (or with an old one).
const NO_TOKEN_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Floe: open the link with its token</title>
<style>
body{font-family:system-ui,sans-serif;background:#f3f4f6;color:#141821;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;border:1px solid #e2e5ea;border-radius:12px;padding:28px 32px;max-width:560px;box-shadow:0 10px 30px rgb(16 24 40/12%)}
h1{font-size:20px;margin:0 0 12px}code{background:#f6f7f9;border:1px solid #e2e5ea;border-radius:5px;padding:1px 5px}
li{margin:6px 0}p.hint{color:#5d6574;font-size:14px}
@media (prefers-color-scheme:dark){body{background:#0e1014;color:#e8eaef}main{background:#181b21;border-color:#2a2f38}code{background:#1f232a;border-color:#2a2f38}p.hint{color:#9ba3b1}}
</style></head>
<body><main>
<h1>This Floe page needs its access token</h1>
<p><code>floe serve</code> only answers the link it printed when it started, so that no other page or program on this machine can use your workflows.</p>
<ol>
<li>Look in the terminal where <code>floe serve</code> runs: it printed a line like <code>http://127.0.0.1:PORT/?token=…</code>.</li>
<li>Open that whole link, <code>?token=…</code> included. The browser remembers it until <code>floe serve</code> stops.</li>
<li>Lost it, or the server was restarted? Stop <code>floe serve</code> (Ctrl-C) and start it again: it prints a new link.</li>
</ol>
<p class="hint">The desktop app needs no token: run <code>make app</code> or the installed Floe.</p>
</main></body></html>
"#;

fn problem(status: StatusCode, message: &str) -> Response {
    let code = if status == StatusCode::NOT_FOUND { ErrorCode::NotFound } else { ErrorCode::BadRequest };
    (status, Json(ApiError::new(code, message))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
    }
}

/// `POST /api/<method>`: one method of the table, its arguments the JSON body (none: `{}`).
async fn call(State(shared): State<Shared>, Path(method): Path<String>, body: axum::body::Bytes) -> Response {
    let args = if body.is_empty() {
        Ok(Value::Null)
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("`{method}`: the body is not JSON: {e}")))
    };
    match args {
        Ok(args) => match shared.api.call(&method, args).await {
            Ok(answer) => Json(answer).into_response(),
            Err(error) => error.into_response(),
        },
        Err(error) => error.into_response(),
    }
}

#[derive(Deserialize)]
struct EventsQuery {
    /// Only events after this `seq` (a client catching up).
    #[serde(default)]
    after: u64,
}

/// Most events in one WebSocket message.
const EVENTS_PER_MESSAGE: usize = 512;

/// The run's events as WebSocket text messages, each a JSON array of consecutive events
/// (journaled ones first, then live ones as they come), closed after `run_finished`.
async fn events(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<EventsQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let feed = shared.api.events(&id, query.after).await?;
    Ok(upgrade.on_upgrade(move |socket| stream_events(socket, feed)))
}

async fn stream_events(mut socket: WebSocket, mut feed: crate::EventFeed) {
    loop {
        let batch = feed.next_batch(EVENTS_PER_MESSAGE).await;
        if batch.is_empty() {
            break;
        }
        let text = serde_json::to_string(&batch).unwrap_or_default();
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// A file of the built UI, or `index.html` for any path that is not a file (client routing).
async fn ui_file(root: PathBuf, request: Request) -> Response {
    let relative = request.uri().path().trim_start_matches('/');
    let candidate = floe_engine::files::confine(&root, relative).ok().filter(|p| p.is_file());
    let path = candidate.unwrap_or_else(|| root.join("index.html"));
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            let mut headers = HeaderMap::new();
            if let Ok(value) = kind.parse() {
                headers.insert(header::CONTENT_TYPE, value);
            }
            if let Ok(value) = "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; style-src 'self' 'unsafe-inline'; img-src 'self' data:".parse() {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            (headers, bytes).into_response()
        }
        Err(_) => problem(StatusCode::NOT_FOUND, "the UI is not built; run `make app` or `npm run build` in ui/"),
    }
}
