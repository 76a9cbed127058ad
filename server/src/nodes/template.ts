import type { TemplateConfig } from '@shared/nodes/template.js';
import type { ServerNode } from './kit.js';

/** Template: renders text from upstream values. */
export const templateNode: ServerNode<TemplateConfig> = {
  compile(_config, ctx) {
    const template = ctx.templates.template;
    return { run: (exec) => ({ outputs: { text: template ? template.renderText(exec.scope) : '' } }) };
  },
};
