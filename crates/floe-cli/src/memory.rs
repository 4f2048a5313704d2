//! `floe memory`: what agents and workflows remember, in the run store: list namespaces or a
//! namespace's memories, search, show one with its history and provenance, forget, and export or
//! import JSON lines. Data goes to stdout (JSON with `--json`), messages to stderr.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use floe_engine::store::{Memory, NewMemory, Provenance, StoreError};

use crate::Outcome;
use crate::run::{StoreArgs, runtime};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: MemoryCommand,
    /// JSON output.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum MemoryCommand {
    /// List the namespaces, or one namespace's memories (pinned first, then newest).
    List {
        /// The namespace to list.
        namespace: Option<String>,
        /// How many memories.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Search a namespace's memories, best match first.
    Search {
        /// The namespace.
        namespace: String,
        /// What to look for, in words.
        query: String,
        /// How many results.
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
    /// One memory, with every value its fact has had and where each came from.
    Show {
        /// The memory's id.
        id: i64,
    },
    /// Forget a memory: hidden from search; with --hard, deleted with its history.
    Forget {
        /// The memory's id.
        id: i64,
        /// Delete it and its history for good.
        #[arg(long)]
        hard: bool,
    },
    /// Print a namespace's memories as JSON lines (one memory to write per line).
    Export {
        /// The namespace.
        namespace: String,
    },
    /// Write memories from JSON lines (a file, or - for stdin): all of them, or none if one is bad.
    Import {
        /// The file of JSON lines, as `export` writes them.
        file: PathBuf,
    },
}

/// A memory as `export` writes it: what `remember` needs to write it again (its provenance kept).
fn exported(memory: &Memory) -> NewMemory {
    NewMemory {
        namespace: memory.namespace.clone(),
        kind: memory.kind,
        subject: memory.subject.clone(),
        attribute: memory.attribute.clone(),
        text: memory.text.clone(),
        value: memory.value.clone(),
        tags: memory.tags.clone(),
        provenance: memory.provenance.clone(),
        call_key: None,
    }
}

fn line(memory: &Memory) -> String {
    let what = match (&memory.subject, &memory.attribute) {
        (Some(s), Some(a)) => format!("{s}.{a} "),
        (Some(s), None) => format!("{s} "),
        _ => String::new(),
    };
    let text: String = memory.text.chars().take(90).collect();
    format!("{:>6}  {:<10} {what}{text}", memory.id, format!("{:?}", memory.kind).to_lowercase())
}

/// Reads JSON lines into memories; a bad line is an error naming it, and nothing is read on.
fn read_lines(reader: impl BufRead, file: &str) -> anyhow::Result<Vec<NewMemory>> {
    let mut all = Vec::new();
    for (index, text) in reader.lines().enumerate() {
        let text = text.with_context(|| format!("{file}: cannot read line {}", index + 1))?;
        if text.trim().is_empty() {
            continue;
        }
        let memory: NewMemory = serde_json::from_str(&text).with_context(|| {
            format!("{file}, line {}: not a memory (a JSON object with namespace, kind and text, as `floe memory export` writes)", index + 1)
        })?;
        all.push(memory);
    }
    Ok(all)
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        let mut out = std::io::stdout().lock();
        match &args.command {
            MemoryCommand::List { namespace: None, .. } => {
                let spaces = store.memory_namespaces().await?;
                if args.json {
                    return crate::print_json(&spaces);
                }
                if spaces.is_empty() {
                    note!("no memories yet: agents and `memory_*` tool nodes write them");
                }
                for n in spaces {
                    writeln!(
                        out,
                        "{:<24} {:>7} memories  {:>9} of {} bytes",
                        n.name, n.memories, n.used_bytes, n.budget_bytes
                    )?;
                }
            }
            MemoryCommand::List { namespace: Some(namespace), limit } => {
                store.known_namespace(namespace).await?;
                let memories = store.list_memories(namespace, *limit, 0).await?;
                if args.json {
                    return crate::print_json(&memories);
                }
                for memory in &memories {
                    writeln!(out, "{}", line(memory))?;
                }
            }
            MemoryCommand::Search { namespace, query, limit } => {
                store.known_namespace(namespace).await?;
                // With an embedding model set, fused with similarity; one that cannot embed leaves
                // the search to keywords, and says so.
                let llm = floe_llm::Llm::from_default_settings().ok();
                let embedded = match &llm {
                    Some(llm) => floe_engine::tools::embed_for_memory(llm, query).await.unwrap_or_else(|why| {
                        note!("{why}; searching by keyword");
                        None
                    }),
                    None => None,
                };
                let embedded = embedded.as_ref().map(|(model, vector)| (model.as_str(), vector.as_slice()));
                let hits = store.search_memory_with(namespace, query, embedded, *limit).await?;
                if args.json {
                    return crate::print_json(&hits);
                }
                if hits.is_empty() {
                    note!("nothing in `{namespace}` matches");
                }
                for hit in &hits {
                    writeln!(out, "{}  ({:.2})", line(&hit.memory), hit.score)?;
                }
            }
            MemoryCommand::Show { id } => {
                let history = store.memory_history(*id).await?;
                if args.json {
                    return crate::print_json(&history);
                }
                for memory in &history {
                    let Provenance { run, node } = &memory.provenance;
                    writeln!(
                        out,
                        "{}  [{:?}] value {}  from {}{}",
                        line(memory),
                        memory.state,
                        memory.value,
                        run.as_deref().unwrap_or("a person"),
                        node.as_deref().map(|n| format!(" / {n}")).unwrap_or_default()
                    )?;
                }
            }
            MemoryCommand::Forget { id, hard } => {
                store.forget_memory(*id, *hard).await?;
                note!("{} memory {id}", if *hard { "deleted" } else { "forgot" });
            }
            MemoryCommand::Export { namespace } => {
                store.known_namespace(namespace).await?;
                let mut offset = 0;
                loop {
                    let page = store.list_memories(namespace, 1000, offset).await?;
                    for memory in &page {
                        writeln!(out, "{}", serde_json::to_string(&exported(memory))?)?;
                    }
                    if page.len() < 1000 {
                        break;
                    }
                    offset += 1000;
                }
            }
            MemoryCommand::Import { file } => {
                let name = file.display().to_string();
                let memories = if name == "-" {
                    read_lines(std::io::stdin().lock(), "stdin")?
                } else {
                    let opened = std::fs::File::open(file).with_context(|| format!("cannot open {name}"))?;
                    read_lines(std::io::BufReader::new(opened), &name)?
                };
                match store.remember_all(&memories).await {
                    Ok(written) => {
                        let added = written
                            .iter()
                            .filter(|w| !matches!(w, floe_engine::store::Written::Unchanged { .. }))
                            .count();
                        note!(
                            "imported {} memories ({added} new or changed, {} already there)",
                            written.len(),
                            written.len() - added
                        );
                    }
                    Err((index, StoreError::Refused(why))) => {
                        anyhow::bail!("{name}, memory {} of {}: {why}; nothing was imported", index + 1, memories.len())
                    }
                    Err((_, other)) => return Err(other.into()),
                }
            }
        }
        Ok(Outcome::Ok)
    })
}
