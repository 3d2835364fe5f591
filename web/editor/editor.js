// greenboard's SQL editor: CodeMirror 6 with the SQLite dialect, bundled by
// esbuild into one module that the page imports once the dashboard is up.
// The page (Rust, src/ui/editor.rs) owns the text; this module shows it,
// reports edits, and runs the query on Ctrl/Cmd+Enter.

import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, placeholder,
} from "@codemirror/view";
import { Compartment, EditorSelection, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { history, defaultKeymap, historyKeymap } from "@codemirror/commands";
import { bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { autocompletion, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { sql, SQLite } from "@codemirror/lang-sql";

// SQL's colours, from the page's CSS variables (one set per theme, each
// readable on its background).
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--code-keyword)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--code-number)" },
  { tag: [tags.lineComment, tags.blockComment, tags.comment], color: "var(--muted)", fontStyle: "italic" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--code-type)" },
  { tag: [tags.operator, tags.punctuation, tags.bracket], color: "var(--ink)" },
  { tag: tags.special(tags.name), color: "var(--code-string)" },
]);

// What the editor does beyond showing text: line numbers, undo history,
// bracket matching and closing, highlighting, completion. Tab is left to
// the browser, so that the keyboard can leave the editor.
const setup = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  history(),
  drawSelection(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  syntaxHighlighting(highlight),
  bracketMatching(),
  closeBrackets(),
  autocompletion(),
  highlightActiveLine(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
];

// The place SQLite reported an error at, underlined until the next edit.
const setError = StateEffect.define();
const errorMark = Decoration.mark({ class: "cm-sql-error", attributes: { title: "SQLite stopped here" } });
const errorField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(setError)) {
        return e.value ? Decoration.set([errorMark.range(e.value.from, e.value.to)]) : Decoration.none;
      }
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// Colours come from the page's CSS variables, so both themes apply.
const theme = EditorView.theme({
  "&": { backgroundColor: "var(--panel)", color: "var(--ink)", border: "1px solid var(--line)", borderRadius: "6px" },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "1px" },
  ".cm-content": { fontFamily: "var(--mono)", minHeight: "9rem", caretColor: "var(--ink)" },
  ".cm-scroller": { fontFamily: "var(--mono)", maxHeight: "24rem" },
  ".cm-gutters": { backgroundColor: "var(--bg)", color: "var(--muted)", borderRight: "1px solid var(--line)" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--accent-soft) 45%, transparent)" },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-sql-error": { textDecoration: "underline wavy var(--bad)", backgroundColor: "color-mix(in srgb, var(--bad) 18%, transparent)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--ink)", border: "1px solid var(--line)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--bg)" },
});

// Columns by name, with the tables that have them, from a schema in
// lang-sql's shape ({ table: [columns], attached: { table: [columns] } }).
function columnsOf(schema) {
  const byName = new Map();
  const add = (table, cols) => {
    for (const c of cols) {
      if (!byName.has(c)) byName.set(c, []);
      byName.get(c).push(table);
    }
  };
  for (const [name, value] of Object.entries(schema || {})) {
    if (Array.isArray(value)) add(name, value);
    else for (const [t, cols] of Object.entries(value)) add(`${name}.${t}`, cols);
  }
  return byName;
}

// Completion of column names without a table in front: lang-sql offers a
// table's columns after "table."; this offers every column as a word,
// those of tables the text names first.
function columnCompletion(getColumns) {
  return (context) => {
    const word = context.matchBefore(/[\w$]+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const text = context.state.doc.toString().toLowerCase();
    const options = [];
    for (const [name, tables] of getColumns()) {
      const named = tables.some((t) => text.includes(t.split(".").pop().toLowerCase()));
      options.push({
        label: name,
        type: "property",
        detail: tables.length > 2 ? `${tables.slice(0, 2).join(", ")}, …` : tables.join(", "),
        boost: named ? 1 : -1,
      });
    }
    return { from: word.from, options, validFor: /^[\w$]*$/ };
  };
}

/**
 * Mounts an editor in `parent`.
 * options: { doc, placeholder, labelledBy, onChange(text), onRun(text, from) }
 *  - onRun gets the selection when there is one (and where it starts), else
 *    the whole text from 0.
 * Returns a handle: value(), set(text), setSchema(schema), markError(from, to),
 * insert(text), focus().
 */
export function mount(parent, options) {
  const language = new Compartment();
  let columns = new Map();
  const columnSource = SQLite.language.data.of({ autocomplete: columnCompletion(() => columns) });
  const langFor = (schema) => [
    sql({ dialect: SQLite, schema: schema || {}, upperCaseKeywords: true }),
    columnSource,
  ];
  let quiet = false;
  const run = (view) => {
    const sel = view.state.selection.main;
    if (sel.empty) {
      options.onRun(view.state.doc.toString(), 0);
    } else {
      options.onRun(view.state.sliceDoc(sel.from, sel.to), sel.from);
    }
    return true;
  };
  const view = new EditorView({
    parent,
    doc: options.doc || "",
    extensions: [
      Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
      setup,
      placeholder(options.placeholder || ""),
      language.of(langFor(null)),
      errorField,
      theme,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-labelledby": options.labelledBy || "",
        "aria-multiline": "true",
        role: "textbox",
        spellcheck: "false",
      }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !quiet) options.onChange(u.state.doc.toString());
      }),
    ],
  });
  // A long query scrolls: its scroller is a stop of the Tab key, so that
  // the keyboard can scroll it without editing.
  view.scrollDOM.setAttribute("tabindex", "0");
  return {
    value: () => view.state.doc.toString(),
    set(text) {
      if (text === view.state.doc.toString()) return;
      quiet = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      quiet = false;
    },
    setSchema(schema) {
      columns = columnsOf(schema);
      view.dispatch({ effects: language.reconfigure(langFor(schema)) });
    },
    markError(from, to) {
      const len = view.state.doc.length;
      from = Math.max(0, Math.min(from, len));
      to = Math.max(from, Math.min(to, len));
      if (to === from && to < len) to = from + 1;
      view.dispatch({
        effects: setError.of(to > from ? { from, to } : null),
        selection: EditorSelection.cursor(from),
        scrollIntoView: true,
      });
    },
    insert(text) {
      view.dispatch(view.state.replaceSelection(text));
      view.focus();
    },
    focus: () => view.focus(),
  };
}
