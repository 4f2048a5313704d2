//! The Floe desktop app: a thin Tauri 2 shell. One command (`api`) dispatches every method of
//! [`floe_api::Api`]'s table, the same table `floe serve` exposes over HTTP, so the UI's screens
//! do not know which transport they use. Run events reach the window through a `Channel`. No
//! command runs on the main thread.
//!
//! Links `floe://run/<id>` (what `floe mcp` answers a call with) open a run: the app registers
//! itself as their handler (tauri-plugin-deep-link), and a link it was started with, or is
//! handed while open, goes to the window (`take_link`, then the `link` event).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use floe_api::{Api, ApiError};
use floe_engine::events::Event;
use floe_engine::store::Store;
use serde_json::Value;
use tauri::ipc::Channel;
use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, State, WindowEvent, Wry};

/// The app's state: the API over the open folder.
struct App {
    /// The API over the open folder (it switches folders itself).
    api: Api,
    settings: PathBuf,
    /// Whether the window holds unsaved edits (closing then asks first).
    unsaved: AtomicBool,
    /// The link the app was started with, until the window takes it.
    link: Mutex<Option<String>>,
}

impl App {
    fn api(&self) -> Api {
        self.api.clone()
    }
}

/// Every method of the API's table: the UI's generated client calls this one command with the
/// method's name and arguments. Async, so it never runs on the main thread; blocking methods go
/// to the blocking pool inside [`Api::call`].
#[tauri::command]
async fn api(app: State<'_, App>, method: String, args: Value) -> Result<Value, ApiError> {
    let api = app.api();
    let answer = api.call(&method, args).await?;
    if method == "open_folder"
        && let Some(root) = answer.get("root").and_then(Value::as_str)
    {
        remember_folder(&app.settings, Path::new(root));
    }
    Ok(answer)
}

/// The window tells the shell whether it holds unsaved edits.
#[tauri::command]
async fn set_unsaved(app: State<'_, App>, unsaved: bool) -> Result<(), ApiError> {
    app.unsaved.store(unsaved, Ordering::Relaxed);
    Ok(())
}

/// The link the app was started with (once; the window asks when it has loaded).
#[tauri::command]
async fn take_link(app: State<'_, App>) -> Result<Option<String>, ApiError> {
    Ok(app.link.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take())
}

/// Closes the window for good (after the person chose to discard unsaved edits).
#[tauri::command]
async fn quit(handle: AppHandle) -> Result<(), ApiError> {
    handle.exit(0);
    Ok(())
}

/// Most events in one channel message.
const EVENTS_PER_MESSAGE: usize = 512;

/// Sends the run's events (after `after`) to `channel` in batches: journaled ones, then live
/// ones, each once, in order.
#[tauri::command]
async fn run_events(
    app: State<'_, App>,
    run_id: String,
    after: u64,
    channel: Channel<Vec<Event>>,
) -> Result<(), ApiError> {
    let mut feed = app.api().events(&run_id, after).await?;
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

/// Starts the app on `folder` (else the folder opened last time, else `~/Floe`), opening `link`
/// (`floe://run/<id>`) once the window has loaded.
pub fn start(folder: Option<PathBuf>, link: Option<String>) -> anyhow::Result<()> {
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
    let opened = Api::new(&folder, store).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", folder.display()))?;
    remember_folder(&settings, &folder.canonicalize().unwrap_or(folder));
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_deep_link::init())
        .manage(App { api: opened, settings, unsaved: AtomicBool::new(false), link: Mutex::new(link) })
        .setup(|app| {
            app.set_menu(menu(app.handle())?)?;
            links(app.handle());
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
        .invoke_handler(tauri::generate_handler![api, run_events, set_unsaved, quit, take_link])
        .run(tauri::generate_context!())?;
    Ok(())
}

/// Makes the app the handler of `floe://` links (on Linux and Windows at every start, so a moved
/// or rebuilt app stays the one links open; best effort: a desktop without `xdg-mime` only loses
/// the links) and hands links that arrive while it runs to the window.
fn links(handle: &AppHandle) {
    use tauri_plugin_deep_link::DeepLinkExt;
    #[cfg(any(windows, target_os = "linux"))]
    if let Err(error) = handle.deep_link().register_all() {
        tracing::warn!("floe:// links will not open the app: {error}");
    }
    let window = handle.clone();
    handle.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            let _ = window.emit("link", url.as_str());
        }
    });
}

/// The native menu, built from the table the UI's action type is generated from. Item ids are
/// the UI's action names; items whose keys the window handles show them after a tab.
fn menu(handle: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let mut menu = MenuBuilder::new(handle);
    let mut items = floe_api::menu::MENU.iter().peekable();
    while let Some(first) = items.peek().copied() {
        let mut submenu = SubmenuBuilder::new(handle, first.menu);
        while let Some(entry) = items.next_if(|entry| entry.menu == first.menu) {
            if entry.separated {
                submenu = submenu.separator();
            }
            let label = match entry.keys {
                Some(keys) => format!("{}\t{keys}", entry.label),
                None => entry.label.to_owned(),
            };
            let builder = MenuItemBuilder::with_id(entry.id, label);
            let built = match entry.accelerator {
                Some(keys) => builder.accelerator(keys).build(handle)?,
                None => builder.build(handle)?,
            };
            submenu = submenu.item(&built);
        }
        menu = menu.item(&submenu.build()?);
    }
    menu.build()
}
