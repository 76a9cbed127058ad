import type { MergeConfig } from '@shared/nodes/merge.js';
import { NodeError, type ServerNode } from './kit.js';

/** Merge: the first configured value whose node ran, else the output of the first branch that ran. */
export const mergeNode: ServerNode<MergeConfig> = {
  compile(config, ctx) {
    const values = config.values.map((source, i) => ({ template: ctx.templates[`values.${i}`], reads: ctx.templates[`values.${i}`]?.reads ?? [] }));
    return {
      run(exec) {
        for (const { template, reads } of values) {
          if (!template || !reads.every((id) => id in exec.scope)) continue;
          const value = template.render(exec.scope);
          if (value !== undefined) return { outputs: { value, from: reads[0] ?? '' } };
        }
        const from = exec.ranSources[0];
        if (values.length === 0 && from !== undefined) return { outputs: { value: exec.scope[from], from } };
        throw new NodeError('merge_empty', 'none of the merged values came from a branch that ran');
      },
    };
  },
};
