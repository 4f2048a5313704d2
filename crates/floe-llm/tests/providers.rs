//! Every provider against a loopback server speaking its wire format: streaming, tool calls,
//! usage, structured output, fallbacks, and the fault matrix (each fault's class).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use floe_blueprint::ErrorClass;
use floe_fakes::{FakeServer, Fault, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Api, Call, ChatRequest, Llm, Message, ModelRef, Note, Prices, Secret, Settings, StopReason, ToolDef};
use serde_json::{Value, json};

const VENDORS: [(Vendor, &str, &str); 4] = [
    (Vendor::Openai, "openai", "gpt-4o-mini"),
    (Vendor::Anthropic, "anthropic", "claude-sonnet-4-5"),
    (Vendor::Gemini, "gemini", "gemini-2.5-flash"),
    (Vendor::Ollama, "ollama", "llama3.2"),
];

/// A registry whose providers point at the given fakes, with a short timeout.
fn registry(servers: &[(&str, &FakeServer)]) -> Llm {
    let mut settings = Settings::default();
    for (name, server) in servers {
        settings.providers.insert(
            (*name).to_owned(),
            ProviderSettings { base_url: Some(server.base_url()), timeout: Some("700ms".into()), ..Default::default() },
        );
    }
    Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-test-key"))))
}

fn request(prompt: &str) -> ChatRequest {
    ChatRequest { messages: vec![Message::system("Be brief."), Message::user(prompt)], ..Default::default() }
}

async fn chat(
    llm: &Llm,
    model: &str,
    request: &ChatRequest,
) -> (Result<floe_llm::ChatResponse, floe_llm::LlmError>, Vec<String>) {
    let mut deltas = Vec::new();
    let result = llm.chat(&ModelRef::parse(model).expect("model"), request, &mut |d| deltas.push(d.to_owned())).await;
    (result, deltas)
}

#[tokio::test]
async fn every_vendor_streams_text_with_usage() {
    for (vendor, name, model) in VENDORS {
        let server = FakeServer::start(vendor).await.expect("fake starts");
        server.push([Reply::Text { text: "Hello there, streaming world".into(), usage: (42, 5, 12) }]);
        let llm = registry(&[(name, &server)]);
        let (result, deltas) = chat(&llm, &format!("{name}:{model}"), &request("Say hello")).await;
        let response = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.text, "Hello there, streaming world", "{name}");
        assert!(deltas.len() >= 4, "{name}: text arrives in pieces, got {deltas:?}");
        assert_eq!(deltas.concat(), response.text, "{name}");
        assert_eq!(response.stop, StopReason::EndTurn, "{name}");
        assert_eq!(response.usage.input_tokens, 42, "{name}");
        assert_eq!(response.usage.output_tokens, 5, "{name}");
        if vendor != Vendor::Ollama {
            assert_eq!(response.usage.cached_tokens, 12, "{name}");
        }
        let sent = &server.requests()[0];
        match vendor {
            Vendor::Openai => {
                assert_eq!(sent.uri, "/v1/chat/completions");
                assert_eq!(sent.header("authorization"), Some("Bearer sk-test-key"));
                assert_eq!(sent.body["messages"][0], json!({"role": "system", "content": "Be brief."}));
                assert_eq!(sent.body["stream_options"]["include_usage"], json!(true));
            }
            Vendor::Anthropic => {
                assert_eq!(sent.uri, "/v1/messages");
                assert_eq!(sent.header("x-api-key"), Some("sk-test-key"));
                assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
                assert_eq!(sent.body["system"], json!("Be brief."));
                assert_eq!(sent.body["messages"][0]["content"][0], json!({"type": "text", "text": "Say hello"}));
            }
            Vendor::Gemini => {
                assert_eq!(sent.uri, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
                assert_eq!(sent.header("x-goog-api-key"), Some("sk-test-key"));
                assert_eq!(sent.body["systemInstruction"]["parts"][0]["text"], json!("Be brief."));
            }
            Vendor::Ollama => {
                assert_eq!(sent.uri, "/api/chat");
                assert_eq!(sent.body["model"], json!("llama3.2"));
            }
        }
    }
}

#[tokio::test]
async fn every_vendor_returns_parallel_tool_calls() {
    let tools = vec![ToolDef {
        name: "read_file".into(),
        description: "Reads a file".into(),
        parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
    }];
    for (vendor, name, model) in VENDORS {
        let server = FakeServer::start(vendor).await.expect("fake starts");
        server.push([Reply::ToolCalls(vec![
            ("read_file".into(), r#"{"path": "a.txt"}"#.into()),
            ("read_file".into(), r#"{"path": "b.txt"}"#.into()),
        ])]);
        let llm = registry(&[(name, &server)]);
        let mut request = request("Read both files");
        request.tools = tools.clone();
        let (result, _) = chat(&llm, &format!("{name}:{model}"), &request).await;
        let response = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.stop, StopReason::ToolUse, "{name}");
        let paths: Vec<&Value> = response.tool_calls.iter().map(|c| &c.arguments["path"]).collect();
        assert_eq!(paths, [&json!("a.txt"), &json!("b.txt")], "{name}");
        let ids: std::collections::BTreeSet<&str> = response.tool_calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 2, "{name}: each call has its own id");
        let sent = &server.requests()[0].body;
        let declared = match vendor {
            Vendor::Openai | Vendor::Ollama => &sent["tools"][0]["function"]["name"],
            Vendor::Anthropic => &sent["tools"][0]["name"],
            Vendor::Gemini => &sent["tools"][0]["functionDeclarations"][0]["name"],
        };
        assert_eq!(declared, &json!("read_file"), "{name}");
    }
}

#[tokio::test]
async fn a_tool_result_goes_back_in_each_vendors_shape() {
    for (vendor, name, model) in VENDORS {
        let server = FakeServer::start(vendor).await.expect("fake starts");
        server.push([Reply::tool("read_file", json!({"path": "a.txt"})), Reply::text("It says hi.")]);
        let llm = registry(&[(name, &server)]);
        let mut conversation = request("What does a.txt say?");
        let (first, _) = chat(&llm, &format!("{name}:{model}"), &conversation).await;
        let first = first.unwrap_or_else(|e| panic!("{name}: {e}"));
        conversation.messages.push(Message::assistant(first.text.clone(), first.tool_calls.clone()));
        conversation.messages.push(Message::tool_result(&first.tool_calls[0], "hi"));
        let (second, _) = chat(&llm, &format!("{name}:{model}"), &conversation).await;
        assert_eq!(second.unwrap_or_else(|e| panic!("{name}: {e}")).text, "It says hi.");
        let body = &server.requests()[1].body;
        let last = match vendor {
            Vendor::Openai => body["messages"][3].clone(),
            Vendor::Anthropic => body["messages"][2]["content"][0].clone(),
            Vendor::Gemini => body["contents"][2]["parts"][0].clone(),
            Vendor::Ollama => body["messages"][3].clone(),
        };
        let expected = match vendor {
            Vendor::Openai => json!({"role": "tool", "content": "hi", "tool_call_id": first.tool_calls[0].id}),
            Vendor::Anthropic => json!({"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "hi"}),
            Vendor::Gemini => json!({"functionResponse": {"name": "read_file", "response": {"result": "hi"}}}),
            Vendor::Ollama => json!({"role": "tool", "content": "hi", "tool_name": "read_file"}),
        };
        assert_eq!(last, expected, "{name}");
    }
}

#[tokio::test]
async fn the_fault_matrix_classifies_every_failure() {
    let faults: Vec<(Fault, ErrorClass)> = vec![
        (Fault::RateLimited(7), ErrorClass::RateLimited),
        (Fault::Server(500), ErrorClass::Server),
        (Fault::Overloaded, ErrorClass::Overloaded),
        (Fault::Unauthorized, ErrorClass::Auth),
        (Fault::ContextTooLong, ErrorClass::ContextTooLong),
        (Fault::CutMidStream("This reply will be cut in half".into()), ErrorClass::StreamBroken),
        (Fault::SlowFirstByte(Duration::from_secs(3)), ErrorClass::Timeout),
        (Fault::MalformedJson, ErrorClass::Unparseable),
        (Fault::HtmlPage, ErrorClass::Unparseable),
    ];
    for (vendor, name, model) in VENDORS {
        let server = FakeServer::start(vendor).await.expect("fake starts");
        let llm = registry(&[(name, &server)]);
        for (fault, class) in &faults {
            server.push([Reply::Fault(fault.clone())]);
            let (result, _) = chat(&llm, &format!("{name}:{model}"), &request("hi")).await;
            let error = result.expect_err(&format!("{name}: {fault:?} fails"));
            assert_eq!(&error.class, class, "{name}: {fault:?} → {error}");
            assert!(error.message.contains(name), "{name}: the message names the provider: {error}");
            if let Fault::RateLimited(seconds) = fault {
                assert_eq!(error.retry_after, Some(Duration::from_secs(*seconds)), "{name}");
            }
        }
        // An error sent inside a 200 stream.
        server.push([Reply::Fault(Fault::MidStreamError)]);
        let (result, _) = chat(&llm, &format!("{name}:{model}"), &request("hi")).await;
        let error = result.expect_err("mid-stream error");
        let expected = match vendor {
            Vendor::Openai => ErrorClass::RateLimited,
            Vendor::Anthropic | Vendor::Gemini => ErrorClass::Overloaded,
            Vendor::Ollama => ErrorClass::Server,
        };
        assert_eq!(error.class, expected, "{name}: {error}");
    }
}

#[tokio::test]
async fn a_web_page_instead_of_a_stream_is_unparseable_at_once_and_points_at_the_base_url() {
    let openai = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    let ollama = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let llm = registry(&[("openai", &openai), ("ollama", &ollama)]);
    openai.push([Reply::Fault(Fault::HtmlPage)]);
    ollama.push([Reply::text("local answer")]);
    let mut models = call(&["openai:gpt-4o-mini", "ollama:llama3.2"], None);
    models.fallback_on = floe_blueprint::catalog::kinds::llm::DEFAULT_FALLBACK_ON.to_vec();
    let error = llm.complete(&models, &mut |_| {}, &mut |_| {}).await.expect_err("a web page is no reply");
    assert_eq!(error.class, ErrorClass::Unparseable, "{error}");
    assert!(error.message.contains("base_url") && error.message.contains("<!doctype html>"), "{error}");
    assert!(!ErrorClass::transient().contains(&error.class), "not retried by default policies");
    assert_eq!((openai.requests().len(), ollama.requests().len()), (1, 0), "one request, no fallback");

    // Ollama's line-delimited stream: the same page is the same error.
    let ollama = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let llm = registry(&[("ollama", &ollama)]);
    ollama.push([Reply::Fault(Fault::HtmlPage)]);
    let (result, _) = chat(&llm, "ollama:llama3.2", &request("hi")).await;
    let error = result.expect_err("a web page is no reply");
    assert_eq!(error.class, ErrorClass::Unparseable, "{error}");
    assert!(error.message.contains("base_url"), "{error}");
}

#[tokio::test]
async fn a_404_from_a_base_url_without_its_v1_says_so() {
    let openai = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    let mut settings = Settings::default();
    let root = openai.base_url().trim_end_matches("/v1").to_owned();
    settings.providers.insert(
        "openai".into(),
        ProviderSettings { base_url: Some(root.clone()), timeout: Some("700ms".into()), ..Default::default() },
    );
    let llm = Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-test-key"))));
    let (result, _) = chat(&llm, "openai:gpt-4o-mini", &request("hi")).await;
    let error = result.expect_err("nothing at that path");
    assert_eq!(error.class, ErrorClass::BadRequest, "{error}");
    assert!(error.message.contains("404") && error.message.contains(&format!("set it to {root}/v1 ")), "{error}");
}

#[tokio::test]
async fn an_unreachable_provider_is_a_network_error_naming_the_fix() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/v1");
    let mut settings = Settings::default();
    settings.providers.insert("openai".into(), ProviderSettings { base_url: Some(url), ..Default::default() });
    let llm = Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("k"))));
    let (result, _) = chat(&llm, "openai:gpt-4o-mini", &request("hi")).await;
    let error = result.expect_err("nothing listens");
    assert_eq!(error.class, ErrorClass::Network, "{error}");
    assert!(
        error.message.starts_with(&format!("openai: nothing answers at 127.0.0.1:{port} (connection refused)"))
            && error.message.contains("base URL in Settings"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_key_says_how_to_set_one() {
    let server = FakeServer::start(Vendor::Anthropic).await.expect("fake starts");
    let mut settings = Settings::default();
    settings
        .providers
        .insert("anthropic".into(), ProviderSettings { base_url: Some(server.base_url()), ..Default::default() });
    let llm = Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| None));
    let (result, _) = chat(&llm, "anthropic:claude-sonnet-4-5", &request("hi")).await;
    let error = result.expect_err("no key");
    assert_eq!(error.class, ErrorClass::Auth);
    assert!(
        error.message.contains("floe keys set anthropic") && error.message.contains("ANTHROPIC_API_KEY"),
        "{error}"
    );
    assert!(server.requests().is_empty(), "nothing is sent without a key");
}

fn call(models: &[&str], schema: Option<Value>) -> Call {
    Call {
        models: models.iter().map(|m| ModelRef::parse(m).expect("model")).collect(),
        fallback_on: vec![ErrorClass::RateLimited, ErrorClass::Overloaded, ErrorClass::Server],
        request: request("Classify: the app crashes"),
        schema,
        reasks: 2,
    }
}

#[tokio::test]
async fn fallbacks_move_on_only_for_the_listed_classes() {
    let openai = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    let ollama = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let llm = registry(&[("openai", &openai), ("ollama", &ollama)]);
    openai.push([Reply::Fault(Fault::RateLimited(1))]);
    ollama.push([Reply::text("local answer")]);
    let notes = Mutex::new(Vec::new());
    let done = llm
        .complete(&call(&["openai:gpt-4o-mini", "ollama:llama3.2"], None), &mut |_| {}, &mut |n| {
            notes.lock().expect("notes").push(n)
        })
        .await
        .expect("the fallback answers");
    assert_eq!(done.model.to_string(), "ollama:llama3.2");
    assert_eq!(done.response.text, "local answer");
    let notes = notes.into_inner().expect("notes");
    assert!(matches!(&notes[..], [Note::FallingBack { from, to, error }]
        if from == "openai:gpt-4o-mini" && to == "ollama:llama3.2" && error.class == ErrorClass::RateLimited));

    // Auth is not in fallback_on: the chain stops at the first model.
    openai.push([Reply::Fault(Fault::Unauthorized)]);
    let error = llm
        .complete(&call(&["openai:gpt-4o-mini", "ollama:llama3.2"], None), &mut |_| {}, &mut |_| {})
        .await
        .expect_err("auth stops the chain");
    assert_eq!(error.class, ErrorClass::Auth);
    assert_eq!(ollama.requests().len(), 1, "the fallback was not called again");
}

#[tokio::test]
async fn structured_output_is_native_where_supported_and_reasked_where_not() {
    let schema =
        json!({"type": "object", "properties": {"category": {"enum": ["bug", "feature"]}}, "required": ["category"]});
    // OpenAI: the schema goes in response_format.
    let openai = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    openai.push([Reply::text(r#"{"category": "bug"}"#)]);
    let llm = registry(&[("openai", &openai)]);
    let done = llm
        .complete(&call(&["openai:gpt-4o-mini"], Some(schema.clone())), &mut |_| {}, &mut |_| {})
        .await
        .expect("valid");
    assert_eq!(done.data, Some(json!({"category": "bug"})));
    assert_eq!(openai.requests()[0].body["response_format"]["json_schema"]["schema"], schema);
    assert_eq!(openai.requests()[0].body["response_format"]["json_schema"]["strict"], Value::Null, "an open schema");
    // A closed schema (every property required, no others allowed) asks for strict mode.
    let closed = json!({"type": "object", "additionalProperties": false, "required": ["category"],
        "properties": {"category": {"enum": ["bug", "feature"]}}});
    openai.push([Reply::text(r#"{"category": "feature"}"#)]);
    llm.complete(&call(&["openai:gpt-4o-mini"], Some(closed)), &mut |_| {}, &mut |_| {}).await.expect("valid");
    assert_eq!(openai.requests()[1].body["response_format"]["json_schema"]["strict"], json!(true));

    // Anthropic: an instruction, then validation; a wrong reply is sent back once.
    let anthropic = FakeServer::start(Vendor::Anthropic).await.expect("fake starts");
    anthropic
        .push([Reply::text(r#"{"category": "question"}"#), Reply::text("```json\n{\"category\": \"feature\"}\n```")]);
    let llm = registry(&[("anthropic", &anthropic)]);
    let mut notes = Vec::new();
    let done = llm
        .complete(&call(&["anthropic:claude-sonnet-4-5"], Some(schema.clone())), &mut |_| {}, &mut |n| notes.push(n))
        .await
        .expect("the re-ask fixes it");
    assert_eq!(done.data, Some(json!({"category": "feature"})));
    assert_eq!(done.usage.input_tokens, 20, "usage adds up over the re-ask");
    assert!(
        matches!(&notes[..], [Note::Reasking { attempt: 1, problem }] if problem.contains("category")),
        "{notes:?}"
    );
    let requests = anthropic.requests();
    assert!(requests[0].body["system"].as_str().is_some_and(|s| s.contains("JSON Schema")));
    let resent = requests[1].body["messages"].as_array().expect("messages");
    assert_eq!(resent.len(), 3, "the wrong reply and the problem are sent back");

    // Still wrong after the re-asks: invalid_output.
    anthropic.push([Reply::text("no"), Reply::text("still no"), Reply::text("nope")]);
    let error = llm
        .complete(&call(&["anthropic:claude-sonnet-4-5"], Some(schema)), &mut |_| {}, &mut |_| {})
        .await
        .expect_err("never valid");
    assert_eq!(error.class, ErrorClass::InvalidOutput);
    assert!(error.message.contains("2 re-asks"), "{error}");
}

#[tokio::test]
async fn invalid_tool_arguments_are_reported_not_dropped() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    server.push([Reply::ToolCalls(vec![("read_file".into(), r#"{"path": "a.txt""#.into())])]);
    let llm = registry(&[("openai", &server)]);
    let (result, _) = chat(&llm, "openai:gpt-4o-mini", &request("read")).await;
    let call = &result.expect("the reply itself is fine").tool_calls[0];
    assert!(call.arguments_error.as_deref().is_some_and(|e| e.contains("not valid JSON")), "{call:?}");
    assert_eq!(call.arguments, json!(r#"{"path": "a.txt""#));
}

#[tokio::test]
async fn cost_follows_the_price_table() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    server.push([Reply::Text { text: "x".into(), usage: (1_000_000, 1_000_000, 0) }]);
    let llm = registry(&[("openai", &server)]);
    let done = llm.complete(&call(&["openai:gpt-4o-mini"], None), &mut |_| {}, &mut |_| {}).await.expect("answers");
    let cost = done.cost_usd.expect("gpt-4o-mini has a price");
    assert!((cost - 0.75).abs() < 1e-9, "0.15 + 0.60 per million: {cost}");
    assert!(llm.provider("openai").expect("known").api == Api::Openai);
}

#[tokio::test]
async fn check_lists_models_with_the_key() {
    for (vendor, name, _) in VENDORS {
        let server = FakeServer::start(vendor).await.expect("fake starts");
        let llm = registry(&[(name, &server)]);
        llm.check(name).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(server.requests()[0].method, "GET", "{name}");
    }
}

#[tokio::test]
async fn a_registry_follows_its_settings_file_without_a_restart() {
    let first = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let second = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let dir = std::env::temp_dir().join(format!("floe-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("folder");
    let path = dir.join("settings.json");
    let write = |base: &str, timeout: &str| {
        let text = json!({"providers": {"ollama": {"base_url": base, "timeout": timeout}}}).to_string();
        std::fs::write(&path, text).expect("settings written");
    };
    write(&first.base_url(), "5s");
    let llm = Llm::following(&path).with_keys(Arc::new(|_| None));
    let (reply, _) = chat(&llm, "ollama:llama3.2", &request("hi")).await;
    assert!(reply.is_ok(), "{reply:?}");
    write(&second.base_url(), "10s");
    let (reply, _) = chat(&llm, "ollama:llama3.2", &request("hi")).await;
    assert!(reply.is_ok(), "{reply:?}");
    assert_eq!((first.requests().len(), second.requests().len()), (1, 1), "the second call went to the new base URL");
    // A broken file: every call says so (and where), until it is fixed.
    std::fs::write(&path, "{\"providers\": ").expect("broken");
    let (reply, _) = chat(&llm, "ollama:llama3.2", &request("hi")).await;
    let error = reply.expect_err("the settings cannot be used");
    assert!(error.message.contains("settings.json") && error.message.contains("fix the settings file"), "{error}");
    write(&second.base_url(), "10s");
    assert!(chat(&llm, "ollama:llama3.2", &request("hi")).await.0.is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A registry with one provider `name` at `base_url`, whose key lookups are counted.
fn pointed_at(name: &str, base_url: &str, lookups: Arc<Mutex<usize>>) -> Llm {
    let mut settings = Settings::default();
    settings.providers.insert(
        name.to_owned(),
        ProviderSettings { base_url: Some(base_url.to_owned()), timeout: Some("3s".into()), ..Default::default() },
    );
    Llm::new(settings, Prices::builtin()).with_keys(Arc::new(move |_| {
        *lookups.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        Some(Secret::new("sk-test-key"))
    }))
}

/// A loopback port that was free a moment ago and has nothing listening now.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn connection_failures_are_said_as_a_person_would() {
    let lookups = Arc::new(Mutex::new(0));
    let port = closed_port();
    // Ollama that is not running.
    let llm = pointed_at("ollama", &format!("http://127.0.0.1:{port}"), lookups.clone());
    let (result, _) = chat(&llm, "ollama:llama3.2", &request("hi")).await;
    let error = result.expect_err("nothing listens");
    assert_eq!(error.class, ErrorClass::Network);
    assert_eq!(
        error.message,
        format!("Ollama is not running at 127.0.0.1:{port}: start it with `ollama serve`, or choose another model")
    );
    // Ollama needs no key: the keychain is never asked.
    assert_eq!(*lookups.lock().unwrap_or_else(std::sync::PoisonError::into_inner), 0);

    // (Another server that refuses: `an_unreachable_provider_is_a_network_error_naming_the_fix`.)

    // A host that does not exist.
    let llm = pointed_at("openai", "http://floe-test.invalid/v1", lookups.clone());
    let (result, _) = chat(&llm, "openai:gpt-4o-mini", &request("hi")).await;
    let message = result.expect_err("no such host").message;
    assert!(
        message.starts_with("openai: the host `floe-test.invalid` of its base URL could not be found"),
        "{message}"
    );

    // https to a server that speaks plain HTTP.
    let server = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    let plain = server.base_url();
    let llm = pointed_at("openai", &plain.replacen("http://", "https://", 1), lookups.clone());
    let (result, _) = chat(&llm, "openai:gpt-4o-mini", &request("hi")).await;
    let message = result.expect_err("no TLS there").message;
    assert!(
        message.contains("a secure (TLS) connection to 127.0.0.1:") && message.contains("must start with http://"),
        "{message}"
    );
}

#[tokio::test]
async fn every_vendor_lists_its_models_once_until_a_refresh() {
    let mut fakes = Vec::new();
    for (vendor, name, model) in VENDORS {
        fakes.push((name, model, FakeServer::start(vendor).await.expect("fake starts")));
    }
    let servers: Vec<(&str, &FakeServer)> = fakes.iter().map(|(name, _, server)| (*name, server)).collect();
    let mut llm = registry(&servers);
    // An OpenAI-compatible endpoint the user added, and a DeepSeek with no key.
    let compat = FakeServer::start(Vendor::Openai).await.expect("fake starts");
    let mut settings = llm.settings();
    settings.providers.insert(
        "office".into(),
        ProviderSettings { api: Some(Api::OpenaiCompatible), base_url: Some(compat.base_url()), ..Default::default() },
    );
    llm = Llm::new(settings, Prices::builtin())
        .with_keys(Arc::new(|name| (name != "deepseek").then(|| Secret::new("k"))));
    let listed = llm.models(false).await.expect("settings are fine");
    for (name, model, _) in &fakes {
        let entry = listed.iter().find(|p| p.provider == *name).unwrap_or_else(|| panic!("{name} is listed"));
        assert_eq!(entry.error, None, "{name}");
        assert!(
            entry.models.iter().any(|m| m.id == format!("{name}:{model}") || m.model.starts_with(model)),
            "{entry:?}"
        );
    }
    let gemini = listed.iter().find(|p| p.provider == "gemini").map(|p| p.models[0].clone());
    assert_eq!(gemini.and_then(|m| m.context), Some(1_048_576));
    let openai = listed.iter().find(|p| p.provider == "openai").map(|p| p.models[0].clone());
    assert!(openai.and_then(|m| m.price).is_some_and(|p| p.input > 0.0), "prices come from the table");
    let office = listed.iter().find(|p| p.provider == "office").expect("the added endpoint is listed");
    assert_eq!(office.models.first().map(|m| m.id.as_str()), Some("office:gpt-4o-mini"));
    let deepseek = listed.iter().find(|p| p.provider == "deepseek").expect("deepseek is listed");
    assert!(deepseek.error.as_deref().is_some_and(|e| e.contains("no API key for deepseek")), "{deepseek:?}");
    // Read once: asking again without a refresh does not call the provider.
    let calls = |server: &FakeServer| server.requests().len();
    let before = calls(&compat);
    let _ = llm.models(false).await;
    assert_eq!(calls(&compat), before);
    let _ = llm.models(true).await;
    assert_eq!(calls(&compat), before + 1);
}
