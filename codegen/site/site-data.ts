import type { LoadedSchema } from '../load.js';
import { isObject, type Json, type JsonObject } from '../schema-file.js';
import type { DomainModel, EventModel } from '../model.js';
import { permissionsOf } from '../model.js';
import { refTarget } from '../normalize.js';
import type { EventPage, FieldNode, IndexEntry } from './site-types.js';

interface Resolved { node: JsonObject; from: LoadedSchema; name?: string }

function resolve(node: Json, from: LoadedSchema, all: Map<string, LoadedSchema>, depth = 0): Resolved {
  if (isObject(node) && typeof node.$ref === 'string' && depth < 20) {
    const { schema, definition } = refTarget(node.$ref, from, all);
    const target = definition && isObject(schema.json.definitions) ? schema.json.definitions[definition] : schema.json;
    const name = definition ?? schema.title;
    return { ...resolve(target ?? {}, schema, all, depth + 1), name };
  }
  return { node: isObject(node) ? node : {}, from };
}

const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);

function typeOf(r: Resolved, all: Map<string, LoadedSchema>): string {
  const n = r.node;
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (Array.isArray(n.oneOf)) return n.oneOf.map((alt) => typeOf(resolve(alt, r.from, all), all)).join(' | ');
  const types = Array.isArray(n.type) ? n.type.map(String) : typeof n.type === 'string' ? [n.type] : [];
  if (types.includes('array') && n.items !== undefined) return `${typeOf(resolve(n.items, r.from, all), all)}[]`;
  if (n['x-lark-type'] === 'int64') return 'int64 (string)';
  if (types.includes('object') && r.name) return r.name;
  if (types.includes('object') && isObject(n.additionalProperties)) return `map<string, ${typeOf(resolve(n.additionalProperties, r.from, all), all)}>`;
  return types.join(' | ') || 'any';
}

function constraintsOf(n: JsonObject): string[] {
  const out: string[] = [];
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'pattern'] as const) {
    if (n[k] !== undefined && !(k === 'pattern' && n['x-lark-type'] === 'int64')) out.push(`${k} ${String(n[k])}`);
  }
  return out;
}

/** The properties tree of a schema node, following $refs; a type met again on its own path is not expanded. */
export function fieldTree(root: Json, from: LoadedSchema, all: Map<string, LoadedSchema>): FieldNode[] {
  const walk = (node: Json, src: LoadedSchema, stack: string[]): FieldNode[] => {
    const r = resolve(node, src, all);
    const target = isObject(r.node.items) ? resolve(r.node.items, r.from, all)
      : isObject(r.node.additionalProperties) ? resolve(r.node.additionalProperties, r.from, all) : r;
    const props = isObject(target.node.properties) ? target.node.properties : {};
    const required = new Set(strings(target.node.required));
    return Object.entries(props).map(([name, raw]) => {
      const child = resolve(raw, target.from, all);
      const rawObj = isObject(raw) ? raw : {};
      const n = child.node;
      const enumDesc = isObject(n['x-lark-enum-descriptions']) ? n['x-lark-enum-descriptions'] : isObject(rawObj['x-lark-enum-descriptions']) ? rawObj['x-lark-enum-descriptions'] : {};
      const description = typeof rawObj.description === 'string' ? rawObj.description : typeof n.description === 'string' ? n.description : '';
      const permissions = [...strings(rawObj['x-lark-field-permissions']), ...strings(n['x-lark-field-permissions'])];
      const note = typeof rawObj['x-lark-note'] === 'string' ? rawObj['x-lark-note'] : typeof n['x-lark-note'] === 'string' ? n['x-lark-note'] : '';
      const field: FieldNode = { name, type: typeOf(child, all), required: required.has(name) };
      if (description) field.description = description;
      if (Array.isArray(n.enum)) field.enum = n.enum.map((v) => ({ value: v, ...(enumDesc[String(v)] !== undefined ? { label: String(enumDesc[String(v)]) } : {}) }));
      if (permissions.length) field.permissions = [...new Set(permissions)];
      const constraints = constraintsOf(n);
      if (constraints.length) field.constraints = constraints;
      if (note) field.note = note;
      const typeKey = child.name ?? (isObject(n.items) ? resolve(n.items, child.from, all).name : undefined);
      if (typeKey && stack.includes(typeKey)) field.recursive = true;
      else if (stack.length < 12) {
        const children = walk(raw, target.from, typeKey ? [...stack, typeKey] : stack);
        if (children.length) field.children = children;
      }
      return field;
    });
  };
  return walk(root, from, []);
}

const fieldNames = (nodes: FieldNode[], prefix = '', out = new Set<string>()): Set<string> => {
  for (const n of nodes) {
    out.add(n.name);
    if (n.children) fieldNames(n.children, `${prefix}${n.name}.`, out);
  }
  return out;
};

function meta(e: EventModel): JsonObject {
  return isObject(e.schema.json['x-lark']) ? e.schema.json['x-lark'] : {};
}

export function eventPage(e: EventModel, all: Map<string, LoadedSchema>): EventPage {
  const m = meta(e);
  const page: EventPage = {
    eventType: e.eventType,
    kind: e.kind,
    domain: e.domain,
    typeName: e.typeName,
    registerMethod: e.registerMethod,
    description: e.description,
    permissions: permissionsOf(e),
    fieldPermissions: strings(m.field_permissions),
    appTypes: strings(m.app_types),
    source: typeof m.source === 'string' ? m.source : '',
    fields: fieldTree(e.schema.json, e.schema, all),
    examples: Array.isArray(e.schema.json.examples) ? e.schema.json.examples : [],
    exampleSynthesized: e.schema.json['x-lark-example-source'] === 'synthesized',
  };
  if (e.responseRef && e.schema.meta.response) {
    page.response = { typeName: e.responseTypeName ?? '', fields: fieldTree({ $ref: e.schema.meta.response }, e.schema, all) };
  }
  return page;
}

export function indexEntry(page: EventPage): IndexEntry {
  return {
    e: page.eventType,
    t: page.typeName,
    d: page.domain,
    k: page.kind,
    s: (page.description.split(/[\n:：]/)[0] ?? '').slice(0, 80),
    f: [...fieldNames(page.fields)].sort().join(' '),
  };
}

export function siteData(domains: DomainModel[], all: Map<string, LoadedSchema>): { index: IndexEntry[]; pages: Map<string, EventPage[]> } {
  const pages = new Map(domains.map((d) => [d.name, d.events.map((e) => eventPage(e, all))]));
  const index = [...pages.values()].flat().map(indexEntry).sort((a, b) => (a.e < b.e ? -1 : 1));
  return { index, pages };
}
