/**
 * The flags between `node` and the script on bin/mofang.mjs's shebang line; [] when there are none.
 * `bin` (a path or file URL) reads another checkout's bin.
 */
export function serverNodeFlags(bin?: string | URL): string[];
