// Settings → MCP servers: the servers whose tools workflows may call. Each shows how it is
// reached, its tools (as workflows name them: `<server>__<tool>`) and, when it could not be
// reached, why. A server is added by its command (spoken to over stdio) or its URL (streamable
// HTTP), or by pasting Claude Desktop's or Cursor's configuration as it is. The palette lists
// their tools once they are connected.
import { useEffect, useState } from "react";
import type { Backend } from "../backend/backend";
import type { Answer } from "../generated/client";
import { useCatalog } from "../store";

type Server = Answer<"mcp_servers">[number];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `KEY=VALUE` (or `Name: value`) lines as an object; blank lines skipped. */
export function pairs(text: string, separator: "=" | ":"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(separator);
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function McpSettings({ backend }: { backend: Backend }) {
  const [servers, setServers] = useState<Server[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState("");
  const [reach, setReach] = useState<"command" | "url">("command");
  const [command, setCommand] = useState("");
  const [args, setArgs] = useState("");
  const [env, setEnv] = useState("");
  const [url, setUrl] = useState("");
  const [headers, setHeaders] = useState("");
  const [timeout, setTimeoutText] = useState("");
  const [pasted, setPasted] = useState("");

  useEffect(() => {
    backend.mcpServers().then(setServers, (e) => setError(message(e)));
  }, [backend]);

  /** Applies a change; the answer is every server, connected again. */
  const apply = async (change: () => Promise<Server[]>) => {
    setBusy(true);
    try {
      setServers(await change());
      setError(null);
      // Their tools join (or leave) the palette.
      await useCatalog.getState().load(backend);
      return true;
    } catch (e) {
      setError(message(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    const settings =
      reach === "command"
        ? { command: command.trim(), args: args.split("\n").map((a) => a.trim()).filter(Boolean), env: pairs(env, "=") }
        : { url: url.trim(), headers: pairs(headers, ":") };
    if (await apply(() => backend.setMcpServer(name.trim(), { ...settings, ...(timeout.trim() ? { timeout: timeout.trim() } : {}) }))) {
      setName("");
      setCommand("");
      setArgs("");
      setEnv("");
      setUrl("");
      setHeaders("");
      setTimeoutText("");
    }
  };

  return (
    <div className="provider-form mcp-settings">
      <h3>MCP servers</h3>
      <p className="hint">
        Tools of MCP servers join the palette as <code>server__tool</code>; <code>tool</code> nodes call them and agents can use them. Their schemas are kept, so blueprints
        check while a server is down.
      </p>
      {error && (
        <p className="settings-error" role="alert">
          {error}
        </p>
      )}
      {servers === null ? (
        <p className="hint">Loading…</p>
      ) : servers.length === 0 ? (
        <p className="hint">No MCP server yet.</p>
      ) : (
        <ul className="mcp-servers" aria-label="MCP servers">
          {servers.map((server) => (
            <li key={server.name} className="mcp-server">
              <div className="mcp-server-head">
                <strong>{server.name}</strong>
                <code>{server.settings.url ?? [server.settings.command, ...(server.settings.args ?? [])].join(" ")}</code>
                <button className="danger" disabled={busy} onClick={() => void apply(() => backend.removeMcpServer(server.name))}>
                  Remove
                </button>
              </div>
              {server.problem && <p className="mcp-problem">{server.problem}</p>}
              {server.tools.length === 0 ? (
                <p className="hint">No tools.</p>
              ) : (
                <ul className="mcp-tools" aria-label={`Tools of ${server.name}`}>
                  {server.tools.map((tool) => (
                    <li key={tool}>
                      <code>{tool}</code>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <fieldset className="key-box">
        <legend>Add a server</legend>
        <div className="form-grid">
          <label htmlFor="mcp-name">Name</label>
          <input id="mcp-name" value={name} placeholder="e.g. github" onChange={(e) => setName(e.target.value)} />
          <span>Reached by</span>
          <div className="mcp-reach" role="radiogroup" aria-label="Reached by">
            <label>
              <input type="radio" checked={reach === "command"} onChange={() => setReach("command")} /> a command (stdio)
            </label>
            <label>
              <input type="radio" checked={reach === "url"} onChange={() => setReach("url")} /> a URL (streamable HTTP)
            </label>
          </div>
          {reach === "command" ? (
            <>
              <label htmlFor="mcp-command">Command</label>
              <input id="mcp-command" value={command} placeholder="npx" onChange={(e) => setCommand(e.target.value)} />
              <label htmlFor="mcp-args">Arguments</label>
              <textarea id="mcp-args" rows={2} value={args} placeholder="one per line" onChange={(e) => setArgs(e.target.value)} />
              <label htmlFor="mcp-env">Environment</label>
              <textarea id="mcp-env" rows={2} value={env} placeholder="KEY=value, one per line" onChange={(e) => setEnv(e.target.value)} />
            </>
          ) : (
            <>
              <label htmlFor="mcp-url">URL</label>
              <input id="mcp-url" value={url} placeholder="http://127.0.0.1:3001/mcp" onChange={(e) => setUrl(e.target.value)} />
              <label htmlFor="mcp-headers">Headers</label>
              <textarea id="mcp-headers" rows={2} value={headers} placeholder="Authorization: Bearer …, one per line" onChange={(e) => setHeaders(e.target.value)} />
            </>
          )}
          <label htmlFor="mcp-timeout">Timeout</label>
          <input id="mcp-timeout" value={timeout} placeholder="60s" onChange={(e) => setTimeoutText(e.target.value)} />
        </div>
        <div className="provider-actions">
          <button className="primary" disabled={busy || !name.trim() || (reach === "command" ? !command.trim() : !url.trim())} onClick={() => void add()}>
            {busy ? "Connecting…" : "Add server"}
          </button>
        </div>
      </fieldset>
      <fieldset className="key-box">
        <legend>Or paste a Claude Desktop or Cursor configuration</legend>
        <textarea aria-label="MCP configuration" className="mono mcp-paste" rows={4} value={pasted} placeholder={'{"mcpServers": {"files": {"command": "npx", "args": ["-y", "…"]}}}'} onChange={(e) => setPasted(e.target.value)} />
        <div className="provider-actions">
          <button disabled={busy || !pasted.trim()} onClick={() => void apply(() => backend.addMcpServers(pasted)).then((ok) => ok && setPasted(""))}>
            Add these servers
          </button>
        </div>
      </fieldset>
    </div>
  );
}
