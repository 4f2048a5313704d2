// In-app dialogs (a name to type, a choice to confirm): the same in the browser and the desktop
// shell, keyboard-driven (Enter accepts, Escape cancels), and awaitable.
import { useEffect, useRef } from "react";
import { create } from "zustand";

interface Request {
  title: string;
  message?: string;
  /** Present for a question with a text answer. */
  value?: string;
  ok: string;
  /** Marks a choice that loses something. */
  danger?: boolean;
  resolve(answer: string | null): void;
}

const useDialog = create<{ request: Request | null }>(() => ({ request: null }));

function show(request: Omit<Request, "resolve">): Promise<string | null> {
  return new Promise((resolve) => {
    useDialog.getState().request?.resolve(null);
    useDialog.setState({
      request: {
        ...request,
        resolve: (answer) => {
          useDialog.setState({ request: null });
          resolve(answer);
        },
      },
    });
  });
}

/** Asks for a line of text; null when cancelled or left empty. */
export async function ask(title: string, value = "", ok = "OK", message?: string): Promise<string | null> {
  const answer = await show({ title, value, ok, message });
  return answer?.trim() ? answer.trim() : null;
}

/** Asks to confirm; true when confirmed. */
export async function confirm(title: string, message: string, ok: string, danger = true): Promise<boolean> {
  return (await show({ title, message, ok, danger })) !== null;
}

export function DialogHost() {
  const request = useDialog((s) => s.request);
  const input = useRef<HTMLInputElement>(null);
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (request?.value !== undefined) input.current?.select();
    else accept.current?.focus();
  }, [request]);
  if (!request) return null;
  const submit = () => request.resolve(request.value !== undefined ? (input.current?.value ?? "") : "yes");
  return (
    <div className="modal" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && request.resolve(null)}>
      <form
        className="modal-body"
        role="dialog"
        aria-label={request.title}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") request.resolve(null);
          e.stopPropagation();
        }}
      >
        <h2>{request.title}</h2>
        {request.message && <p>{request.message}</p>}
        {request.value !== undefined && <input ref={input} defaultValue={request.value} aria-label={request.title} spellCheck={false} />}
        <div className="modal-actions">
          <button type="button" onClick={() => request.resolve(null)}>
            Cancel
          </button>
          <button ref={accept} type="submit" className={request.danger ? "danger" : "primary"}>
            {request.ok}
          </button>
        </div>
      </form>
    </div>
  );
}
