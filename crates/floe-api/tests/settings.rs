//! The Settings methods against a real settings file, the default model as the live check and a
//! run see it, readiness refusing a run before anything is journaled, and the examples copied into
//! an empty folder. (Keys in the keychain are tested end to end in `tests/e2e/settings.spec.ts`
//! and `crates/floe-cli/tests/secrets.rs`, under a private Secret Service.)

use std::path::{Path, PathBuf};
use std::sync::Arc;

use floe_api::{Api, ErrorCode, RunRequest};
use floe_engine::store::Store;
use floe_llm::settings::ProviderSettings;
use floe_llm::{Api as Wire, Llm, Remedy};
use serde_json::json;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-settings-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("flows")).expect("temp dir");
    dir
}

/// An API over `dir/flows` whose registry follows `dir/settings.json`.
async fn api(dir: &Path) -> Api {
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let llm = Llm::following(&dir.join("settings.json")).with_keys(Arc::new(|_| None));
    Api::with_llm(&dir.join("flows"), store, Arc::new(llm)).expect("api")
}

fn asks(model: &str) -> String {
    json!({"format": "floe.blueprint", "version": 1, "id": "ask", "name": "Ask",
        "outputs": {"out": {"from": "a.text"}},
        "nodes": [{"id": "a", "kind": "llm", "config": {"model": model, "prompt": "hi"}}]})
    .to_string()
}

#[tokio::test]
async fn providers_and_the_default_model_are_written_to_the_settings_file_and_used_at_once() {
    let dir = scratch("write");
    let api = api(&dir).await;
    let file = dir.join("settings.json");

    // A base URL that is not an address is refused where it is written, and nothing is written.
    let wrong = ProviderSettings {
        api: Some(Wire::OpenaiCompatible),
        base_url: Some("localhost:1234".into()),
        ..Default::default()
    };
    let error = api.set_provider("office".into(), wrong).expect_err("refused");
    assert_eq!((error.code, error.pointer.as_deref()), (ErrorCode::BadRequest, Some("/settings/base_url")));
    assert!(error.message.contains("http://127.0.0.1:8080/v1"), "{}", error.message);
    assert!(!file.exists());
    let bad_name = api.set_provider("Office LLM".into(), ProviderSettings::default()).expect_err("refused");
    assert_eq!(bad_name.pointer.as_deref(), Some("/name"));

    // An endpoint is added, and listed with Floe's own providers.
    let office = ProviderSettings {
        api: Some(Wire::OpenaiCompatible),
        base_url: Some("http://127.0.0.1:9/v1".into()),
        needs_key: Some(false),
        ..Default::default()
    };
    let view = api.set_provider("office".into(), office).expect("added");
    let listed = view.providers.iter().find(|p| p.name == "office").expect("listed");
    assert!(!listed.builtin && !listed.needs_key && listed.base_url == "http://127.0.0.1:9/v1");
    assert!(view.providers.iter().any(|p| p.name == "openai" && p.builtin));

    // The default model: written, then what `default` resolves to in the live check.
    let view = api.set_default_model(Some("office:tiny".into())).expect("chosen");
    assert_eq!(view.default_model.as_deref(), Some("office:tiny"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("JSON");
    assert_eq!(written["default_model"], "office:tiny");
    assert_eq!(written["providers"]["office"]["base_url"], "http://127.0.0.1:9/v1");
    let check = api.check("ask.json".into(), asks("default")).expect("checks");
    assert!(check.diagnostics.is_empty(), "{:?}", check.diagnostics);
    assert_eq!(check.default_model.map(|d| d.model), Some("office:tiny".to_owned()));
    // An unknown provider cannot be the default.
    let unknown = api.set_default_model(Some("nowhere:x".into())).expect_err("unknown provider");
    assert!(unknown.message.contains("nowhere"), "{}", unknown.message);

    // A built-in provider's override is reset; an added endpoint is removed, with the default
    // model that named it.
    api.set_provider("ollama".into(), ProviderSettings { concurrency: Some(2), ..Default::default() }).expect("set");
    let view = api.remove_provider("ollama".into()).expect("reset");
    assert_eq!(view.providers.iter().find(|p| p.name == "ollama").map(|p| p.concurrency), Some(8));
    let view = api.remove_provider("office".into()).expect("removed");
    assert!(view.providers.iter().all(|p| p.name != "office"));
    assert_eq!(view.default_model, None);
    let check = api.check("ask.json".into(), asks("default")).expect("checks");
    assert_eq!(check.diagnostics.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["W0310"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_run_whose_model_cannot_be_called_is_refused_before_anything_runs() {
    let dir = scratch("ready");
    let api = api(&dir).await;
    // Nothing listens on port 9 (discard): the local endpoint does not answer.
    let office = ProviderSettings {
        api: Some(Wire::OpenaiCompatible),
        base_url: Some("http://127.0.0.1:9/v1".into()),
        needs_key: Some(false),
        ..Default::default()
    };
    api.set_provider("office".into(), office).expect("added");
    api.save("ask.json".into(), asks("default")).expect("saved");
    let request = || RunRequest { path: "ask.json".into(), ..Default::default() };

    // No default model chosen.
    let error = api.run(request()).await.expect_err("not ready");
    assert_eq!(error.code, ErrorCode::NotReady);
    assert_eq!(error.unready[0].problem.remedy, Remedy::ChooseDefault);
    assert_eq!(error.unready[0].nodes, ["a"]);

    // A default on a server that does not answer.
    api.set_default_model(Some("office:tiny".into())).expect("chosen");
    let error = api.run(request()).await.expect_err("not ready");
    assert_eq!(error.unready[0].problem.remedy, Remedy::StartServer);
    assert!(error.unready[0].problem.message.contains("office: nothing answers at 127.0.0.1:9"), "{}", error.message);

    // A cloud model with no key.
    api.save("ask.json".into(), asks("openai:gpt-4o-mini")).expect("saved");
    let error = api.run(request()).await.expect_err("not ready");
    assert_eq!(
        (error.unready[0].problem.remedy, error.unready[0].problem.provider.as_deref()),
        (Remedy::SetKey, Some("openai"))
    );
    assert!(error.message.contains("openai needs an API key: set it in Settings"), "{}", error.message);
    assert!(api.runs(None, None).await.expect("runs").is_empty(), "nothing was started or journaled");

    // Run anyway: it starts, and the node says why it failed.
    let started = api.run(RunRequest { no_check: true, ..request() }).await.expect("starts anyway");
    let mut feed = api.events(&started.run_id, 0).await.expect("events");
    while !feed.next_batch(64).await.is_empty() {}
    let detail = api.run_detail(started.run_id).await.expect("detail");
    assert!(
        detail.summary.error.as_deref().is_some_and(|e| e.contains("no API key for openai")),
        "{:?}",
        detail.summary.error
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_examples_are_copied_into_a_folder_without_overwriting_anything() {
    let dir = scratch("examples");
    let api = api(&dir).await;
    let mine = dir.join("flows/summarise-text.json");
    std::fs::write(&mine, asks("default")).expect("own file");
    let info = api.add_examples().expect("copied");
    let shipped = std::fs::read_dir(floe_fakes::repository().join("blueprints"))
        .expect("examples")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(info.entries.len(), shipped, "every example is listed");
    assert_eq!(std::fs::read_to_string(&mine).expect("kept"), asks("default"), "a file already there is kept");
    for data in ["data/sales.csv", "docs/handbook.md", "logs/app.log", "notes"] {
        assert!(dir.join("flows").join(data).exists(), "{data} is copied with the examples");
    }
    let check =
        api.check("csv-report.json".into(), api.read("csv-report.json".into()).expect("read").text).expect("checks");
    assert!(check.diagnostics.iter().all(|d| !d.is_error()), "{:?}", check.diagnostics);
    let _ = std::fs::remove_dir_all(&dir);
}
