/** Scenario export and import from the list page, through the server so both use the same file format. */
import { templatesApi } from './api';
import { pickJsonText, saveText } from './files';

/** Downloads a scenario as a `mofang.scenario/v1` file. */
export async function exportScenarioFile(id: string): Promise<void> {
  const { text, fileName } = await templatesApi.exportScenario(id);
  saveText(text, fileName);
}

/**
 * Picks a file and imports it (a scenario file or a bare graph). Resolves with the new scenario's id
 * and name, null when cancelled; rejects with an ApiError (`import_not_json`) when the file is not JSON or the server refuses it.
 */
export async function importScenarioFile(): Promise<{ id: string; name: string } | null> {
  const picked = await pickJsonText();
  if (!picked) return null;
  if (!picked.ok) throw picked.error;
  const reply = await templatesApi.importScenario(picked.text);
  return { id: reply.scenario_id, name: reply.name };
}
