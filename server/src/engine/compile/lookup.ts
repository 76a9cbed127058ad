import type { Scope } from '../../nodes/kit.js';

/** A step of a template path: a property name or an array index. */
export type Segment = string | number;

/**
 * Reads a path from the scope the way liquidjs 10 reads properties with `ownPropertyOnly` (its
 * `Context.readProperty`): own properties only, strings' and arrays' included (`length`, an index),
 * negative array indexes from the end, and `size` (own `size`, else the length, else an object's key
 * count), `first` and `last`. A nil on the way is the result (null or undefined, as liquidjs keeps it).
 */
export function lookup(scope: Scope, path: Segment[]): unknown {
  let value: unknown = scope;
  for (const segment of path) {
    // Liquid keeps a nil as it is along the rest of the path (null compares as 0, undefined does not).
    if (value === null || value === undefined) return value;
    value = readProperty(value, segment);
  }
  return value;
}

function ownProperty(obj: unknown, key: Segment): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? Reflect.get(Object(obj), key) : undefined;
}

function arrayElement(array: unknown[], index: number): unknown {
  return ownProperty(array, index < 0 ? array.length + index : index);
}

function readProperty(obj: unknown, key: Segment): unknown {
  if (Array.isArray(obj) && typeof key === 'number') return arrayElement(obj, key);
  const value = ownProperty(obj, key);
  if (key === 'size') {
    const size = Reflect.get(Object(obj), 'size');
    if (Object.prototype.hasOwnProperty.call(obj, 'size') || size !== undefined) return size;
    if (Array.isArray(obj) || typeof obj === 'string') return obj.length;
    return typeof obj === 'object' && obj !== null ? Object.keys(obj).length : undefined;
  }
  if (key === 'first') return Array.isArray(obj) ? arrayElement(obj, 0) : value;
  if (key === 'last') return Array.isArray(obj) ? arrayElement(obj, -1) : value;
  return value;
}
