import { useEffect, useState } from 'react';
import { Select } from 'antd';
import { api, type ScenarioSummary } from '../api';

/** A searchable picker of the user's scenarios (for saving one as a template or a version). */
export function ScenarioSelect({ value, onChange, testId }: { value?: string; onChange?: (id: string) => void; testId?: string }) {
  const [rows, setRows] = useState<ScenarioSummary[]>([]);
  useEffect(() => {
    api.listScenarios().then(setRows, () => setRows([]));
  }, []);
  return (
    <Select
      showSearch
      value={value}
      onChange={onChange}
      optionFilterProp="label"
      options={rows.map((r) => ({ value: r.id, label: r.name }))}
      data-testid={testId}
    />
  );
}
