//! `floe serve`: the [`Api`] over HTTP + WebSocket, for the UI in a browser and the end-to-end
//! tests. It binds to loopback only, and every request must carry the per-launch token (an
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
use serde_json::{Value, json};

use crate::{Api, ApiError};

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
    let shared = Shared { api, token: token.clone(), port: addr.port() };
    let mut app = axum::Router::new()
        .route("/api/about", get(about))
        .route("/api/catalog", get(catalog))
        .route("/api/workspace", get(workspace))
        .route("/api/workspace/open", post(open))
        .route("/api/files", get(read).put(save).delete(delete))
        .route("/api/files/create", post(create))
        .route("/api/files/rename", post(rename))
        .route("/api/check", post(check))
        .route("/api/runs", get(runs).post(start))
        .route("/api/runs/{id}", get(run_detail))
        .route("/api/runs/{id}/cancel", post(cancel))
        .route("/api/runs/{id}/pause", post(pause))
        .route("/api/runs/{id}/resume", post(resume))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/approvals/{node}", post(decide))
        .route("/api/approvals", get(approvals));
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
        return problem(StatusCode::UNAUTHORIZED, "missing or wrong token; open the URL `floe serve` printed");
    }
    let mut response = next.run(request).await;
    if from_query && let Ok(value) = format!("floe_token={}; HttpOnly; SameSite=Strict; Path=/", shared.token).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(crate::ErrorBody { error: message.to_owned(), diagnostics: Vec::new() })).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unreadable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(crate::ErrorBody::from(self))).into_response()
    }
}

type Reply<T> = Result<Json<T>, ApiError>;

async fn about(State(shared): State<Shared>) -> Json<crate::About> {
    Json(shared.api.about())
}

async fn catalog(State(shared): State<Shared>) -> Json<Value> {
    Json(shared.api.catalog())
}

async fn workspace(State(shared): State<Shared>) -> Reply<crate::WorkspaceInfo> {
    Ok(Json(shared.api.list()?))
}

#[derive(Deserialize)]
struct OpenBody {
    root: PathBuf,
}

async fn open(State(shared): State<Shared>, Json(body): Json<OpenBody>) -> Reply<crate::WorkspaceInfo> {
    Ok(Json(shared.api.open(&body.root)?))
}

#[derive(Deserialize)]
struct PathQuery {
    path: String,
}

async fn read(State(shared): State<Shared>, Query(query): Query<PathQuery>) -> Reply<crate::FileText> {
    Ok(Json(shared.api.read(&query.path)?))
}

#[derive(Deserialize)]
struct TextBody {
    text: String,
}

async fn save(
    State(shared): State<Shared>,
    Query(query): Query<PathQuery>,
    Json(body): Json<TextBody>,
) -> Reply<crate::FileText> {
    Ok(Json(shared.api.save(&query.path, &body.text)?))
}

async fn delete(State(shared): State<Shared>, Query(query): Query<PathQuery>) -> Reply<Value> {
    shared.api.delete(&query.path)?;
    Ok(Json(json!({"deleted": query.path})))
}

#[derive(Deserialize)]
struct CreateBody {
    path: String,
    name: String,
}

async fn create(State(shared): State<Shared>, Json(body): Json<CreateBody>) -> Reply<crate::FileText> {
    Ok(Json(shared.api.create(&body.path, &body.name)?))
}

#[derive(Deserialize)]
struct RenameBody {
    from: String,
    to: String,
}

async fn rename(State(shared): State<Shared>, Json(body): Json<RenameBody>) -> Reply<Value> {
    shared.api.rename(&body.from, &body.to)?;
    Ok(Json(json!({"renamed": body.to})))
}

#[derive(Deserialize)]
struct CheckBody {
    path: String,
    text: String,
}

async fn check(State(shared): State<Shared>, Json(body): Json<CheckBody>) -> Reply<floe_engine::workspace::Check> {
    // Compiling a large document is CPU work: keep it off the async threads.
    let api = shared.api.clone();
    let checked = tokio::task::spawn_blocking(move || api.check(&body.path, &body.text))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(checked))
}

async fn start(State(shared): State<Shared>, Json(body): Json<crate::RunRequest>) -> Reply<crate::Started> {
    Ok(Json(shared.api.run(body).await?))
}

#[derive(Deserialize)]
struct RunsQuery {
    #[serde(default = "default_limit")]
    limit: u32,
    /// Only this blueprint's top-level runs.
    blueprint: Option<String>,
}

fn default_limit() -> u32 {
    50
}

async fn runs(
    State(shared): State<Shared>,
    Query(query): Query<RunsQuery>,
) -> Reply<Vec<floe_engine::store::RunSummary>> {
    Ok(Json(shared.api.runs(query.limit, query.blueprint.as_deref()).await?))
}

async fn run_detail(State(shared): State<Shared>, Path(id): Path<String>) -> Reply<crate::RunDetail> {
    Ok(Json(shared.api.run_detail(&id).await?))
}

async fn cancel(State(shared): State<Shared>, Path(id): Path<String>) -> Reply<Value> {
    shared.api.cancel(&id).await?;
    Ok(Json(json!({"cancelling": id})))
}

#[derive(Deserialize)]
struct PauseBody {
    paused: bool,
}

async fn pause(State(shared): State<Shared>, Path(id): Path<String>, Json(body): Json<PauseBody>) -> Reply<Value> {
    shared.api.pause(&id, body.paused)?;
    Ok(Json(json!({"paused": body.paused})))
}

async fn resume(State(shared): State<Shared>, Path(id): Path<String>) -> Reply<crate::Started> {
    Ok(Json(shared.api.resume(&id).await?))
}

#[derive(Deserialize)]
struct ApprovalsQuery {
    run: Option<String>,
}

async fn approvals(
    State(shared): State<Shared>,
    Query(query): Query<ApprovalsQuery>,
) -> Reply<Vec<floe_engine::store::PendingApproval>> {
    Ok(Json(shared.api.approvals(query.run.as_deref()).await?))
}

async fn decide(
    State(shared): State<Shared>,
    Path((id, node)): Path<(String, String)>,
    Json(decision): Json<crate::ApprovalDecision>,
) -> Reply<Value> {
    shared.api.decide(&id, &node, decision).await?;
    Ok(Json(json!({"decided": node})))
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
