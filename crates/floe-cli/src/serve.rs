//! `floe serve`: the app's API (and the built UI) over HTTP + WebSocket on 127.0.0.1, for the
//! browser mode and the end-to-end tests. Prints the URL to open (with its per-launch token).

use std::io::Write;
use std::path::PathBuf;

use crate::Outcome;
use crate::run::StoreArgs;

/// `floe serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The workspace folder of blueprints.
    #[arg(default_value = ".")]
    folder: PathBuf,
    /// Port on 127.0.0.1 (default: any free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The built UI to serve (default: `ui/dist` beside the binary's source tree when it exists).
    #[arg(long, value_name = "DIR")]
    ui: Option<PathBuf>,
    /// Print the address and token as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs the server until interrupted.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = args.store.open().await?;
        let api = floe_api::Api::new(&args.folder, store)?;
        let ui = args.ui.clone().or_else(|| {
            let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
            built.join("index.html").is_file().then_some(built)
        });
        let bound =
            floe_api::serve::bind(api, floe_api::serve::ServeOptions { port: args.port, token: None, ui }).await?;
        {
            let mut out = std::io::stdout().lock();
            if args.json {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"url": bound.url(), "addr": bound.addr, "token": bound.token}),
                )?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", bound.url())?;
            }
            out.flush()?;
        }
        note!("serving {} on {} (Ctrl-C stops)", args.folder.display(), bound.addr);
        tokio::select! {
            served = bound.run() => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(Outcome::Ok)
    })
}
