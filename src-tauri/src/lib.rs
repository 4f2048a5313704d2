//! The Floe desktop app: a thin Tauri 2 shell. Every command is one call on [`floe_api::Api`],
//! the same API `floe serve` exposes over HTTP, so the UI's screens do not know which transport
//! they use. Run events reach the window through a `Channel`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use floe_api::{Api, ApiError, ErrorBody};
use floe_engine::events::Event;
use floe_engine::store::Store;
use serde_json::Value;
use tauri::ipc::Channel;
use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, State, WindowEvent, Wry};

/// The app's state: the API over the open folder.
struct App {
    api: Arc<Mutex<Api>>,
    settings: PathBuf,
    /// Whether the window holds unsaved edits (closing then asks first).
    unsaved: AtomicBool,
}

impl App {
    fn api(&self) -> Api {
        self.api.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

type Answer<T> = Result<T, ErrorBody>;

fn body(error: ApiError) -> ErrorBody {
    ErrorBody::from(error)
}

#[tauri::command]
fn about(app: State<'_, App>) -> floe_api::About {
    app.api().about()
}

/// The window tells the shell whether it holds unsaved edits.
#[tauri::command]
fn set_unsaved(app: State<'_, App>, unsaved: bool) {
    app.unsaved.store(unsaved, Ordering::Relaxed);
}

/// Closes the window for good (after the person chose to discard unsaved edits).
#[tauri::command]
fn quit(handle: AppHandle) {
    handle.exit(0);
}

#[tauri::command]
fn catalog(app: State<'_, App>) -> Value {
    app.api().catalog()
}

#[tauri::command]
fn workspace(app: State<'_, App>) -> Answer<floe_api::WorkspaceInfo> {
    app.api().list().map_err(body)
}

#[tauri::command]
fn open_folder(app: State<'_, App>, root: PathBuf) -> Answer<floe_api::WorkspaceInfo> {
    let info = app.api().open(&root).map_err(body)?;
    remember_folder(&app.settings, &info.root);
    Ok(info)
}

#[tauri::command]
fn read(app: State<'_, App>, path: String) -> Answer<floe_api::FileText> {
    app.api().read(&path).map_err(body)
}

#[tauri::command]
async fn check(app: State<'_, App>, path: String, text: String) -> Answer<floe_engine::workspace::Check> {
    // Compiling is CPU work: off the IPC thread.
    let api = app.api();
    tauri::async_runtime::spawn_blocking(move || api.check(&path, &text))
        .await
        .map_err(|e| body(ApiError::Internal(e.to_string())))?
        .map_err(body)
}

#[tauri::command]
fn save(app: State<'_, App>, path: String, text: String) -> Answer<floe_api::FileText> {
    app.api().save(&path, &text).map_err(body)
}

#[tauri::command]
fn create(app: State<'_, App>, path: String, name: String) -> Answer<floe_api::FileText> {
    app.api().create(&path, &name).map_err(body)
}

#[tauri::command]
fn rename(app: State<'_, App>, from: String, to: String) -> Answer<()> {
    app.api().rename(&from, &to).map_err(body)
}

#[tauri::command]
fn remove(app: State<'_, App>, path: String) -> Answer<()> {
    app.api().delete(&path).map_err(body)
}

#[tauri::command]
async fn run(app: State<'_, App>, request: floe_api::RunRequest) -> Answer<floe_api::Started> {
    app.api().run(request).await.map_err(body)
}

#[tauri::command]
async fn resume(app: State<'_, App>, run_id: String) -> Answer<floe_api::Started> {
    app.api().resume(&run_id).await.map_err(body)
}

#[tauri::command]
async fn runs(app: State<'_, App>, blueprint: Option<String>) -> Answer<Vec<floe_engine::store::RunSummary>> {
    app.api().runs(50, blueprint.as_deref()).await.map_err(body)
}

#[tauri::command]
async fn run_detail(app: State<'_, App>, run_id: String) -> Answer<floe_api::RunDetail> {
    app.api().run_detail(&run_id).await.map_err(body)
}

#[tauri::command]
async fn cancel(app: State<'_, App>, run_id: String) -> Answer<()> {
    app.api().cancel(&run_id).await.map_err(body)
}

#[tauri::command]
fn pause(app: State<'_, App>, run_id: String, paused: bool) -> Answer<()> {
    app.api().pause(&run_id, paused).map_err(body)
}

#[tauri::command]
async fn approvals(app: State<'_, App>, run_id: Option<String>) -> Answer<Vec<floe_engine::store::PendingApproval>> {
    app.api().approvals(run_id.as_deref()).await.map_err(body)
}

#[tauri::command]
async fn decide(app: State<'_, App>, run_id: String, node: String, decision: floe_api::ApprovalDecision) -> Answer<()> {
    app.api().decide(&run_id, &node, decision).await.map_err(body)
}

/// Most events in one channel message.
const EVENTS_PER_MESSAGE: usize = 512;

/// Sends the run's events (after `after`) to `channel` in batches: journaled ones, then live
/// ones, each once, in order.
#[tauri::command]
async fn run_events(app: State<'_, App>, run_id: String, after: u64, channel: Channel<Vec<Event>>) -> Answer<()> {
    let mut feed = app.api().events(&run_id, after).await.map_err(body)?;
    tauri::async_runtime::spawn(async move {
        loop {
            let batch = feed.next_batch(EVENTS_PER_MESSAGE).await;
            if batch.is_empty() || channel.send(batch).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// The folder opened last time, kept in the app's settings file.
fn remembered_folder(settings: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(settings).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value.get("workspace")?.as_str().map(PathBuf::from).filter(|p| p.is_dir())
}

fn remember_folder(settings: &Path, root: &Path) {
    if let Some(folder) = settings.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    let text = serde_json::json!({"workspace": root}).to_string();
    if let Err(error) = floe_engine::files::write_atomic(settings, text.as_bytes()) {
        tracing::warn!("could not remember the open folder: {error}");
    }
}

/// Starts the app on `folder` (else the folder opened last time, else `~/Floe`).
pub fn start(folder: Option<PathBuf>) -> anyhow::Result<()> {
    let dirs = directories::ProjectDirs::from("dev", "floe", "floe")
        .ok_or_else(|| anyhow::anyhow!("this user has no home folder; Floe needs one for its data"))?;
    let settings = dirs.config_dir().join("app.json");
    let folder = match folder.or_else(|| remembered_folder(&settings)) {
        Some(folder) => folder,
        None => {
            let home = directories::UserDirs::new()
                .map(|u| u.home_dir().join("Floe"))
                .ok_or_else(|| anyhow::anyhow!("no home folder to create ~/Floe in; pass a folder to open"))?;
            std::fs::create_dir_all(&home)?;
            home
        }
    };
    let database = Store::default_path().ok_or_else(|| anyhow::anyhow!("no data folder for the run store"))?;
    let store = tauri::async_runtime::block_on(Store::open(&database))?;
    let api = Api::new(&folder, store).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", folder.display()))?;
    remember_folder(&settings, &folder.canonicalize().unwrap_or(folder));
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .manage(App { api: Arc::new(Mutex::new(api)), settings, unsaved: AtomicBool::new(false) })
        .setup(|app| {
            app.set_menu(menu(app.handle())?)?;
            Ok(())
        })
        // Menu items are the UI's actions: the window runs them (it knows the document).
        .on_menu_event(|handle, event| {
            let _ = handle.emit("menu", event.id().as_ref());
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.state::<App>().unsaved.load(Ordering::Relaxed)
            {
                api.prevent_close();
                let _ = window.emit("close-requested", ());
            }
        })
        .invoke_handler(tauri::generate_handler![
            about,
            set_unsaved,
            quit,
            catalog,
            workspace,
            open_folder,
            read,
            check,
            save,
            create,
            rename,
            remove,
            run,
            resume,
            runs,
            run_detail,
            cancel,
            pause,
            approvals,
            decide,
            run_events
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}

/// The native menu. Item ids are the UI's action names; the Edit items carry no accelerators so
/// the keys keep working in text fields (the window handles them).
fn menu(handle: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let item = |id: &str, text: &str, accelerator: Option<&str>| {
        let builder = MenuItemBuilder::with_id(id, text);
        match accelerator {
            Some(keys) => builder.accelerator(keys).build(handle),
            None => builder.build(handle),
        }
    };
    let file = SubmenuBuilder::new(handle, "File")
        .item(&item("new", "New Blueprint…", Some("CmdOrCtrl+N"))?)
        .item(&item("open-folder", "Open Folder…", Some("CmdOrCtrl+O"))?)
        .separator()
        .item(&item("save", "Save", Some("CmdOrCtrl+S"))?)
        .item(&item("save-as", "Save As…", Some("CmdOrCtrl+Shift+S"))?)
        .item(&item("rename", "Rename…", None)?)
        .item(&item("delete", "Delete", None)?)
        .separator()
        .item(&item("quit", "Quit", Some("CmdOrCtrl+Q"))?)
        .build()?;
    let edit = SubmenuBuilder::new(handle, "Edit")
        .item(&item("undo", "Undo\tCtrl+Z", None)?)
        .item(&item("redo", "Redo\tCtrl+Shift+Z", None)?)
        .separator()
        .item(&item("copy", "Copy Nodes\tCtrl+C", None)?)
        .item(&item("paste", "Paste Nodes\tCtrl+V", None)?)
        .item(&item("duplicate", "Duplicate\tCtrl+D", None)?)
        .separator()
        .item(&item("note", "Add Sticky Note\tShift+N", None)?)
        .build()?;
    let view = SubmenuBuilder::new(handle, "View")
        .item(&item("fit", "Zoom to Fit\tShift+F", None)?)
        .item(&item("layout", "Arrange Automatically\tShift+L", None)?)
        .item(&item("theme", "Dark / Light Theme\tShift+T", None)?)
        .build()?;
    // Run keys are the window's (Ctrl+Enter works in text fields too).
    let run = SubmenuBuilder::new(handle, "Run")
        .item(&item("run", "Run…\tCtrl+Enter", None)?)
        .item(&item("run-from", "Run From Selected Node\tCtrl+Shift+Enter", None)?)
        .item(&item("cancel-run", "Cancel Run\tCtrl+.", None)?)
        .separator()
        .item(&item("check", "Check Blueprint", None)?)
        .build()?;
    let help = SubmenuBuilder::new(handle, "Help")
        .item(&item("help", "Keyboard Shortcuts\t?", None)?)
        .item(&item("about", "About Floe", None)?)
        .build()?;
    MenuBuilder::new(handle).items(&[&file, &edit, &view, &run, &help]).build()
}
