import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import type { RefOption } from '../editor/references';

// Bundled locally: no CDN is reachable from a call-center network.
self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

export const TEMPLATE_LANGUAGE = 'mofang-template';

/** The completion options of each open template editor, by model URI. */
export const refOptionsByModel = new Map<string, RefOption[]>();

monaco.languages.register({ id: TEMPLATE_LANGUAGE });
monaco.languages.setMonarchTokensProvider(TEMPLATE_LANGUAGE, {
  tokenizer: {
    root: [
      [/\{\{-?/, { token: 'delimiter.bracket', next: '@expr' }],
      [/\{%-?/, { token: 'keyword', next: '@tag' }],
      [/[^{]+/, ''],
      [/\{/, ''],
    ],
    expr: [
      [/-?\}\}/, { token: 'delimiter.bracket', next: '@pop' }],
      [/[A-Za-z_\u4e00-\u9fa5][\w\u4e00-\u9fa5.]*/, 'variable'],
      [/\|/, 'operator'],
      [/"[^"]*"|'[^']*'/, 'string'],
      [/./, ''],
    ],
    tag: [
      [/-?%\}/, { token: 'keyword', next: '@pop' }],
      [/./, 'keyword'],
    ],
  },
});
monaco.editor.defineTheme('mofang', {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'variable', foreground: '0958d9', fontStyle: 'bold' },
    { token: 'delimiter.bracket', foreground: '8c8c8c' },
    { token: 'keyword', foreground: 'c41d7f' },
  ],
  colors: {},
});

monaco.languages.registerCompletionItemProvider(TEMPLATE_LANGUAGE, {
  triggerCharacters: ['{', '.'],
  provideCompletionItems(model, position) {
    const before = model.getValueInRange({ startLineNumber: position.lineNumber, startColumn: 1, endLineNumber: position.lineNumber, endColumn: position.column });
    const m = /\{\{-?\s*([\w\u4e00-\u9fa5.]*)$/.exec(before);
    if (!m) return { suggestions: [] };
    const typed = m[1];
    const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: position.column - typed.length, endColumn: position.column };
    const needsSpace = /\{\{$/.test(before);
    const after = model.getValueInRange({ startLineNumber: position.lineNumber, startColumn: position.column, endLineNumber: position.lineNumber, endColumn: position.column + 3 });
    const close = /^\s*\}\}/.test(after) ? '' : ' }}';
    const options = refOptionsByModel.get(model.uri.toString()) ?? [];
    return {
      suggestions: options
        .filter((o) => o.ref.startsWith(typed) || typed === '')
        .map((o, i) => ({
          label: o.ref,
          kind: monaco.languages.CompletionItemKind.Field,
          detail: o.type,
          documentation: o.description,
          insertText: `${needsSpace ? ' ' : ''}${o.ref}${close}`,
          filterText: o.ref,
          sortText: String(i).padStart(4, '0'),
          range,
        })),
    };
  },
});

export { monaco };
