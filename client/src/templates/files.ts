/** Browser side of export and import files: save text as a download, read a picked file as text. */
import { pickJsonFile } from '../io';

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
 * Lets the user pick a `.json` file and returns its text, or a reason when it is not JSON (checked here
 * so a wrong file gets a message before any upload); null when the picker was cancelled.
 */
export async function pickJsonText(): Promise<{ ok: true; text: string } | { ok: false; reason: string } | null> {
  const file = await pickJsonFile();
  if (!file) return null;
  const text = await file.text();
  try {
    JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, text };
}
