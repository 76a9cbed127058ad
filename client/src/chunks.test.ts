import { describe, expect, it } from 'vitest';
import { chunkFileName, chunkPrefix } from './chunks';

const ROOT = '/srv/mofang';

describe('chunk names', () => {
  it('names a chunk with any editor module editor~, even beside shared code', () => {
    expect(chunkPrefix([`${ROOT}/node_modules/antd/es/button/index.js`, `${ROOT}/node_modules/@xyflow/react/dist/esm/index.js`])).toBe('editor~');
    expect(chunkPrefix([`${ROOT}/node_modules/monaco-editor/esm/vs/editor/editor.api.js`])).toBe('editor~');
    expect(chunkPrefix([`${ROOT}/node_modules/elkjs/lib/elk.bundled.js`])).toBe('editor~');
    expect(chunkPrefix([`${ROOT}/client/src/nodes/audit/Panel.tsx`])).toBe('editor~');
    expect(chunkPrefix([`${ROOT}/client/src/pages/EditorPage.tsx`])).toBe('editor~');
    expect(chunkPrefix([`${ROOT}/client/src/publish/PublishDialog.tsx`])).toBe('editor~');
    expect(chunkPrefix(['C:\\mofang\\client\\src\\editor\\Canvas.tsx?v=1'])).toBe('editor~');
  });

  it('names a chart chunk chart~ unless it also holds editor code', () => {
    expect(chunkPrefix([`${ROOT}/node_modules/echarts/lib/chart/bar.js`])).toBe('chart~');
    expect(chunkPrefix([`${ROOT}/client/src/charts/Chart.tsx`, `${ROOT}/client/src/runs-log/MetricsCharts.tsx`])).toBe('editor~');
  });

  it('leaves the pages and the helpers they share unprefixed', () => {
    for (const id of ['client/src/pages/ScenarioList.tsx', 'client/src/pages/KeysPage.tsx', 'client/src/publish/http.ts', 'client/src/publish/CodeBlock.tsx', 'client/src/publish/gate-api.ts', 'node_modules/antd/es/table/index.js', 'client/src/templates/GraphPreview.tsx']) {
      expect(chunkPrefix([`${ROOT}/${id}`])).toBe('');
    }
    expect(chunkFileName({ moduleIds: [`${ROOT}/client/src/pages/KeysPage.tsx`] })).toBe('assets/[name]-[hash].js');
    expect(chunkFileName({ moduleIds: [`${ROOT}/client/src/editor/store.ts`] })).toBe('assets/editor~[name]-[hash].js');
  });
});
