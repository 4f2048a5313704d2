// A CodeMirror 6 editor for the fields that hold code: Jinja templates (prompts, messages, tool
// arguments), minijinja expressions (conditions, loop items, convergence) and the code node's
// JavaScript. Names a field can read (run inputs, ports, upstream outputs, body variables) are
// offered as completions. Like the other inspector fields it commits on blur: one edit, one
// undoable step in the document.
import { autocompletion, type Completion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { closePercentBrace, jinjaCompletionSource, jinjaLanguage } from "@codemirror/lang-jinja";
import { defaultHighlightStyle, LanguageSupport, syntaxHighlighting } from "@codemirror/language";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, placeholder as placeholderText } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { Name, TemplateScope } from "../model/scope";

export type CodeLanguage = "template" | "expression" | "javascript";

const toCompletion = (type: string) => (name: Name): Completion => ({ label: name.label, detail: name.detail, type });

/** Completes dotted names (`run.`, `nodes.fetch.`) anywhere: expressions have no `{{ }}`. */
function dottedNames(scopeOf: () => TemplateScope) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[A-Za-z_][\w.]*$|\.$/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const parts = word.text.split(".");
    const last = parts.pop() ?? "";
    const from = word.to - last.length;
    const scope = scopeOf();
    const options =
      parts.length === 0 ? scope.variables.map(toCompletion("variable")) : scope.properties(parts).map(toCompletion("property"));
    return options.length > 0 ? { from, options, validFor: /^\w*$/ } : null;
  };
}

/** The editor's language; completions ask `scope()` each time, so they follow the graph. */
function languageOf(language: CodeLanguage, scope: () => TemplateScope): Extension {
  switch (language) {
    case "template": {
      const complete = (context: CompletionContext) =>
        jinjaCompletionSource({
          variables: scope().variables.map(toCompletion("variable")),
          properties: (path) => scope().properties(path).map(toCompletion("property")),
        })(context);
      return new LanguageSupport(jinjaLanguage, [jinjaLanguage.data.of({ autocomplete: complete }), closePercentBrace]);
    }
    case "expression":
      return autocompletion({ override: [dottedNames(scope)] });
    case "javascript":
      // Scripts read their ports as `inputs.<port>`.
      return [javascript(), EditorState.languageData.of(() => [{ autocomplete: dottedNames(scope) }])];
  }
}

export function CodeEditor({
  id,
  value,
  language,
  scope,
  placeholder,
  invalid,
  onCommit,
}: {
  /** The id of the editable element, so a problem can focus it. */
  id: string;
  value: string;
  language: CodeLanguage;
  /** What completion offers, asked for each time it opens. */
  scope: () => TemplateScope;
  placeholder?: string;
  invalid?: boolean;
  onCommit: (text: string) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callbacks, read by the editor's listeners without rebuilding it.
  const latest = useRef({ onCommit, value, scope });
  latest.current = { onCommit, value, scope };

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          languageOf(language, () => latest.current.scope()),
          language === "expression" ? [] : autocompletion(),
          placeholderText(placeholder ?? ""),
          EditorView.contentAttributes.of({ id, "aria-label": id.replace(/^field-/, ""), spellcheck: "false" }),
          EditorView.domEventHandlers({
            blur: (_event, v) => {
              const text = v.state.doc.toString();
              if (text !== latest.current.value) latest.current.onCommit(text);
            },
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      // A field that unmounts while focused (another node selected) still keeps its edit.
      const text = editor.state.doc.toString();
      if (text !== latest.current.value) latest.current.onCommit(text);
      editor.destroy();
      view.current = null;
    };
    // The editor is built once per field and language; value changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, language]);

  // An undo, a fix or a reload changed the value: show it unless the person is typing here.
  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.hasFocus) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  return <div ref={host} className={`code-editor lang-${language}${invalid ? " invalid" : ""}`} />;
}
