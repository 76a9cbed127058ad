/** Browser side of export and import files: save text as a download, read a picked file as text. */
import type { ApiError } from '../api';
import { pickJsonFile, readJsonFile } from '../io';

/** Offers text as a downloaded file. */
export function saveText(text: string, fileName: string): void {
  const blob = new Blob([text], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/**
 * Lets the user pick a `.json` file and returns its text, or an {@link ApiError} `import_not_json` naming
 * the file when it is not JSON (checked here so a wrong file gets a message before any upload); null when
 * the picker was cancelled.
 */
export async function pickJsonText(): Promise<{ ok: true; text: string } | { ok: false; error: ApiError } | null> {
  const file = await pickJsonFile();
  if (!file) return null;
  const read = await readJsonFile(file);
  return read.ok ? { ok: true, text: read.text } : read;
}
