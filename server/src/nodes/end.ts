import type { EndConfig } from '@shared/nodes/end.js';
import { compileSchema, schemaProblems } from '../common/validation.js';
import { NodeError, type ServerNode } from './kit.js';

/** End: gathers the declared outputs and checks them against the scenario's output schema. */
export const endNode: ServerNode<EndConfig> = {
  compile(config, ctx) {
    const validate = compileSchema(ctx.outputSchema);
    const outputs = config.outputs.map((output, i) => ({ ...output, template: ctx.templates[`outputs.${i}.value`] }));
    return {
      run(exec) {
        const result: Record<string, unknown> = {};
        // Every output is present: one whose value is absent (a skipped node, an empty field) is null.
        for (const output of outputs) result[output.name] = coerce(output.template?.render(exec.scope), output.type) ?? null;
        if (!validate(result)) {
          const problems = schemaProblems(validate.errors, 'outputs');
          throw new NodeError('invalid_outputs', `the outputs do not match the end node's schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { details: problems });
        }
        return { outputs: result };
      },
    };
  },
};

/** Text templates yield strings; a declared number, integer or boolean output reads them as such. */
function coerce(value: unknown, type: EndConfig['outputs'][number]['type']): unknown {
  if (typeof value !== 'string') return value;
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
