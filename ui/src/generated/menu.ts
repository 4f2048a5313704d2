// Generated from the native menu (crates/floe-api/src/menu.rs) by `cargo xtask codegen`; do not edit.

/** Every native menu item's id: each is an action the window runs. */
export const MENU_ACTIONS = [
  "new",
  "open-folder",
  "save",
  "save-as",
  "rename",
  "delete",
  "settings",
  "quit",
  "undo",
  "redo",
  "copy",
  "paste",
  "duplicate",
  "note",
  "fit",
  "layout",
  "theme",
  "toggle-sidebar",
  "toggle-inspector",
  "toggle-dock",
  "toggle-minimap",
  "memory",
  "run",
  "run-from",
  "cancel-run",
  "check",
  "help",
  "about",
] as const;

/** An action a native menu item names. */
export type MenuAction = (typeof MENU_ACTIONS)[number];
