/**
 * Reads the event handler typings of the official Node SDK (@larksuiteoapi/node-sdk): for each
 * event key of `IOtherEventHandles` (v1 events) and `IHandles` (schema 2.0 events), the fields the
 * SDK types for the data its handler receives.
 *
 * The SDK flattens the envelope into that data (2.0: `{...rest, ...header, ...event}`; v1:
 * `{...event, ...rest}`), so each top-level field says whether it is an envelope key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Node, Project } from 'ts-morph';
import type { InterfaceDeclaration, TypeNode } from 'ts-morph';
import { sliceInterfaces } from './node-sdk/slice.js';
import { readFields } from './node-sdk/types.js';
import type { SdkField } from './node-sdk/types.js';

export type { SdkField, SdkLiteral, SdkType } from './node-sdk/types.js';

/** The header keys the SDK's generator lists first in every schema 2.0 handler (ts/uuid/type are never sent in 2.0). */
export const V2_HEADER_KEYS: ReadonlySet<string> = new Set([
  'event_id', 'token', 'create_time', 'event_type', 'tenant_key', 'ts', 'uuid', 'type', 'app_id', 'schema',
]);

/** Top-level keys of a v1 delivery; they win over same-named `event` keys in the SDK's flattening. */
export const V1_ENVELOPE_KEYS: ReadonlySet<string> = new Set(['ts', 'uuid', 'token', 'type']);

const INTERFACES = ['IOtherEventHandles', 'IHandles'] as const;

export function defaultNodeSdkTypesPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@larksuiteoapi/node-sdk/package.json')), 'types', 'index.d.ts');
}

/** Schema 2.0 keys contain a dot; v1 keys (`add_bot`, `leave_approvalV2`) do not. */
export function isV2EventKey(key: string): boolean {
  return key.includes('.');
}

/**
 * Envelope detection. 2.0: the leading run of header keys (a body field may share a header key's
 * name, e.g. `type`, and then follows the header block). v1: by name, as the flattening lets the
 * top-level keys win.
 */
function envelopeClassifier(key: string): (name: string) => boolean {
  if (!isV2EventKey(key)) return (name) => V1_ENVELOPE_KEYS.has(name);
  let leading = true;
  const seen = new Set<string>();
  return (name) => {
    if (leading && V2_HEADER_KEYS.has(name) && !seen.has(name)) {
      seen.add(name);
      return true;
    }
    leading = false;
    return false;
  };
}

function handlerDataType(node: TypeNode | undefined): TypeNode | undefined {
  if (!node) return undefined;
  if (Node.isParenthesizedTypeNode(node)) return handlerDataType(node.getTypeNode());
  if (Node.isUnionTypeNode(node)) {
    for (const member of node.getTypeNodes()) {
      const found = handlerDataType(member);
      if (found) return found;
    }
    return undefined;
  }
  if (Node.isFunctionTypeNode(node)) return node.getParameters()[0]?.getTypeNode();
  return undefined;
}

function readInterface(decl: InterfaceDeclaration, out: Map<string, SdkField[]>): void {
  for (const prop of decl.getProperties()) {
    const nameNode = prop.getNameNode();
    const key = Node.isStringLiteral(nameNode) ? nameNode.getLiteralValue() : nameNode.getText();
    const data = handlerDataType(prop.getTypeNode());
    if (!data || !Node.isTypeLiteral(data)) {
      throw new Error(`node-sdk: handler "${key}" of ${decl.getName()} does not take an inline object type`);
    }
    out.set(key, readFields(data.getProperties(), envelopeClassifier(key)));
  }
}

/**
 * Event key → the fields of the SDK handler's data, envelope keys flagged. Parses only the two
 * handler interfaces (located by text) as an in-memory file; nothing is cached.
 */
export function readNodeSdkEvents(sdkTypesPath: string = defaultNodeSdkTypesPath()): Map<string, SdkField[]> {
  const text = fs.readFileSync(sdkTypesPath, 'utf8');
  const slices = sliceInterfaces(text, INTERFACES);
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true, skipFileDependencyResolution: true });
  const file = project.createSourceFile('node-sdk-handlers.d.ts', slices.map((s) => s.text).join('\n\n'));
  const events = new Map<string, SdkField[]>();
  // IHandles extends IOtherEventHandles: read the base first so that a redeclared key is overridden.
  for (const name of INTERFACES) readInterface(file.getInterfaceOrThrow(name), events);
  return events;
}

export function envelopeFields(fields: readonly SdkField[]): SdkField[] {
  return fields.filter((f) => f.envelope);
}

export function bodyFields(fields: readonly SdkField[]): SdkField[] {
  return fields.filter((f) => !f.envelope);
}
