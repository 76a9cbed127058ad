/**
 * What a Liquid template may do, for every place that parses one (the engine and the editor): it reads
 * the scope it is given and nothing else. Liquid's file tags would read files beside the server (its
 * source, its SQLite file) or fetch URLs in the browser, so they are refused at parse time, and the file
 * system Liquid would fall back on refuses every read.
 */
import type { FS, Liquid, LiquidOptions } from 'liquidjs';

/** The Liquid tags that load another template from a file. */
export const TEMPLATE_FILE_TAGS = ['include', 'render', 'layout'] as const;
export type TemplateFileTag = (typeof TEMPLATE_FILE_TAGS)[number];

/** Thrown while parsing a template that uses one of {@link TEMPLATE_FILE_TAGS}. */
export class TemplateFileTagError extends Error {
  readonly tag: TemplateFileTag;
  constructor(tag: TemplateFileTag) {
    super(`{% ${tag} %} is not allowed: templates cannot read files; write the text into this template instead`);
    this.name = 'TemplateFileTagError';
    this.tag = tag;
  }
}

/** Thrown by the file system below: no template ever gets to read a file. */
export class TemplateFileAccessError extends Error {
  constructor(file: string) {
    super(`templates cannot read files (asked for "${file.slice(0, 200)}")`);
    this.name = 'TemplateFileAccessError';
  }
}

const refuse = (file: string): never => {
  throw new TemplateFileAccessError(file);
};

/** A Liquid file system with no files: every lookup fails, every read throws. */
export const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => refuse(file),
  readFileSync: refuse,
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
  dirname: () => '',
  sep: '/',
};

/** Options every Liquid instance of Mofang starts from: no file system, no relative lookups. */
export const SAFE_LIQUID_OPTIONS: LiquidOptions = {
  fs: NO_FILES,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  dynamicPartials: true,
  cache: false,
};

/**
 * Makes the file tags of a Liquid instance parse errors ({@link TemplateFileTagError}, wrapped by Liquid
 * in a ParseError whose `originalError` it is). Returns the instance.
 */
export function refuseFileTags(liquid: Liquid): Liquid {
  for (const tag of TEMPLATE_FILE_TAGS) {
    liquid.registerTag(tag, {
      parse() {
        throw new TemplateFileTagError(tag);
      },
      render() {
        throw new TemplateFileTagError(tag);
      },
    });
  }
  return liquid;
}

/** The {@link TemplateFileTagError} behind a Liquid parse error, if that is what it is. */
export function fileTagError(error: unknown): TemplateFileTagError | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof TemplateFileTagError) return e;
    e = Reflect.get(e, 'originalError') ?? e.cause;
  }
  return null;
}
