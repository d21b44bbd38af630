import type { EventSchema, LoadedSchema } from './load.js';
import { typeNameOfRef } from './normalize.js';

/** One event as the emitters see it. */
export interface EventModel {
  eventType: string;
  kind: 'p2' | 'p1' | 'callback';
  domain: string;
  typeName: string;
  registerMethod: string;
  description: string;
  responseTypeName?: string;
  responseRef?: string;
  schema: EventSchema;
}

export interface DomainModel {
  name: string;
  /** PascalCase, for interface names: `meeting_room` → `MeetingRoom`. */
  pascal: string;
  events: EventModel[];
}

export const pascal = (s: string): string => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');

export function buildModel(events: EventSchema[], all: Map<string, LoadedSchema>): DomainModel[] {
  const domains = new Map<string, EventModel[]>();
  for (const e of events) {
    const description = typeof e.json.description === 'string' ? e.json.description : '';
    const responseRef = e.meta.response;
    const model: EventModel = {
      eventType: e.meta.event_type,
      kind: e.meta.kind,
      domain: e.domain,
      typeName: e.title,
      registerMethod: e.meta.register_method,
      description,
      schema: e,
      ...(responseRef ? { responseRef: `${e.id}${responseRef}`, responseTypeName: typeNameOfRef(responseRef, e, all) } : {}),
    };
    const list = domains.get(e.domain) ?? [];
    list.push(model);
    domains.set(e.domain, list);
  }
  return [...domains.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, list]) => ({ name, pascal: pascal(name), events: list.sort((a, b) => (a.eventType < b.eventType ? -1 : 1)) }));
}

export function permissionsOf(e: EventModel): string[] {
  const p = (e.schema.json['x-lark'] as Record<string, unknown> | undefined)?.permissions;
  return Array.isArray(p) ? p.map(String) : [];
}

