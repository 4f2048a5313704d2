// Settings: the model providers and the default model. Each provider shows where its key comes
// from (stored in the OS keychain, from an environment variable, missing; never the key itself),
// its base URL, organisation, timeout and concurrency, and a Test button that makes one cheap
// call. Keys are written to the keychain through the API and never read back. Endpoints speaking
// the OpenAI API (LM Studio, vLLM, a company gateway) are added here too.
import { useEffect, useState } from "react";
import { create } from "zustand";
import type { Backend } from "../backend/backend";
import type { Answer } from "../generated/client";
import { McpSettings } from "./McpSettings";
import { ModelPicker, useModels } from "./ModelPicker";

type View = Answer<"settings">;
type Provider = View["providers"][number];
type Test = Answer<"test_provider">;

interface SettingsState {
  open: boolean;
  /** The provider shown (null: the first one). */
  selected: string | null;
  view: View | null;
  error: string | null;
  tests: Record<string, Test | "testing">;
  /** Opens the screen, at `provider` when given. */
  show(provider?: string | null): void;
  close(): void;
}

export const useSettings = create<SettingsState>((set) => ({
  open: false,
  selected: null,
  view: null,
  error: null,
  tests: {},
  show: (provider = null) => set((s) => ({ open: true, selected: provider ?? s.selected, error: null })),
  close: () => set({ open: false }),
}));

const LABELS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  gemini: "Google Gemini",
  ollama: "Ollama",
  deepseek: "DeepSeek",
  groq: "Groq",
  mistral: "Mistral",
  openrouter: "OpenRouter",
  together: "Together AI",
  lmstudio: "LM Studio",
  vllm: "vLLM",
};

/** The provider's name as people write it. */
export function providerLabel(name: string): string {
  return LABELS[name] ?? name;
}

/** Where the key comes from, in words. */
export function keyText(provider: Provider): string {
  switch (provider.key) {
    case "stored":
      return "Key stored in the keychain";
    case "env":
      return `Key from ${provider.env_var}`;
    case "not_needed":
      return "Local: no key needed";
    default:
      return "No key";
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function SettingsScreen({ backend }: { backend: Backend }) {
  const { open, selected, view, error, tests } = useSettings();
  const [adding, setAdding] = useState(false);
  const [mcp, setMcp] = useState(false);

  useEffect(() => {
    if (!open) return;
    backend.settings().then(
      (view) => useSettings.setState({ view, error: view.problem ?? null }),
      (e) => useSettings.setState({ error: message(e) }),
    );
  }, [open, backend]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") useSettings.getState().close();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  if (!open) return null;
  const providers = view?.providers ?? [];
  const current = providers.find((p) => p.name === selected) ?? providers[0];

  /** Applies a change; the answer is the new state of every provider. */
  const apply = async (change: () => Promise<View>) => {
    try {
      const next = await change();
      useSettings.setState({ view: next, error: next.problem ?? null });
      // Keys, base URLs and the default change what each provider lists.
      void useModels.getState().ensure(true);
      return true;
    } catch (e) {
      useSettings.setState({ error: message(e) });
      return false;
    }
  };

  const test = async (name: string) => {
    useSettings.setState((s) => ({ tests: { ...s.tests, [name]: "testing" } }));
    try {
      const result = await backend.testProvider(name);
      useSettings.setState((s) => ({ tests: { ...s.tests, [name]: result } }));
      if (result.ok) void useModels.getState().ensure(true);
    } catch (e) {
      useSettings.setState((s) => ({ tests: { ...s.tests, [name]: { ok: false, message: message(e), models: 0, elapsed_ms: 0 } } }));
    }
  };

  return (
    <div className="modal settings-modal" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && useSettings.getState().close()}>
      <section className="settings" role="dialog" aria-label="Settings">
        <header className="settings-head">
          <h2>Settings</h2>
          <button className="icon-button" onClick={() => useSettings.getState().close()} aria-label="Close settings" title="Close (Esc)">
            ✕
          </button>
        </header>
        <DefaultModel view={view} onChoose={(model) => apply(() => backend.setDefaultModel(model))} />
        {error && (
          <p className="settings-error" role="alert">
            {error}
          </p>
        )}
        <div className="settings-body">
          <nav className="provider-list" aria-label="Providers">
            {providers.map((p) => (
              <button
                key={p.name}
                className={p.name === current?.name && !adding && !mcp ? "provider-item active" : "provider-item"}
                onClick={() => {
                  setAdding(false);
                  setMcp(false);
                  useSettings.setState({ selected: p.name });
                }}
              >
                <span className="provider-name">{providerLabel(p.name)}</span>
                <span className={`key-state key-${p.key}`}>{p.key === "not_needed" ? "local" : p.key === "missing" ? "no key" : p.key === "env" ? "env" : "key"}</span>
              </button>
            ))}
            <button
              className={adding ? "provider-item add active" : "provider-item add"}
              onClick={() => {
                setMcp(false);
                setAdding(true);
              }}
            >
              + Add endpoint
            </button>
            <button
              className={mcp ? "provider-item mcp-item active" : "provider-item mcp-item"}
              onClick={() => {
                setAdding(false);
                setMcp(true);
              }}
            >
              <span className="provider-name">MCP servers</span>
            </button>
          </nav>
          <div className="provider-detail">
            {mcp ? (
              <McpSettings backend={backend} />
            ) : adding ? (
              <AddEndpoint
                onAdd={async (name, settings) => {
                  if (await apply(() => backend.setProvider(name, settings))) {
                    setAdding(false);
                    useSettings.setState({ selected: name });
                  }
                }}
              />
            ) : (
              current && (
                <ProviderForm
                  key={current.name}
                  provider={current}
                  test={tests[current.name]}
                  onTest={() => void test(current.name)}
                  onSave={(settings) => apply(() => backend.setProvider(current.name, settings))}
                  onRemove={() => apply(() => backend.removeProvider(current.name))}
                  onSetKey={(key) => apply(() => backend.setKey(current.name, key))}
                  onDeleteKey={() => apply(() => backend.deleteKey(current.name))}
                />
              )
            )}
          </div>
        </div>
        <footer className="settings-foot">
          {view?.path && <span title="Settings are written here (keys go to the OS keychain)">{view.path}</span>}
        </footer>
      </section>
    </div>
  );
}

function DefaultModel({ view, onChoose }: { view: View | null; onChoose: (model: string | null) => Promise<boolean> }) {
  const ensure = useModels((s) => s.ensure);
  useEffect(() => void ensure(), [ensure]);
  return (
    <div className="default-model">
      <label htmlFor="default-model">Default model</label>
      <div className="default-model-field">
        <ModelPicker
          id="default-model"
          value={view?.default_model ?? ""}
          invalid={false}
          onCommit={(model) => {
            if ((model ?? null) !== (view?.default_model ?? null)) void onChoose(model ?? null);
          }}
        />
      </div>
      <p className="hint">
        {view?.default_model_from_env
          ? "Set by FLOE_DEFAULT_MODEL, which wins over this setting."
          : view?.default_model
            ? "Nodes whose model is “default” call it (a blueprint may choose its own)."
            : "No default yet: pick one, and every example runs on it."}
      </p>
    </div>
  );
}

function ProviderForm({
  provider,
  test,
  onTest,
  onSave,
  onRemove,
  onSetKey,
  onDeleteKey,
}: {
  provider: Provider;
  test: Test | "testing" | undefined;
  onTest: () => void;
  onSave: (settings: Provider["settings"]) => Promise<boolean>;
  onRemove: () => Promise<boolean>;
  onSetKey: (key: string) => Promise<boolean>;
  onDeleteKey: () => Promise<boolean>;
}) {
  const [baseUrl, setBaseUrl] = useState(provider.base_url);
  const [organization, setOrganization] = useState(provider.organization ?? "");
  const [timeout, setTimeoutText] = useState(provider.timeout);
  const [concurrency, setConcurrency] = useState(String(provider.concurrency));
  const [key, setKey] = useState("");
  const changed =
    baseUrl !== provider.base_url ||
    organization !== (provider.organization ?? "") ||
    timeout !== provider.timeout ||
    concurrency !== String(provider.concurrency);
  const save = () => {
    const settings: Provider["settings"] = { ...provider.settings };
    if (baseUrl !== provider.base_url) settings.base_url = baseUrl.trim();
    if (organization !== (provider.organization ?? "")) settings.organization = organization.trim() || undefined;
    if (timeout !== provider.timeout) settings.timeout = timeout.trim();
    if (concurrency !== String(provider.concurrency)) settings.concurrency = Number(concurrency);
    void onSave(settings);
  };
  const id = (field: string) => `provider-${provider.name}-${field}`;
  return (
    <div className="provider-form">
      <h3>
        {providerLabel(provider.name)}
        <span className="provider-api">{provider.api.replace("_", "-")}</span>
      </h3>
      {provider.needs_key ? (
        <fieldset className="key-box">
          <legend>API key</legend>
          <p className={`key-status key-${provider.key}`}>{keyText(provider)}</p>
          <form
            className="key-row"
            onSubmit={(e) => {
              e.preventDefault();
              if (key.trim()) void onSetKey(key).then((ok) => ok && setKey(""));
            }}
          >
            <input
              id={id("key")}
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder={provider.key === "stored" ? "Paste a new key to replace it" : "Paste the key"}
              aria-label={`${providerLabel(provider.name)} API key`}
              value={key}
              onChange={(e) => setKey(e.target.value)}
            />
            <button type="submit" className="primary" disabled={!key.trim()}>
              {provider.key === "stored" ? "Replace key" : "Save key"}
            </button>
            {provider.key === "stored" && (
              <button type="button" className="danger" onClick={() => void onDeleteKey()}>
                Delete key
              </button>
            )}
          </form>
          {provider.key === "env" && <p className="hint">{provider.env_var} is set when Floe starts; it wins over a stored key.</p>}
        </fieldset>
      ) : (
        <p className="key-status key-not_needed">Runs on this machine: no key needed.</p>
      )}
      <div className="form-grid">
        <label htmlFor={id("base")}>Base URL</label>
        <input id={id("base")} value={baseUrl} spellCheck={false} onChange={(e) => setBaseUrl(e.target.value)} />
        <label htmlFor={id("org")}>Organisation</label>
        <input id={id("org")} value={organization} placeholder="optional" spellCheck={false} onChange={(e) => setOrganization(e.target.value)} />
        <label htmlFor={id("timeout")}>Timeout</label>
        <input id={id("timeout")} value={timeout} spellCheck={false} onChange={(e) => setTimeoutText(e.target.value)} title="Longest wait for a reply's first byte and between chunks, e.g. 2m or 90s" />
        <label htmlFor={id("concurrency")}>Concurrency</label>
        <input id={id("concurrency")} type="number" min={1} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} title="Most calls in flight at once" />
      </div>
      <div className="provider-actions">
        <button onClick={onTest} disabled={test === "testing"} title="One cheap call: list the provider's models">
          {test === "testing" ? "Testing…" : "Test"}
        </button>
        <button className="primary" onClick={save} disabled={!changed}>
          Save
        </button>
        {(!provider.builtin || Object.keys(provider.settings).length > 0) && (
          <button className="danger" onClick={() => void onRemove()} title={provider.builtin ? "Back to Floe's own values" : "Remove this endpoint and its stored key"}>
            {provider.builtin ? "Reset" : "Remove"}
          </button>
        )}
      </div>
      {test && test !== "testing" && (
        <p className={test.ok ? "test-result ok" : "test-result failed"} role="status">
          {test.ok ? "✓ " : "✗ "}
          {test.message}
        </p>
      )}
    </div>
  );
}

function AddEndpoint({ onAdd }: { onAdd: (name: string, settings: Provider["settings"]) => void }) {
  const [name, setName] = useState("");
  const [baseUrl, setBaseUrl] = useState("http://127.0.0.1:1234/v1");
  const [needsKey, setNeedsKey] = useState(false);
  return (
    <form
      className="provider-form"
      onSubmit={(e) => {
        e.preventDefault();
        onAdd(name.trim(), { api: "openai_compatible", base_url: baseUrl.trim(), needs_key: needsKey });
      }}
    >
      <h3>Add an OpenAI-compatible endpoint</h3>
      <p className="hint">LM Studio, vLLM, llama.cpp's server, a company gateway: anything that speaks the OpenAI API.</p>
      <div className="form-grid">
        <label htmlFor="endpoint-name">Name</label>
        <input id="endpoint-name" value={name} placeholder="e.g. office-llm" spellCheck={false} onChange={(e) => setName(e.target.value.toLowerCase())} />
        <label htmlFor="endpoint-base">Base URL</label>
        <input id="endpoint-base" value={baseUrl} spellCheck={false} onChange={(e) => setBaseUrl(e.target.value)} />
        <label htmlFor="endpoint-key">Needs a key</label>
        <input id="endpoint-key" type="checkbox" checked={needsKey} onChange={(e) => setNeedsKey(e.target.checked)} />
      </div>
      <div className="provider-actions">
        <button type="submit" className="primary" disabled={!name.trim() || !baseUrl.trim()}>
          Add endpoint
        </button>
      </div>
      <p className="hint">Models are then written {name.trim() || "name"}:model-name.</p>
    </form>
  );
}
