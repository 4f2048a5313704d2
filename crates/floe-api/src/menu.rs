//! The desktop app's native menu, as data: the shell builds its menu from [`MENU`], and
//! `cargo xtask codegen` writes the item ids into the UI's action type
//! (`ui/src/generated/menu.ts`), so a menu item the window cannot run does not compile.

use schemars::JsonSchema;
use serde::Serialize;

/// One item of the native menu. Its id is the UI action the window runs when it is chosen.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct MenuItem {
    /// The submenu it is in (`File`, `Edit`…).
    pub menu: &'static str,
    /// The action (the UI's name for it).
    pub id: &'static str,
    /// The label.
    pub label: &'static str,
    /// A native accelerator (`CmdOrCtrl+S`); none where the window handles the keys itself
    /// (GTK would take Ctrl+Z and Ctrl+C from text fields and the code editors).
    pub accelerator: Option<&'static str>,
    /// The keys the window handles, shown beside the label.
    pub keys: Option<&'static str>,
    /// A separator comes before it.
    pub separated: bool,
}

const fn item(
    menu: &'static str,
    id: &'static str,
    label: &'static str,
    accelerator: Option<&'static str>,
    keys: Option<&'static str>,
) -> MenuItem {
    MenuItem { menu, id, label, accelerator, keys, separated: false }
}

const fn after_separator(item: MenuItem) -> MenuItem {
    MenuItem { separated: true, ..item }
}

/// The native menu, in order.
pub const MENU: &[MenuItem] = &[
    item("File", "new", "New Blueprint…", Some("CmdOrCtrl+N"), None),
    item("File", "open-folder", "Open Folder…", Some("CmdOrCtrl+O"), None),
    after_separator(item("File", "save", "Save", Some("CmdOrCtrl+S"), None)),
    item("File", "save-as", "Save As…", Some("CmdOrCtrl+Shift+S"), None),
    item("File", "rename", "Rename…", None, None),
    item("File", "delete", "Delete", None, None),
    after_separator(item("File", "settings", "Settings…", Some("CmdOrCtrl+,"), None)),
    after_separator(item("File", "quit", "Quit", Some("CmdOrCtrl+Q"), None)),
    item("Edit", "undo", "Undo", None, Some("Ctrl+Z")),
    item("Edit", "redo", "Redo", None, Some("Ctrl+Shift+Z")),
    after_separator(item("Edit", "copy", "Copy Nodes", None, Some("Ctrl+C"))),
    item("Edit", "paste", "Paste Nodes", None, Some("Ctrl+V")),
    item("Edit", "duplicate", "Duplicate", None, Some("Ctrl+D")),
    after_separator(item("Edit", "note", "Add Sticky Note", None, Some("Shift+N"))),
    item("View", "fit", "Zoom to Fit", None, Some("Shift+F")),
    item("View", "layout", "Arrange Automatically", None, Some("Shift+L")),
    item("View", "theme", "Dark / Light Theme", None, Some("Shift+T")),
    after_separator(item("View", "toggle-sidebar", "Show / Hide Sidebar", None, Some("Ctrl+B"))),
    item("View", "toggle-inspector", "Show / Hide Inspector", None, Some("Ctrl+I")),
    item("View", "toggle-dock", "Show / Hide Run Panel", None, Some("Ctrl+J")),
    item("View", "toggle-minimap", "Show / Hide Minimap", None, Some("Shift+M")),
    after_separator(item("View", "memory", "Memory…", None, Some("Ctrl+Shift+M"))),
    // Run keys are the window's (Ctrl+Enter works in text fields too).
    item("Run", "run", "Run…", None, Some("Ctrl+Enter")),
    item("Run", "run-from", "Run From Selected Node", None, Some("Ctrl+Shift+Enter")),
    item("Run", "cancel-run", "Cancel Run", None, Some("Ctrl+.")),
    after_separator(item("Run", "check", "Check Blueprint", None, None)),
    item("Help", "help", "Keyboard Shortcuts", None, Some("?")),
    item("Help", "about", "About Floe", None, None),
];
