/**
 * How the build names its JavaScript chunks, so a page's requests say what it loaded (vite.config.ts uses
 * this; `npm run bench:pages` and tests/browser/light-pages.test.ts read the names). A chunk holding any of
 * the editor's code (Monaco, the canvas library xyflow, the layout engine elkjs, the canvas, its node panels,
 * the run, publish and log panels) is named `editor~<name>-<hash>.js`; one holding echarts (and no editor
 * code) `chart~<name>-<hash>.js`; any other `<name>-<hash>.js`. The scenario list, gallery, jobs, keys and
 * users pages must fetch no `editor~` chunk, and a `chart~` chunk only when they draw a chart.
 */

/** File-name prefix of a chunk with editor code. */
export const EDITOR_CHUNK_PREFIX = 'editor~';
/** File-name prefix of a chunk with chart code (echarts) and no editor code. */
export const CHART_CHUNK_PREFIX = 'chart~';

/** Module paths (with `/` separators) that are the editor's. */
const EDITOR_MODULES = [
  /\/node_modules\/monaco-editor\//,
  /\/node_modules\/@monaco-editor\//,
  /\/node_modules\/@xyflow\//,
  /\/node_modules\/elkjs\//,
  /\/client\/src\/(editor|nodes|components|run|runs-log)\//,
  /\/client\/src\/pages\/EditorPage\.tsx$/,
  // The publish panels; publish/http.ts, publish/CodeBlock.tsx and publish/gate-api.ts are plain helpers the other pages share.
  /\/client\/src\/publish\/(?!http\.ts$|CodeBlock\.tsx$|gate-api\.ts$)[^/]+$/,
];

/** Module paths that are the chart library's. */
const CHART_MODULES = [/\/node_modules\/echarts\//, /\/node_modules\/zrender\//, /\/client\/src\/charts\//];

/**
 * The prefix a chunk of these modules gets: {@link EDITOR_CHUNK_PREFIX}, {@link CHART_CHUNK_PREFIX} or ''.
 * @param moduleIds the chunk's module ids (absolute paths, possibly with a `?query` or Windows separators)
 */
export function chunkPrefix(moduleIds: readonly string[]): string {
  const paths = moduleIds.map((id) => id.replace(/\\/g, '/').replace(/\?.*$/, ''));
  if (paths.some((p) => EDITOR_MODULES.some((re) => re.test(p)))) return EDITOR_CHUNK_PREFIX;
  if (paths.some((p) => CHART_MODULES.some((re) => re.test(p)))) return CHART_CHUNK_PREFIX;
  return '';
}

/** Rolldown's `output.chunkFileNames`: `assets/<prefix><name>-<hash>.js`. */
export function chunkFileName(chunk: { moduleIds: readonly string[] }): string {
  return `assets/${chunkPrefix(chunk.moduleIds)}[name]-[hash].js`;
}
