//! API keys through the real OS keychain (a Secret Service: `make test` starts a private D-Bus
//! session with an unlocked gnome-keyring and sets FLOE_KEYRING_TEST=1), and the redaction
//! guarantee: a key used by a run appears nowhere Floe writes: not in the SQLite file, blob
//! files, the event log, CLI output or trace-level logs.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use floe_fakes::{FakeServer, Reply, Vendor};

fn repo() -> PathBuf {
    floe_fakes::repository()
}

/// `floe` with the settings file given, no key in the environment, and every log on.
fn floe(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_floe"));
    command
        .args(args)
        .current_dir(dir)
        .env("FLOE_SETTINGS", dir.join("settings.json"))
        .env("RUST_LOG", "trace")
        .env_remove("OPENAI_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("floe starts");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("stdin written");
        }
    }
    child.wait_with_output().expect("floe finishes")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_key_is_used_by_a_run_and_appears_nowhere_floe_writes() {
    if std::env::var_os("FLOE_KEYRING_TEST").is_none() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: needs a Secret Service; `make test` provides one (FLOE_KEYRING_TEST=1)");
        }
        return;
    }
    let dir = support::scratch("secrets", "redaction");
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    // A big reply spills to a blob file, so blobs are covered too.
    server.set_fallback(Reply::text(&"word ".repeat(20_000)));
    std::fs::write(
        dir.join("settings.json"),
        serde_json::json!({"providers": {"openai": {"base_url": server.base_url()}}}).to_string(),
    )
    .expect("settings");
    std::fs::write(
        dir.join("ask.json"),
        serde_json::json!({
            "format": "floe.blueprint", "version": 1, "id": "ask", "name": "ask",
            "outputs": {"answer": {"from": "ask.text"}},
            "nodes": [{"id": "ask", "kind": "llm", "config": {"model": "openai:gpt-4o-mini", "prompt": "Say many words"}}]
        })
        .to_string(),
    )
    .expect("blueprint");
    let key = format!("sk-floe-redaction-{}-{}", std::process::id(), fastrand_suffix());
    let d = dir.clone();
    let k = key.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let set = floe(&d, &["keys", "set", "openai"], Some(&format!("{k}\n")));
        let list = floe(&d, &["keys", "list", "--json"], None);
        let run = floe(&d, &["run", "ask.json", "--db", "runs.db", "--json"], None);
        let run_id = String::from_utf8_lossy(&run.stdout)
            .lines()
            .find_map(|l| {
                serde_json::from_str::<serde_json::Value>(l).ok().and_then(|v| v["run"].as_str().map(str::to_owned))
            })
            .unwrap_or_default();
        let events = floe(&d, &["runs", "events", &run_id, "--db", "runs.db"], None);
        let show = floe(&d, &["runs", "show", &run_id, "--db", "runs.db", "--json"], None);
        let test = floe(&d, &["keys", "test", "openai"], None);
        let delete = floe(&d, &["keys", "delete", "openai"], None);
        let after = floe(&d, &["keys", "list", "--json"], None);
        vec![set, list, run, events, show, test, delete, after]
    })
    .await
    .expect("commands ran");
    let [set, list, run, events, show, test, delete, after] = &outputs[..] else { panic!("eight commands") };
    assert_eq!(set.status.code(), Some(0), "{}", text(set));
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("list JSON");
    let openai = listed.as_array().and_then(|rows| rows.iter().find(|r| r["provider"] == "openai")).cloned();
    assert_eq!(openai.map(|r| r["key"].clone()), Some(serde_json::json!("keychain")), "{}", text(list));
    assert_eq!(run.status.code(), Some(0), "{}", text(run));
    assert_eq!(events.status.code(), Some(0), "{}", text(events));
    assert_eq!(test.status.code(), Some(0), "{}", text(test));
    assert_eq!(delete.status.code(), Some(0), "{}", text(delete));
    let listed: serde_json::Value = serde_json::from_slice(&after.stdout).expect("list JSON");
    let openai = listed.as_array().and_then(|rows| rows.iter().find(|r| r["provider"] == "openai")).cloned();
    assert_eq!(openai.map(|r| r["key"].clone()), Some(serde_json::Value::Null), "deleted");

    // The key was really used: the fake saw it in the Authorization header.
    let requests = server.requests();
    assert!(requests.iter().any(|r| r.header("authorization") == Some(&format!("Bearer {key}"))));
    // …and it is nowhere Floe writes.
    for output in &outputs {
        assert!(
            !contains(&output.stdout, &key) && !contains(&output.stderr, &key),
            "leaked in output: {}",
            text(output)
        );
    }
    let written = files(&dir);
    assert!(written.iter().any(|p| p.to_string_lossy().contains(".blobs/")), "a blob was written: {written:?}");
    for file in written.iter().filter(|p| !p.ends_with("settings.json")) {
        let bytes = std::fs::read(file).expect("readable");
        assert!(!contains(&bytes, &key), "leaked in {}", file.display());
    }
    // The run's totals come from its node_usage events.
    let shown: serde_json::Value = serde_json::from_slice(&show.stdout).expect("show JSON");
    assert_eq!(shown["tokens_in"], serde_json::json!(10), "{shown}");
    assert_eq!(shown["tokens_out"], serde_json::json!(20_000));
    assert!(shown["cost_usd"].as_f64().is_some_and(|c| c > 0.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_a_secret_service_keys_set_says_what_to_do() {
    let dir = support::scratch("secrets", "no-service");
    std::fs::write(dir.join("settings.json"), "{}").expect("settings");
    let mut command = Command::new(env!("CARGO_BIN_EXE_floe"));
    let output = command
        .args(["keys", "set", "openai"])
        .current_dir(&dir)
        .env("FLOE_SETTINGS", dir.join("settings.json"))
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", dir.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(mut input) = child.stdin.take() {
                input.write_all(b"sk-never-stored\n")?;
            }
            child.wait_with_output()
        })
        .expect("floe runs");
    assert_eq!(output.status.code(), Some(3));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("keychain is not available") && message.contains("environment variable"), "{message}");
    assert!(!message.contains("sk-never-stored"));
    assert!(files(&dir).iter().all(|p| p.ends_with("settings.json")), "no key file was written instead");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = repo();
}

fn fastrand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}
