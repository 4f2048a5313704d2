// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    // `floe-app [FOLDER] [LINK]` opens that folder of blueprints, and a `floe://run/<id>` link
    // (how the desktop starts the app for a link: with the link alone).
    let (links, folders): (Vec<_>, Vec<_>) =
        std::env::args_os().skip(1).partition(|arg| arg.to_str().is_some_and(|a| a.starts_with("floe://")));
    let folder = folders.into_iter().next().map(std::path::PathBuf::from);
    let link = links.into_iter().next().and_then(|l| l.into_string().ok());
    match floe_app_lib::start(folder, link) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}
