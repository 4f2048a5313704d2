// A run's inputs: the form generated from the blueprint's declared inputs, by type, remembering the last values per blueprint.
import { useState } from "react";
import type { RunInput } from "../../generated/blueprint";

/** The inputs last used for a blueprint, remembered per blueprint id. */
export function rememberedInputs(blueprint: string): Record<string, unknown> {
  try {
    return JSON.parse(localStorage.getItem(`floe.inputs.${blueprint}`) ?? "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}

function remember(blueprint: string, inputs: Record<string, unknown>) {
  localStorage.setItem(`floe.inputs.${blueprint}`, JSON.stringify(inputs));
}

/** Text a field shows for a value of `type`. */
function toText(value: unknown, type: RunInput["type"]): string {
  if (value === undefined || value === null) return "";
  if (type === "string" && typeof value === "string") return value;
  if ((type === "number" || type === "integer") && typeof value === "number") return String(value);
  return JSON.stringify(value, null, 2);
}

/** A field's text read by the input's type; throws with what to type instead. */
function fromText(name: string, text: string, type: RunInput["type"]): unknown {
  switch (type) {
    case "string":
      return text;
    case "number":
    case "integer": {
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n) || (type === "integer" && !Number.isInteger(n))) throw new Error(`${name}: type ${type === "integer" ? "a whole number" : "a number"}`);
      return n;
    }
    case "boolean":
      return text === "true";
    default:
      try {
        return JSON.parse(text);
      } catch {
        if (type === "any" || type === undefined) return text;
        throw new Error(`${name}: type JSON (an ${type})`);
      }
  }
}

/** The run-inputs form, generated from the blueprint's inputs; resolves with the values, or null when cancelled. */
export function RunInputsDialog({
  blueprint,
  inputs,
  onDone,
}: {
  blueprint: string;
  inputs: Record<string, RunInput>;
  onDone: (values: Record<string, unknown> | null) => void;
}) {
  const names = Object.keys(inputs);
  const [texts, setTexts] = useState<Record<string, string>>(() => {
    const last = rememberedInputs(blueprint);
    return Object.fromEntries(names.map((name) => [name, toText(name in last ? last[name] : inputs[name].default, inputs[name].type)]));
  });
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    try {
      const values: Record<string, unknown> = {};
      for (const name of names) {
        const text = texts[name];
        // An empty field takes the input's default (when it has one).
        if (text === "" && inputs[name].default !== undefined && inputs[name].type !== "string") continue;
        values[name] = fromText(name, text, inputs[name].type);
      }
      remember(blueprint, values);
      onDone(values);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onDone(null)}>
      <form
        className="modal-body run-inputs"
        role="dialog"
        aria-label="Run inputs"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onDone(null);
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      >
        <h2>Run inputs</h2>
        {names.map((name, i) => {
          const input = inputs[name];
          const type = input.type ?? "any";
          return (
            <label key={name} className="run-input">
              <span className="name">
                {name} <span className="type">{type}</span>
              </span>
              {input.description && <span className="hint">{input.description}</span>}
              {type === "boolean" ? (
                <input
                  type="checkbox"
                  name={name}
                  checked={texts[name] === "true"}
                  onChange={(e) => setTexts({ ...texts, [name]: String(e.target.checked) })}
                  autoFocus={i === 0}
                />
              ) : type === "number" || type === "integer" ? (
                <input type="number" name={name} value={texts[name]} onChange={(e) => setTexts({ ...texts, [name]: e.target.value })} autoFocus={i === 0} />
              ) : (
                <textarea
                  name={name}
                  rows={type === "string" ? 2 : 4}
                  value={texts[name]}
                  placeholder={type === "string" ? "" : "JSON"}
                  onChange={(e) => setTexts({ ...texts, [name]: e.target.value })}
                  autoFocus={i === 0}
                />
              )}
            </label>
          );
        })}
        {error && <div className="error">{error}</div>}
        <div className="modal-actions">
          <span className="hint">Ctrl+Enter runs</span>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Run
          </button>
        </div>
      </form>
    </div>
  );
}
