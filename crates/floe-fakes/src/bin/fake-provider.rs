//! A fake model vendor on loopback, for the UI's end-to-end tests and benches: it speaks one
//! vendor's real wire format and streams every reply at a set pace. Prints `{"base_url": …}` on
//! stdout once it listens; runs until killed.

use std::io::Write;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use floe_fakes::{FakeServer, Reply, Vendor};

#[derive(Clone, Copy, ValueEnum)]
enum Api {
    Openai,
    Anthropic,
    Gemini,
    Ollama,
}

/// Serve a fake model vendor on 127.0.0.1.
#[derive(Parser)]
struct Args {
    /// The wire format to speak.
    vendor: Api,
    /// The text of every reply.
    #[arg(long, default_value = "A short answer from the fake model.")]
    text: String,
    /// Into how many deltas each reply is split.
    #[arg(long, default_value_t = 8)]
    pieces: usize,
    /// The pause before each delta, in milliseconds (20 = 50 deltas a second).
    #[arg(long, default_value_t = 20)]
    piece_delay_ms: u64,
    /// Replies to requests whose body contains a text, first match wins, as a JSON array of
    /// `{"when": TEXT, "text": REPLY}` or `{"when": TEXT, "tool": NAME, "arguments": {…}}`
    /// (a tool call, for agents).
    #[arg(long, value_name = "JSON")]
    rules: Option<String>,
}

/// One of `--rules`.
#[derive(serde::Deserialize)]
struct Rule {
    when: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    arguments: serde_json::Value,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let vendor = match args.vendor {
        Api::Openai => Vendor::Openai,
        Api::Anthropic => Vendor::Anthropic,
        Api::Gemini => Vendor::Gemini,
        Api::Ollama => Vendor::Ollama,
    };
    let server = FakeServer::start(vendor).await?;
    server.set_fallback(Reply::text(&args.text));
    server.set_pieces(args.pieces);
    server.set_piece_delay(Duration::from_millis(args.piece_delay_ms));
    let rules: Vec<Rule> = match &args.rules {
        Some(text) => serde_json::from_str(text).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("--rules is not a JSON array of rules: {e}"))
        })?,
        None => Vec::new(),
    };
    for rule in rules {
        let reply = match (rule.tool, rule.text) {
            (Some(tool), _) => Reply::tool(&tool, rule.arguments),
            (None, Some(text)) => Reply::text(&text),
            (None, None) => Reply::text(&args.text),
        };
        server.rule(&rule.when, reply);
    }
    // Data on stdout, one line, flushed: the caller waits for it.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::json!({ "base_url": server.base_url() }))?;
    out.flush()?;
    drop(out);
    std::future::pending::<()>().await;
    Ok(())
}
