// The model field of `llm` and `agent` nodes: a combobox over the models each provider lists
// (the `models` API: read once, refreshed on demand), grouped by provider, with the price per
// million tokens and the context size where known. Typing filters the list; any
// `provider:model` typed and committed (Enter, or leaving the field) is kept as written, so a
// model no provider lists can still be used. In a node's field the list starts with `default`
// (the blueprint's `default_model`, else the one chosen in Settings) and says what it is now.
import { useEffect, useId, useState } from "react";
import { create } from "zustand";
import type { Backend } from "../backend/backend";
import type { Answer } from "../generated/client";

type ProviderModels = Answer<"models">[number];
type ModelInfo = ProviderModels["models"][number];

interface ModelsState {
  backend: Backend | null;
  providers: ProviderModels[] | null;
  /** The default model chosen in Settings (null: none), read with the lists. */
  defaultModel: string | null;
  loading: boolean;
  error: string | null;
  /** The backend the lists are read from (set once by the shell). */
  attach(backend: Backend): void;
  /** Reads the lists the first time (or again, with `refresh`). */
  ensure(refresh?: boolean): Promise<void>;
}

export const useModels = create<ModelsState>((set, get) => ({
  backend: null,
  providers: null,
  defaultModel: null,
  loading: false,
  error: null,
  attach(backend) {
    if (get().backend !== backend) set({ backend, providers: null, error: null });
  },
  async ensure(refresh = false) {
    const { backend, loading, providers } = get();
    if (!backend || loading || (providers && !refresh)) return;
    set({ loading: true, error: null });
    try {
      const [providers, settings] = await Promise.all([backend.models(refresh), backend.settings()]);
      set({ providers, defaultModel: settings.default_model ?? null, loading: false });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e), loading: false });
    }
  },
}));

/** `$0.15 / $0.60 per 1M tokens`, `free`, or nothing when unknown. */
export function priceText(model: ModelInfo): string {
  const price = model.price;
  if (!price) return "";
  if (price.input === 0 && price.output === 0) return "free";
  const dollars = (n: number) => `$${n < 1 ? n.toFixed(2) : n.toFixed(n % 1 === 0 ? 0 : 2)}`;
  return `${dollars(price.input)} / ${dollars(price.output)} per 1M`;
}

/** `128k context`, `1M context`, or nothing when unknown. */
export function contextText(model: ModelInfo): string {
  const tokens = model.context;
  if (!tokens) return "";
  return tokens >= 1_000_000 ? `${+(tokens / 1_000_000).toFixed(1)}M context` : `${Math.round(tokens / 1000)}k context`;
}

/** The first clause of why a provider could not be listed, without its name: `no API key`,
 * `not running at 127.0.0.1:1234`, `Ollama is not running at …`. */
export function shortReason(provider: string, error: string): string {
  const own = error.startsWith(`${provider}: `) ? error.slice(provider.length + 2) : error;
  return own
    .split(/; |: /)[0]
    .replace(` for ${provider}`, "")
    .replace(/^nothing answers at (.*) \(connection refused\)$/, "not running at $1");
}

/** What `default` means where the picker is: the blueprint's own default, else Settings'. */
export interface DefaultChoice {
  /** The blueprint's `default_model`, when it sets one. */
  blueprint?: string | null;
}

/** The option that names the default model rather than a model. */
const DEFAULT_OPTION: ModelInfo = { id: "default", provider: "", model: "default", title: "Default model" };

export function ModelPicker({
  id,
  value,
  invalid,
  onCommit,
  offerDefault,
}: {
  id: string;
  value: string;
  invalid: boolean;
  onCommit: (value: string | undefined) => void;
  /** Offer `default` first (a node's model field; not the Settings field that chooses it). */
  offerDefault?: DefaultChoice;
}) {
  const { providers, defaultModel, loading, error, ensure } = useModels();
  const [draft, setDraft] = useState(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const list = useId();
  useEffect(() => setDraft(value), [value]);

  // While the text is the current value the whole list shows; typing filters it.
  const query = draft === value ? "" : draft.trim().toLowerCase();
  const groups = (providers ?? [])
    .map((group) => ({
      ...group,
      models: group.models.filter((m) => !query || m.id.toLowerCase().includes(query) || (m.title ?? "").toLowerCase().includes(query)),
    }))
    .filter((group) => group.models.length > 0);
  const showDefault = offerDefault !== undefined && (!query || "default".includes(query));
  const options = [...(showDefault ? [DEFAULT_OPTION] : []), ...groups.flatMap((group) => group.models)];
  const resolved = offerDefault?.blueprint
    ? `${offerDefault.blueprint} (this blueprint's default)`
    : defaultModel
      ? `${defaultModel} (chosen in Settings)`
      : "none chosen yet: choose one in Settings";
  // Providers that could not be listed come last, a line each (the whole reason on hover).
  const unavailable = query ? [] : (providers ?? []).filter((group) => group.models.length === 0 && group.error);

  const commit = (text: string) => {
    const next = text.trim();
    setDraft(next);
    setOpen(false);
    setActive(-1);
    if (next !== value) onCommit(next === "" ? undefined : next);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      void ensure();
      if (options.length === 0) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      commit(open && active >= 0 && options[active] ? options[active].id : draft);
    } else if (e.key === "Escape" && open) {
      e.stopPropagation();
      setOpen(false);
      setDraft(value);
    }
  };

  return (
    <div className="model-picker">
      <input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={list}
        aria-autocomplete="list"
        aria-activedescendant={open && active >= 0 ? `${list}-${active}` : undefined}
        className={invalid ? "invalid" : undefined}
        value={draft}
        placeholder="provider:model, or pick one"
        spellCheck={false}
        autoComplete="off"
        onFocus={() => {
          setOpen(true);
          void ensure();
        }}
        onChange={(e) => {
          setDraft(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onBlur={() => commit(draft)}
        onKeyDown={onKeyDown}
      />
      {open && (
        <div className="model-list" id={list} role="listbox" aria-label="Models">
          <div className="model-list-head">
            <span>{loading ? "Reading each provider's models…" : "Models your providers offer"}</span>
            <button
              type="button"
              className="link"
              disabled={loading}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => void ensure(true)}
              title="Read every provider's list again"
            >
              Refresh
            </button>
          </div>
          {error && <div className="model-error">{error}</div>}
          {showDefault && (
            <div role="group" aria-label="Default" className="model-group">
              <div
                id={`${list}-0`}
                role="option"
                aria-selected={active === 0}
                className={`model-option default-option${value === "default" ? " current" : ""}`}
                title={`default: ${resolved}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => commit("default")}
                onMouseEnter={() => setActive(0)}
              >
                <span className="model-name">default</span>
                <span className="model-meta">{resolved}</span>
              </div>
            </div>
          )}
          {groups.map((group) => (
            <div key={group.provider} role="group" aria-label={group.provider} className="model-group">
              <div className="model-provider">{group.provider}</div>
              {group.models.map((model) => {
                const index = options.indexOf(model);
                const meta = [priceText(model), contextText(model)].filter(Boolean).join(" · ");
                return (
                  <div
                    key={model.id}
                    id={`${list}-${index}`}
                    role="option"
                    aria-selected={index === active}
                    className={`model-option${model.id === value ? " current" : ""}`}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => commit(model.id)}
                    onMouseEnter={() => setActive(index)}
                  >
                    <span className="model-name">{model.title ?? model.model}</span>
                    {model.title && <span className="model-id">{model.model}</span>}
                    {meta && <span className="model-meta">{meta}</span>}
                  </div>
                );
              })}
            </div>
          ))}
          {unavailable.length > 0 && (
            <div className="model-unavailable" role="group" aria-label="Not available">
              <div className="model-provider">Not available</div>
              {unavailable.map((group) => (
                <div key={group.provider} className="model-reason" data-provider={group.provider} title={group.error ?? ""}>
                  <span className="model-name">{group.provider}</span>
                  <span className="model-meta">{shortReason(group.provider, group.error ?? "")}</span>
                </div>
              ))}
            </div>
          )}
          {!loading && providers && options.length === 0 && query && (
            <div className="hint model-none">No listed model matches; Enter keeps “{draft.trim()}” as typed.</div>
          )}
        </div>
      )}
    </div>
  );
}
