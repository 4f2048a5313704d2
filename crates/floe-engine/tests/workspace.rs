//! The workspace API the app and `floe serve` use: listing, reading, checking, canonical
//! atomic saves, create / rename / delete, all confined to the folder.

mod support;

use std::path::PathBuf;

use floe_blueprint::Catalog;
use floe_engine::workspace::{Workspace, WorkspaceError};

fn repo() -> PathBuf {
    floe_fakes::repository()
}

/// A scratch workspace holding copies of two examples and some files that are not blueprints.
fn workspace(name: &str) -> (Workspace, PathBuf) {
    let dir = support::scratch("workspace", name);
    for file in ["summarise-text.json", "pages-digest.json"] {
        std::fs::copy(repo().join("blueprints").join(file), dir.join(file)).expect("example copied");
    }
    std::fs::create_dir_all(dir.join("nested")).expect("folder");
    std::fs::copy(repo().join("blueprints/log-triage.json"), dir.join("nested/triage.json")).expect("copied");
    std::fs::create_dir_all(dir.join("runs.db.blobs")).expect("blobs");
    std::fs::write(dir.join("runs.db.blobs/abc.json"), "{}").expect("blob");
    std::fs::create_dir_all(dir.join(".git")).expect("hidden");
    std::fs::write(dir.join(".git/config.json"), "{}").expect("hidden file");
    std::fs::write(dir.join("notes.md"), "not a blueprint").expect("other file");
    (Workspace::open(&dir).expect("opens"), dir)
}

#[test]
fn lists_blueprints_with_their_names_skipping_hidden_folders_and_blobs() {
    let (workspace, dir) = workspace("list");
    let entries = workspace.list().expect("lists");
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["nested/triage.json", "pages-digest.json", "summarise-text.json"]);
    assert_eq!(entries[2].id, "summarise-text");
    assert!(!entries[2].name.is_empty() && entries[2].modified_ms > 0 && entries[2].bytes > 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn listing_again_parses_only_the_files_that_changed() {
    let (workspace, dir) = workspace("relist");
    workspace.list().expect("lists");
    assert_eq!(workspace.parsed(), 3);
    workspace.clone().list().expect("lists again");
    assert_eq!(workspace.parsed(), 3, "unchanged files are not read again, by any clone of the workspace");
    let text = std::fs::read_to_string(dir.join("summarise-text.json")).expect("read");
    let renamed = text.replacen("\"name\": \"", "\"name\": \"Renamed: ", 1);
    std::fs::write(dir.join("summarise-text.json"), renamed).expect("edited");
    let entries = workspace.list().expect("lists");
    assert_eq!(workspace.parsed(), 4, "only the edited file is read");
    assert!(entries[2].name.starts_with("Renamed: "), "{:?}", entries[2]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn saving_writes_the_canonical_form_and_check_reports_with_positions() {
    let (workspace, dir) = workspace("save");
    let text = workspace.read("summarise-text.json").expect("reads");
    // Compact and reordered: saving gives the canonical bytes back.
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let saved = workspace.save("copy.json", &value.to_string()).expect("saves");
    assert_eq!(saved, text, "the example is canonical, so the save reproduces it byte for byte");
    assert_eq!(std::fs::read_to_string(dir.join("copy.json")).expect("on disk"), text);

    // A sub-workflow resolves relative to where the document would be saved.
    let digest = workspace.read("pages-digest.json").expect("reads");
    let check = workspace.check("pages-digest.json", &digest, Catalog::builtin(), None).expect("checks");
    assert!(check.diagnostics.is_empty(), "{:?}", check.diagnostics);
    assert!(check.hash.is_some() && check.nodes == Some(4));
    let moved = workspace.check("nested/digest.json", &digest, Catalog::builtin(), None).expect("checks");
    let codes: Vec<floe_blueprint::Code> = moved.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [floe_blueprint::Code::WorkflowNotFound], "nested/ has no summarise-text.json beside it");
    assert!(moved.diagnostics[0].span.is_some(), "the problem has a line and column");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unreadable_document_is_never_saved() {
    let (workspace, dir) = workspace("unreadable");
    let before = std::fs::read_to_string(dir.join("summarise-text.json")).expect("file");
    let broken = before.replacen("\"kind\": \"llm\"", "\"kind\": 7", 1);
    match workspace.save("summarise-text.json", &broken) {
        Err(WorkspaceError::Unreadable { diagnostics, .. }) => {
            assert!(diagnostics.iter().any(|d| d.span.is_some()), "problems carry line and column: {diagnostics:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("summarise-text.json")).expect("file"),
        before,
        "the file is untouched"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn create_rename_and_delete_never_overwrite_and_stay_inside() {
    let (workspace, dir) = workspace("files");
    let created = workspace.create("flows/My Flow.json", "My flow").expect("creates");
    assert!(created.contains("\"id\": \"my-flow\"") && created.contains("\"name\": \"My flow\""), "{created}");
    assert!(
        workspace
            .check("flows/My Flow.json", &created, Catalog::builtin(), None)
            .expect("checks")
            .diagnostics
            .iter()
            .all(|d| !d.is_error())
    );
    let again = workspace.create("flows/My Flow.json", "again").expect_err("exists");
    assert!(again.to_string().contains("already exists"));
    let clash = workspace.rename("flows/My Flow.json", "summarise-text.json").expect_err("would overwrite");
    assert!(clash.to_string().contains("already exists"));
    workspace.rename("flows/My Flow.json", "flows/mine.json").expect("renames");
    assert!(dir.join("flows/mine.json").is_file() && !dir.join("flows/My Flow.json").exists());
    workspace.delete("flows/mine.json").expect("deletes");
    assert!(!dir.join("flows/mine.json").exists());
    for bad in ["../escape.json", "/etc/passwd.json", "notes.md"] {
        let refused = workspace.read(bad).expect_err("refused");
        assert!(matches!(refused, WorkspaceError::Path(_)), "{bad}: {refused}");
    }
    #[cfg(unix)]
    {
        let outside = support::scratch("workspace", "outside");
        std::os::unix::fs::symlink(&outside, dir.join("link")).expect("symlink");
        let escaped = workspace.save("link/x.json", &created).expect_err("a symlink out of the folder is refused");
        assert!(escaped.to_string().contains("outside the workspace"), "{escaped}");
        assert!(!outside.join("x.json").exists());
        let _ = std::fs::remove_dir_all(outside);
    }
    let _ = std::fs::remove_dir_all(dir);
}
