import fs from 'node:fs';
import path from 'node:path';
import type { JsonObject } from '../../../codegen/schema-file.js';
import { tmpDir } from '../../helpers.js';

const BASE = 'https://lark-event-catalog.dev/schemas';

/** A one-event schemas folder: demo.thing.created_v1 with a shared user id in common/, every drift case in reach. */
export function demoSchemas(): { dir: string; file: string; schema: JsonObject } {
  const dir = path.join(tmpDir('learn'), 'schemas');
  fs.mkdirSync(path.join(dir, 'common'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'demo'), { recursive: true });
  const userId: JsonObject = {
    $schema: 'http://json-schema.org/draft-07/schema#', $id: `${BASE}/common/user_id.json`, title: 'UserId', description: 'ids', type: 'object',
    properties: { open_id: { type: 'string' }, user_id: { type: 'string' } }, examples: [{ open_id: 'ou_1' }],
  };
  const schema: JsonObject = {
    $schema: 'http://json-schema.org/draft-07/schema#', $id: `${BASE}/demo/demo.thing.created_v1.json`, title: 'P2DemoThingCreatedV1', description: 'demo',
    'x-lark': { event_type: 'demo.thing.created_v1', kind: 'p2', register_method: 'register_p2_demo_thing_created_v1' },
    type: 'object', required: ['schema', 'header', 'event'],
    properties: { schema: { type: 'string', const: '2.0' }, header: { $ref: '#/definitions/P2DemoThingCreatedV1Header' }, event: { $ref: '#/definitions/P2DemoThingCreatedV1Data' } },
    definitions: {
      P2DemoThingCreatedV1Header: { title: 'P2DemoThingCreatedV1Header', type: 'object', required: ['event_id', 'event_type'], properties: { event_id: { type: 'string' }, event_type: { type: 'string' }, token: { type: 'string' } } },
      P2DemoThingCreatedV1Data: {
        title: 'P2DemoThingCreatedV1Data', type: 'object', required: ['thing_id'],
        properties: {
          thing_id: { type: 'string', maxLength: 8 },
          status: { type: 'integer', enum: [1, 2] },
          owner: { $ref: '../common/user_id.json' },
          name: { type: 'string' },
          count: { type: 'integer', 'x-lark-note': 'The table says int; the SDK says string.' },
          tags: { type: 'array', items: { $ref: '#/definitions/P2DemoThingCreatedV1Tag' } },
          extra: { type: 'object', additionalProperties: true },
        },
      },
      P2DemoThingCreatedV1Tag: { title: 'P2DemoThingCreatedV1Tag', type: 'object', properties: { label: { type: 'string' } } },
    },
    examples: [{ schema: '2.0', header: { event_id: 'e0', event_type: 'demo.thing.created_v1' }, event: { thing_id: 't1', status: 1 } }],
  };
  fs.writeFileSync(path.join(dir, 'common', 'user_id.json'), JSON.stringify(userId, null, 2) + '\n');
  const file = path.join(dir, 'demo', 'demo.thing.created_v1.json');
  fs.writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  return { dir, file, schema };
}

/** A demo delivery; `event` fields override the valid defaults. */
export function demoPayload(event: Record<string, unknown> = {}, id = 'e1'): JsonObject {
  return { schema: '2.0', header: { event_id: id, event_type: 'demo.thing.created_v1', token: 't' }, event: { thing_id: 't1', status: 1, ...event } } as JsonObject;
}
