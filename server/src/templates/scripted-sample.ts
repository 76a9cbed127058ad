import type { TemplateSample } from '@shared/templates.js';
import { ScriptedModel } from '../model/scripted.js';

/** A scripted model that answers each node with the sample's reply for that node id. */
export function sampleModel(sample: TemplateSample): ScriptedModel {
  return new ScriptedModel((request) => {
    const nodeId = request.nodeId ?? '';
    if (!(nodeId in sample.script)) return { error: new Error(`the sample has no scripted reply for node "${nodeId}"`) };
    const reply = sample.script[nodeId];
    return typeof reply === 'string' ? reply : { json: reply };
  });
}
