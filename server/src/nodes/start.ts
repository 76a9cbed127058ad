import type { StartConfig } from '@shared/nodes/start.js';
import { parseTranscript, turnTimesProblem } from '@shared/transcript.js';
import { NodeError, type ServerNode } from './kit.js';

/**
 * Start: applies defaults and turns transcript inputs (JSON turns or 坐席：/客户： text) into turns with ids;
 * refuses a transcript that is not one, or whose turn times cannot be (negative, or ending before starting).
 */
export const startNode: ServerNode<StartConfig> = {
  compile(config) {
    const transcripts = config.inputs.filter((i) => i.type === 'transcript').map((i) => i.name);
    const defaults = config.inputs.filter((i) => i.default !== undefined);
    return {
      run(ctx) {
        const raw = ctx.runInputs;
        const inputs: Record<string, unknown> = typeof raw === 'object' && raw !== null ? { ...raw } : {};
        for (const input of defaults) if (inputs[input.name] === undefined) inputs[input.name] = input.default;
        for (const name of transcripts) {
          if (inputs[name] === undefined) continue;
          const parsed = parseTranscript(inputs[name]);
          if (!parsed.ok) throw new NodeError('invalid_inputs', `inputs.${name}: ${parsed.error}`, { details: [{ path: `inputs.${name}`, message: parsed.error }] });
          // Times are read as given (stored runs keep theirs); a run is refused when one cannot be.
          const times = turnTimesProblem(parsed.transcript.turns);
          if (times) {
            const path = `inputs.${name}.turns.${times.index}`;
            throw new NodeError('invalid_inputs', `${path}: ${times.message}`, { details: [{ path, message: times.message }] });
          }
          inputs[name] = parsed.transcript;
        }
        return { outputs: inputs, inputs: raw };
      },
    };
  },
};
