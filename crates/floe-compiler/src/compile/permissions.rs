//! The permission gate for agents: a tool from an MCP server (a catalogue tool whose source is
//! `mcp:<server>`), or one of Floe's own that check and run workflows (source `floe`), may be
//! listed in an agent's `tools` only when the blueprint names the server (or `floe`) in
//! `run.agent_tools`. The model picks an agent's calls and arguments, so what it may reach is
//! the blueprint author's decision, written in the blueprint and visible in review; `tool` nodes
//! spell out their calls and are not gated.

use floe_blueprint::{Fix, PatchOp};

use super::*;

impl Compiler<'_, '_> {
    pub(super) fn agent_tool_permissions(&mut self) {
        let allowed = &self.blueprint.run.agent_tools;
        let mut found = Vec::new();
        for info in &self.infos {
            if info.node.kind != "agent" {
                continue;
            }
            for (pointer, name) in floe_blueprint::catalog::kinds::agent::builtin_tools(info.node.config_map()) {
                // A tool of an MCP server, or of Floe itself (it checks and runs workflows).
                let source = self.catalog.tool(name).map(|t| t.source.as_str()).unwrap_or_default();
                let Some(server) = source.strip_prefix("mcp:").or((source == "floe").then_some("floe")) else {
                    continue;
                };
                if allowed.iter().any(|a| a == server) {
                    continue;
                }
                let patch = if self.blueprint.run.agent_tools.is_empty() {
                    PatchOp::Add { path: "/run/agent_tools".into(), value: json!([server]) }
                } else {
                    PatchOp::Add { path: "/run/agent_tools/-".into(), value: json!(server) }
                };
                let mut fix = Fix { title: format!("allow agents the tools of `{server}`"), patch: vec![patch] };
                if self.blueprint.run.is_empty() {
                    fix.patch = vec![PatchOp::Add { path: "/run".into(), value: json!({"agent_tools": [server]}) }];
                }
                found.push(
                    Diagnostic::new(
                        Code::ToolNotAllowed,
                        format!("{}/config{pointer}", info.pointer),
                        if server == "floe" {
                            format!(
                                "agent `{}` lists `{name}`, which checks or runs workflows, and this blueprint does not allow its agents Floe's own tools",
                                info.node.id
                            )
                        } else {
                            format!(
                                "agent `{}` lists `{name}`, a tool of the MCP server `{server}`, which this blueprint does not allow its agents",
                                info.node.id
                            )
                        },
                        format!("if the agent's model may call `{server}`'s tools, add \"{server}\" to `run.agent_tools`; or call the tool from a `tool` node"),
                    )
                    .node(info.node.id.as_str())
                    .fix(fix),
                );
            }
        }
        for diagnostic in found {
            self.push(diagnostic);
        }
    }
}
