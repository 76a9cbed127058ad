/** Types of server-build-state.mjs, for the TypeScript tests that import it. */
export declare const ROOT: string;
export declare const DIST: string;
export declare const ENTRY: string;
export declare const BUILD_INFO: string;
export type BuildProblem = { reason: 'missing' } | { reason: 'stale'; file: string };
export declare function buildProblem(infoFile?: string, root?: string): BuildProblem | null;
