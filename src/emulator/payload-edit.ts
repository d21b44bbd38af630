import { isRecord } from '../runtime/delivery.js';

/** A `set` edit that cannot be made: names the path and says why. */
export class PayloadEditError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot set "${path}": ${reason}`);
    this.name = 'PayloadEditError';
  }
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * Sets `value` at a dotted path (`event.message.mentions.0.name`): segments name object keys,
 * and array indices where the value is an array. Every segment but the last must exist; the last may
 * add a key to an object, or append to an array (index = its length).
 */
export function setPath(payload: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) throw new PayloadEditError(path, 'empty segment (write keys separated by single dots)');
  const bad = segments.find((s) => FORBIDDEN.has(s));
  if (bad !== undefined) throw new PayloadEditError(path, `"${bad}" is not allowed as a key`);
  let node: unknown = payload;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const here = segments.slice(0, i).join('.') || 'the payload';
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const index = /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : NaN;
      if (Number.isNaN(index)) throw new PayloadEditError(path, `${here} is an array; "${segment}" is not an index`);
      if (index > node.length || (!last && index === node.length)) {
        throw new PayloadEditError(path, `index ${index} is out of range (${here} has ${node.length} item${node.length === 1 ? '' : 's'})`);
      }
      if (last) node[index] = value;
      else node = node[index];
    } else if (isRecord(node)) {
      if (last) node[segment] = value;
      else if (!Object.hasOwn(node, segment)) {
        const keys = Object.keys(node);
        throw new PayloadEditError(path, `${here} has no "${segment}"${keys.length ? ` (it has ${keys.join(', ')})` : ''}`);
      } else node = node[segment];
    } else {
      throw new PayloadEditError(path, `${here} is ${kindOf(node)}, not an object or array`);
    }
  }
}

/** Applies every edit in order (all or nothing: the payload is only changed when every edit can be made). */
export function applyEdits(payload: Record<string, unknown>, edits: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy = structuredClone(payload);
  for (const [path, value] of Object.entries(edits)) setPath(copy, path, value);
  return copy;
}
