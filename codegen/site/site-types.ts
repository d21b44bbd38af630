/** The data the site's browser code reads (data/index.json, data/<domain>.json). */

export interface FieldNode {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  enum?: Array<{ value: unknown; label?: string }>;
  /** x-lark-field-permissions: the field is sent only with one of these scopes. */
  permissions?: string[];
  constraints?: string[];
  note?: string;
  /** The type appears again on its own path: not expanded a second time. */
  recursive?: boolean;
  children?: FieldNode[];
}

export interface EventPage {
  eventType: string;
  kind: 'p2' | 'p1' | 'callback';
  domain: string;
  typeName: string;
  registerMethod: string;
  description: string;
  permissions: string[];
  fieldPermissions: string[];
  appTypes: string[];
  source: string;
  fields: FieldNode[];
  examples: unknown[];
  exampleSynthesized: boolean;
  response?: { typeName: string; fields: FieldNode[] };
}

/** One search row, short keys: the index of all events is loaded up front. */
export interface IndexEntry {
  /** event type */ e: string;
  /** type name */ t: string;
  /** domain */ d: string;
  /** kind */ k: 'p2' | 'p1' | 'callback';
  /** summary */ s: string;
  /** every field name, space-separated */ f: string;
}

export interface SiteIndex {
  version: string;
  events: IndexEntry[];
  domains: Array<{ name: string; count: number }>;
}
