// Ready before it runs: when a run is refused because a model it calls cannot be called (no key,
// a local server not running, no default model), this says which, and what to do: a button that
// opens Settings at that provider, Check again, or Run anyway.
import { create } from "zustand";
import type { BackendError } from "../backend/backend";
import { providerLabel, useSettings } from "./Settings";

type Unready = BackendError["unready"][number];

interface ReadinessState {
  problems: Unready[] | null;
  /** Starts the same run again: checked, or (anyway) not. */
  retry: ((anyway: boolean) => Promise<void>) | null;
  show(problems: Unready[], retry: (anyway: boolean) => Promise<void>): void;
  close(): void;
}

export const useReadiness = create<ReadinessState>((set) => ({
  problems: null,
  retry: null,
  show: (problems, retry) => set({ problems, retry }),
  close: () => set({ problems: null, retry: null }),
}));

/** The button that fixes a problem, by what it needs. */
function fixLabel(problem: Unready): string {
  const name = problem.provider ? providerLabel(problem.provider) : "";
  switch (problem.remedy) {
    case "set_key":
      return `Set the ${name} key`;
    case "choose_default":
      return "Choose a default model";
    case "start_server":
      return `${name} settings`;
    default:
      return "Open Settings";
  }
}

export function ReadinessDialog() {
  const { problems, retry, close } = useReadiness();
  if (!problems || !retry) return null;
  const blocking = problems.filter((p) => !p.fallback);
  const again = (anyway: boolean) => {
    close();
    void retry(anyway);
  };
  return (
    <div className="modal" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <section className="modal-body readiness" role="alertdialog" aria-label="Not ready to run" onKeyDown={(e) => e.key === "Escape" && close()}>
        <h2>Not ready to run</h2>
        <p>Nothing has run yet. {blocking.length === 1 ? "One model" : `${blocking.length} models`} this blueprint calls cannot be called now:</p>
        <ul className="unready-list">
          {problems.map((problem) => (
            <li key={problem.model || problem.message} className={problem.fallback ? "fallback" : undefined}>
              <div className="unready-model">
                <code>{problem.model || "settings"}</code>
                <span className="unready-nodes">{problem.fallback ? "fallback of " : ""}{problem.nodes.join(", ")}</span>
              </div>
              <p>{problem.message}</p>
              {problem.remedy !== "pull_model" && (
                <button
                  className="primary"
                  onClick={() => {
                    close();
                    useSettings.getState().show(problem.remedy === "choose_default" ? null : problem.provider);
                  }}
                >
                  {fixLabel(problem)}
                </button>
              )}
            </li>
          ))}
        </ul>
        <div className="modal-actions">
          <button onClick={close}>Cancel</button>
          <button onClick={() => again(true)} title="Start it anyway: the nodes that call these models will fail">
            Run anyway
          </button>
          <button className="primary" autoFocus onClick={() => again(false)}>
            Check again
          </button>
        </div>
      </section>
    </div>
  );
}
