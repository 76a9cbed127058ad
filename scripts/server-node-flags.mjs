// The Node flags `mofang` runs with: the ones on bin/mofang.mjs's first line
// (`#!/usr/bin/env -S node <flags>`), the single place they are set. `npm start` passes the same ones
// (a test checks), and the benchmarks start the server with them, so what they measure is what runs.
import { readFileSync } from 'node:fs';

const BIN = new URL('../bin/mofang.mjs', import.meta.url);

/**
 * The flags between `node` and the script on the bin's shebang line; [] when there are none.
 * `bin` (a path or file URL) reads another checkout's bin.
 */
export function serverNodeFlags(bin = BIN) {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  const match = /^#!\/usr\/bin\/env(?: -S)? node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!match) throw new Error(`${String(bin)}: unexpected first line ${JSON.stringify(first)}`);
  return match[1].split(' ').filter(Boolean);
}
