import { useCallback, useMemo, type ComponentType } from 'react';
import type { NodeDefinition } from '@shared/index';
import { useEditor } from '../editor/store';

export interface PanelProps {
  id: string;
}

/** One kind's client side: a one-line summary of its config for the card, and its config form. */
export interface ClientNodeKit {
  summary(raw: Record<string, unknown>, lang: 'zh' | 'en'): string;
  Panel: ComponentType<PanelProps>;
}

// Configs written by a typed panel: known to be that kind's config type even if a field is not yet
// valid (an empty URL), so the form keeps showing what the person typed.
const writtenBy = new WeakMap<object, unknown>();

function wasWrittenBy<C extends Record<string, unknown>>(raw: Record<string, unknown>, def: NodeDefinition<C>): raw is C {
  return writtenBy.get(raw) === def;
}

// Configs are never changed in place (an edit makes a new object): each is parsed once per kind, not on
// every selection of its node.
const parsedConfigs = new WeakMap<object, { def: unknown; config: unknown }>();

function wasParsedBy<C extends Record<string, unknown>>(entry: { def: unknown; config: unknown } | undefined, def: NodeDefinition<C>): entry is { def: NodeDefinition<C>; config: C } {
  return entry !== undefined && entry.def === def;
}

/** A config typed by its kind's schema: the parsed value, or the defaults when it does not parse. */
export function typedConfig<C extends Record<string, unknown>>(raw: Record<string, unknown> | undefined, def: NodeDefinition<C>): C {
  if (raw && wasWrittenBy(raw, def)) return raw;
  const known = raw ? parsedConfigs.get(raw) : undefined;
  if (wasParsedBy(known, def)) return known.config;
  const parsed = def.configSchema.safeParse(raw ?? {});
  const config = parsed.success ? parsed.data : def.defaults();
  if (raw) parsedConfigs.set(raw, { def, config });
  return config;
}

/** Binds a panel to one node's config: `update` merges a patch and records an undo step. */
export function useNodeConfig<C extends Record<string, unknown>>(id: string, def: NodeDefinition<C>): { config: C; update(patch: Partial<C>): void } {
  const raw = useEditor((s) => s.nodes.find((n) => n.id === id)?.data.config);
  const config = useMemo(() => typedConfig(raw, def), [raw, def]);
  const update = useCallback(
    (patch: Partial<C>) => {
      const current = typedConfig(useEditor.getState().nodes.find((n) => n.id === id)?.data.config, def);
      const next: C = { ...current, ...patch };
      writtenBy.set(next, def);
      useEditor.getState().updateConfig(id, next);
    },
    [id, def],
  );
  return { config, update };
}

/** Declares a kind's client kit with its summary typed by the kind's config. */
export function defineClientNode<C extends Record<string, unknown>>(
  def: NodeDefinition<C>,
  kit: { summary(config: C, lang: 'zh' | 'en'): string; Panel: ComponentType<PanelProps> },
): ClientNodeKit {
  return {
    summary: (raw, lang) => {
      try {
        return kit.summary(typedConfig(raw, def), lang);
      } catch {
        return '';
      }
    },
    Panel: kit.Panel,
  };
}

/** Replaces one element of a list, for list editors inside panels. */
export function replaceAt<T>(list: T[], index: number, item: T): T[] {
  return list.map((x, i) => (i === index ? item : x));
}
