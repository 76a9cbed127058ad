import type { ConfiguredModelResolver, EndpointConfig, ModelConfig } from '../model/registry.js';
import type { ModelResolver } from '../model/types.js';

/**
 * The configuration the server runs on: the environment's endpoint (when `MOFANG_MODEL_BASE_URL` is set)
 * first, then the enabled stored endpoints, oldest first; an alias is answered by the first endpoint that
 * has it. The default endpoint (for aliases nobody has) is the first with a `default` alias. With no
 * endpoint at all, the environment's configuration (the simulator) stands in.
 */
export function combineModelConfig(env: ModelConfig, stored: EndpointConfig[]): ModelConfig {
  const real = [...env.endpoints.filter((e) => e.kind !== 'simulator'), ...stored];
  if (real.length === 0) return env;
  const byDefault = real.find((e) => Object.hasOwn(e.models, 'default')) ?? real[0];
  return { default: byDefault.name, endpoints: real };
}

/**
 * The aliases a graph may name, for the compiler's `unknown_model_alias` check; undefined (no check)
 * when the resolver cannot list them or only the simulator stands in (it answers any alias).
 */
export function knownModelAliases(models: ModelResolver): string[] | undefined {
  if (!listsAliases(models)) return undefined;
  const list = models.aliases();
  if (list.every((a) => a.simulator)) return undefined;
  return list.map((a) => a.alias);
}

/** Whether a resolver lists its aliases (a scripted test model does not). */
export function listsAliases(models: ModelResolver): models is ConfiguredModelResolver {
  return 'aliases' in models && typeof models.aliases === 'function';
}
