// What a person sees with no blueprint open (a first start, an empty folder): open an example,
// start a new blueprint, or set up a model, and whether a default model is chosen yet.
import { useEffect, useState } from "react";
import type { Backend } from "../backend/backend";
import { useWorkspace } from "../store";
import { useSettings } from "./Settings";

const COPYING = "Copying the examples…";

export function Welcome({ backend, onOpen, onNew }: { backend: Backend; onOpen: (path: string) => void; onNew: () => void }) {
  const entries = useWorkspace((s) => s.entries);
  const settingsOpen = useSettings((s) => s.open);
  const [model, setModel] = useState<string | null | undefined>(undefined);
  const [adding, setAdding] = useState<string | null>(null);

  // Read again when Settings closes: a default may have been chosen there.
  useEffect(() => {
    if (settingsOpen) return;
    backend.settings().then(
      (view) => setModel(view.default_model ?? null),
      () => setModel(null),
    );
  }, [backend, settingsOpen]);

  const examples = entries.slice(0, 6);
  const addExamples = async () => {
    setAdding(COPYING);
    try {
      await backend.addExamples();
      await useWorkspace.getState().refresh(backend);
      setAdding(null);
    } catch (e) {
      setAdding(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="welcome" role="region" aria-label="Welcome">
      <h2>Welcome to Floe</h2>
      <p className="hint">Draw a workflow, run it, and watch it run: all on this machine.</p>
      <div className="welcome-cards">
        <section className="welcome-card">
          <h3>{examples.length > 0 ? "Open a blueprint" : "Open an example"}</h3>
          {examples.length > 0 ? (
            <ul>
              {examples.map((entry) => (
                <li key={entry.path}>
                  <button className="link" onClick={() => onOpen(entry.path)}>
                    {entry.name || entry.path}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p>This folder has no blueprints yet. Fourteen examples show every kind of node.</p>
          )}
          <button className={examples.length > 0 ? "link more" : "primary"} onClick={() => void addExamples()} disabled={adding === COPYING}>
            {examples.length > 0 ? "+ Add the examples to this folder" : "Add the examples"}
          </button>
          {adding && <p className="hint">{adding}</p>}
        </section>
        <section className="welcome-card">
          <h3>Start a new blueprint</h3>
          <p>An empty canvas: add nodes from the palette on the left and connect them.</p>
          <button onClick={onNew}>New blueprint</button>
        </section>
        <section className="welcome-card">
          <h3>Set up a model</h3>
          {model ? (
            <p>
              Model examples run on <code>{model}</code>, your default model.
            </p>
          ) : (
            <p>Add a key (OpenAI, Anthropic, Gemini, DeepSeek…) or use a local Ollama, and choose a default model: every example runs on it.</p>
          )}
          <button className={model ? undefined : "primary"} onClick={() => useSettings.getState().show()}>
            {model ? "Settings" : "Set up a model"}
          </button>
        </section>
      </div>
    </div>
  );
}
