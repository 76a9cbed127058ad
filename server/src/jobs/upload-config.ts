/**
 * Limits on job uploads, from the environment (both optional): the largest upload as sent
 * (`MOFANG_JOB_UPLOAD_LIMIT`, any format) and how much an .xlsx workbook may unpack to
 * (`MOFANG_JOB_XLSX_UNPACKED_LIMIT`), each in body-parser notation (`256mb`).
 */
import { z } from 'zod';

const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const SIZE = /^(\d+)(b|kb|mb|gb)$/i;
const size = (name: string, fallback: string) =>
  z.preprocess(blankAsUnset, z.string().regex(SIZE, `${name} must look like 64mb or 1gb`).default(fallback)).transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes < 1024) ctx.addIssue({ code: 'custom', message: `${name} must be at least 1kb` });
    return bytes;
  });

const UploadEnvSchema = z.object({
  MOFANG_JOB_UPLOAD_LIMIT: size('MOFANG_JOB_UPLOAD_LIMIT', '256mb'),
  MOFANG_JOB_XLSX_UNPACKED_LIMIT: size('MOFANG_JOB_XLSX_UNPACKED_LIMIT', '256mb'),
});

/** Bytes of `64mb`, `512kb`, `1gb` or `100b` (case-insensitive; 1kb = 1024 bytes). */
export function parseSize(text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}"`);
  const unit = match[2].toLowerCase();
  const scale = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
  return Number(match[1]) * scale;
}

/** Limits on job uploads, in bytes. */
export interface JobUploadConfig {
  /** Largest upload as sent (after any Content-Encoding is undone), any format. */
  limitBytes: number;
  /** Largest total of an .xlsx workbook's unpacked entries. */
  xlsxUnpackedBytes: number;
}

/** Reads the upload limits; throws an Error naming every bad variable. */
export function jobUploadConfigFromEnv(env: NodeJS.ProcessEnv): JobUploadConfig {
  const parsed = UploadEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return { limitBytes: parsed.data.MOFANG_JOB_UPLOAD_LIMIT, xlsxUnpackedBytes: parsed.data.MOFANG_JOB_XLSX_UNPACKED_LIMIT };
}

/** The defaults, as with an empty environment. */
export const DEFAULT_JOB_UPLOAD_CONFIG: JobUploadConfig = jobUploadConfigFromEnv({});
