import { Alert, AutoComplete, Checkbox, Input, InputNumber, Radio, Segmented, Select, Table } from 'antd';

/**
 * One hidden instance of each antd control the node panels use, mounted as long as the editor is open.
 *
 * antd's CSS-in-JS keeps a control's generated styles only while an instance of it is mounted: when the
 * last one goes, its styles are dropped from the cache and the next one rebuilds them (parse, hash,
 * serialize). Selecting a node of another kind replaces one panel by another in a single commit, so every
 * control of both panels had its styles rebuilt in the click, a fifth of it (issue 13, `npm run
 * bench:panel`). With an instance here, their styles are built once per page.
 */
export function KeepPanelStyles() {
  return (
    <div hidden aria-hidden data-testid="keep-panel-styles">
      <Input size="small" />
      <Input.TextArea />
      <InputNumber size="small" />
      <Select size="small" />
      <AutoComplete />
      <Checkbox />
      <Radio.Group />
      <Segmented options={[]} />
      <Alert />
      <Table size="small" />
    </div>
  );
}
