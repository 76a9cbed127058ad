/**
 * Running `mofang` in tests: {@link mofang} calls the command in-process (no Node start-up, no
 * compilation), {@link mofangBin} spawns the built `bin/mofang.mjs` for the few end-to-end checks.
 */
import { storeEnv } from './test-store.js';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../server/src/cli/index.js';

/** The repository root, the cwd of every command. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a command did: its exit code and everything it wrote. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mofang <args>` in this process (on the store a test server over `env.MOFANG_DATA_DIR` uses: ./test-store.ts) with `env` over the test process's environment and `stdin` as its standard input; never rejects. */
export async function mofang(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ''): Promise<CliResult> {
  env = { ...(env.MOFANG_DATA_DIR ? await storeEnv(env.MOFANG_DATA_DIR) : {}), ...env };
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: { ...process.env, ...env }, readStdin: async () => stdin });
  return { code, stdout, stderr };
}

/** Runs `node bin/mofang.mjs <args>` (the compiled CLI) from the repository root; never rejects. */
export async function mofangBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  env = { ...(env.MOFANG_DATA_DIR ? await storeEnv(env.MOFANG_DATA_DIR) : {}), ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/mofang.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
