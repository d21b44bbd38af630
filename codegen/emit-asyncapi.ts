import fs from 'node:fs';
import path from 'node:path';
import type { LoadedSchema } from './load.js';
import { isMessageContent, isShared } from './load.js';
import { isObject, type Json, type JsonObject } from './schema-file.js';
import type { DomainModel, EventModel } from './model.js';
import { pascal, permissionsOf } from './model.js';
import { refTarget } from './normalize.js';
import { repoRoot } from './paths.js';
import { escapeToken as pointerToken } from '../src/util/json-pointer.js';

/**
 * The AsyncAPI 3.0 document of the whole catalog (generated/asyncapi.json): one message per event
 * and callback, payloads as components.schemas (the JSON Schemas of schemas/, with every $ref
 * rewritten to #/components/schemas/<title>), two delivery channels and their security schemes.
 * Protocol facts are those of /work/shared/protocol/webhook.md and long-connection.md, restated in
 * the descriptions below so that the document stands on its own.
 */

const SCHEMA_PREFIX = '#/components/schemas/';
/** Keywords of a schema file that do not belong in a component schema. */
const DROPPED = new Set(['$schema', '$id', 'definitions', 'examples', 'x-lark', 'x-lark-example-source']);

export const WEBHOOK_CHANNEL = 'webhook';
export const WEBHOOK_REPLY_CHANNEL = 'webhookResponse';
export const WS_CHANNEL = 'longConnection';
export const WS_REPLY_CHANNEL = 'longConnectionAnswer';
export const responseMessageName = (eventType: string): string => `${eventType}.response`;

/** Component name of what a $ref points at: the definition's key (= its title) or the file's title. */
function componentOfRef(ref: string, from: LoadedSchema, all: Map<string, LoadedSchema>): string {
  const { schema, definition } = refTarget(ref, from, all);
  return definition ?? schema.title;
}

function rewrite(node: Json, from: LoadedSchema, all: Map<string, LoadedSchema>, top: boolean): Json {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, from, all, false));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (top && DROPPED.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = SCHEMA_PREFIX + componentOfRef(value, from, all);
    // Property names and enum-description keys are data, not schemas: copy them as they are.
    else if (key === 'x-lark-enum-descriptions' || key === 'enum' || key === 'const' || key === 'default') out[key] = value;
    else out[key] = rewrite(value, from, all, false);
  }
  return out;
}

/** Every schema file's root (unless it holds definitions only) and every definition, by name. */
export function componentSchemas(schemas: LoadedSchema[], all: Map<string, LoadedSchema>): JsonObject {
  const out = new Map<string, Json>();
  const add = (name: string, value: Json, where: string): void => {
    if (out.has(name)) throw new Error(`${where}: the component name ${name} is used twice (titles must be unique across schemas/)`);
    out.set(name, value);
  };
  // Message content schemas describe a string inside message.content, not a delivery, and their
  // ajv discriminators are not AsyncAPI schema keywords.
  for (const s of schemas.filter((x) => !isMessageContent(x))) {
    const definitionsOnly = isShared(s) && !s.rel.startsWith('common/');
    if (!definitionsOnly) add(s.title, rewrite(s.json, s, all, true), s.file);
    if (isObject(s.json.definitions)) {
      for (const [name, def] of Object.entries(s.json.definitions)) add(name, rewrite(def, s, all, false), `${s.file}#/definitions/${name}`);
    }
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const KIND_TAG: Record<EventModel['kind'], string> = { p2: 'schema-2.0', p1: 'v1', callback: 'callback' };

function larkMeta(e: EventModel): JsonObject {
  const meta = isObject(e.schema.json['x-lark']) ? e.schema.json['x-lark'] : {};
  const list = (key: string): Json[] => (Array.isArray(meta[key]) ? meta[key] : []);
  return {
    event_type: e.eventType,
    kind: e.kind,
    domain: e.domain,
    type_name: e.typeName,
    register_method: e.registerMethod,
    permissions: permissionsOf(e),
    field_permissions: list('field_permissions'),
    app_types: list('app_types'),
    ...(typeof meta.source === 'string' ? { source: meta.source } : {}),
  };
}

function message(e: EventModel): JsonObject {
  const permissions = permissionsOf(e);
  const examples = Array.isArray(e.schema.json.examples) ? e.schema.json.examples : [];
  const synthesized = e.schema.json['x-lark-example-source'] === 'synthesized';
  const summary = e.description.split(/\r?\n/)[0] ?? '';
  const notes = [
    e.description,
    permissions.length ? `Permissions (any one suffices to subscribe): ${permissions.map((p) => `\`${p}\``).join(', ')}.` : '',
    `Handler: \`${e.registerMethod}\` (TypeScript type \`${e.typeName}\`).`,
  ].filter(Boolean);
  return {
    name: e.eventType,
    title: e.typeName,
    summary,
    description: notes.join('\n\n'),
    contentType: 'application/json',
    tags: [...new Set([e.domain, KIND_TAG[e.kind]])].map((name) => ({ name })),
    payload: { $ref: SCHEMA_PREFIX + e.typeName },
    examples: examples.map((payload, i) => ({
      name: examples.length > 1 ? `example-${i + 1}` : 'example',
      summary: synthesized ? 'Synthesized example (the reference page has none)' : 'Example from the official reference',
      payload,
    })),
    traits: [{ $ref: '#/components/messageTraits/webhookDelivery' }],
    'x-lark': larkMeta(e),
  };
}

function responseMessage(e: EventModel): JsonObject {
  return {
    name: responseMessageName(e.eventType),
    title: e.responseTypeName ?? `${e.typeName}Response`,
    summary: `The answer to ${e.eventType}`,
    description: `What the handler registered with \`${e.registerMethod}\` returns. Over the webhook it is the JSON body of the 200 response; over the long connection it is base64-encoded JSON in the \`data\` of the answer frame's payload \`{"code": 200, "data": "…"}\`. Due within 3 s.`,
    contentType: 'application/json',
    payload: { $ref: SCHEMA_PREFIX + (e.responseTypeName ?? '') },
    'x-lark': { event_type: e.eventType, domain: e.domain, type_name: e.responseTypeName ?? '' },
  };
}

const ref = (path: string): JsonObject => ({ $ref: path });
const channelMessages = (names: string[]): JsonObject => Object.fromEntries(names.map((n) => [n, ref(`#/components/messages/${pointerToken(n)}`)]));
const opMessages = (channel: string, names: string[]): Json[] => names.map((n) => ref(`#/channels/${channel}/messages/${pointerToken(n)}`));

const WEBHOOK_DESCRIPTION = `Every delivery is an HTTP POST with a JSON body (Content-Type: application/json) to the Request URL configured in the developer console (\`lark-events serve\` listens on /webhook/event).
The same URL receives:
- the URL verification challenge \`{"challenge", "token", "type": "url_verification"}\` (components.schemas.UrlVerification): answer 200 with \`{"challenge": "<same value>"}\` within 1 s, after checking the token;
- schema 2.0 events and callbacks (\`"schema": "2.0"\`, routed by \`header.event_type\`);
- v1 events (\`"type": "event_callback"\`, routed by \`event.type\`);
- any of the above encrypted as \`{"encrypt": "<base64>"}\` when an Encrypt Key is configured (see the encryptKey security scheme).
An event is acknowledged by a 200 within 3 s (the body is ignored); a callback's 200 carries its answer. Without a 200 in time the platform retries after 15 s, 5 min, 1 h and 6 h. Delivery is at least once: de-duplicate on header.event_id (schema 2.0) or uuid (v1).`;

const WS_DESCRIPTION = `The long connection (长连接), for self-built apps. The client first discovers its endpoint: POST {server}/callback/ws/endpoint with the body {"AppID", "AppSecret"} answers {"code": 0, "data": {"URL": "wss://…", "ClientConfig": {…}}}; the URL is opaque and short-lived. Every WebSocket message is a binary protobuf frame pbbp2.Frame (method 0 control: ping/pong; method 1 data). A data frame's header "type" is "event" (events and callbacks alike) and its payload is the UTF-8 JSON of one of the messages below; large messages arrive in fragments sharing "message_id", ordered by "seq" out of "sum". Payloads are plaintext: authentication happens once, at discovery. Delivery is cluster mode: each event goes to one of the app's connections (at most 50).`;

function channels(events: EventModel[]): JsonObject {
  const names = events.map((e) => e.eventType);
  const replies = events.filter((e) => e.responseRef).map((e) => responseMessageName(e.eventType));
  return {
    [WEBHOOK_CHANNEL]: {
      address: null,
      title: 'Webhook (将事件发送至开发者服务器)',
      description: WEBHOOK_DESCRIPTION,
      servers: [ref('#/servers/webhook')],
      messages: channelMessages(names),
    },
    [WEBHOOK_REPLY_CHANNEL]: {
      address: null,
      title: 'Webhook response',
      description: 'The HTTP response to a callback delivery: status 200 and the answer as its JSON body.',
      servers: [ref('#/servers/webhook')],
      messages: channelMessages(replies),
    },
    [WS_CHANNEL]: {
      address: null,
      title: 'Long connection (长连接)',
      description: WS_DESCRIPTION,
      servers: [ref('#/servers/feishu'), ref('#/servers/lark')],
      messages: channelMessages(names),
      bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } },
    },
    [WS_REPLY_CHANNEL]: {
      address: null,
      title: 'Long connection answer frame',
      description: 'The frame the client sends back for a data frame, within 3 s: the received frame (same SeqID, LogID, service, method and headers, plus header biz_rt = handling time in ms) with its payload replaced by UTF-8 JSON {"code": 200} (handled), {"code": 200, "data": "<base64 of the answer JSON>"} (a callback\'s answer, described by the messages here) or {"code": 500} (failed: the platform pushes the event again).',
      servers: [ref('#/servers/feishu'), ref('#/servers/lark')],
      messages: channelMessages(replies),
    },
  };
}

function operations(events: EventModel[]): JsonObject {
  const plain = events.filter((e) => !e.responseRef).map((e) => e.eventType);
  const callbacks = events.filter((e) => e.responseRef);
  const out: JsonObject = {};
  const via = [
    { suffix: 'OverWebhook', channel: WEBHOOK_CHANNEL, reply: WEBHOOK_REPLY_CHANNEL, bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } }, how: 'the webhook' },
    { suffix: 'OverLongConnection', channel: WS_CHANNEL, reply: WS_REPLY_CHANNEL, bindings: undefined, how: 'the long connection' },
  ];
  for (const v of via) {
    if (plain.length) {
      out[`receiveEvents${v.suffix}`] = {
        action: 'receive',
        channel: ref(`#/channels/${v.channel}`),
        title: `Receive events over ${v.how}`,
        summary: 'Acknowledge within 3 s; the platform retries otherwise.',
        messages: opMessages(v.channel, plain),
        ...(v.bindings ? { bindings: v.bindings } : {}),
      };
    }
    for (const e of callbacks) {
      out[`answer${pascal(e.eventType)}${v.suffix}`] = {
        action: 'receive',
        channel: ref(`#/channels/${v.channel}`),
        title: `Answer ${e.eventType} over ${v.how}`,
        summary: 'The handler\'s return value is the answer, due within 3 s.',
        messages: opMessages(v.channel, [e.eventType]),
        reply: { channel: ref(`#/channels/${v.reply}`), messages: opMessages(v.reply, [responseMessageName(e.eventType)]) },
        ...(v.bindings ? { bindings: v.bindings } : {}),
      };
    }
  }
  return out;
}

const SECURITY_SCHEMES: JsonObject = {
  verificationToken: {
    type: 'apiKey',
    in: 'user',
    description: 'Verification Token (事件 Token), carried in the body (AsyncAPI has no body location for a key: see x-lark-in). Every body carries the token: header.token (schema 2.0), token (v1 events and the URL verification challenge). When no Encrypt Key is set it is the only proof of origin: a receiver configured with a token rejects a mismatch with 401.',
    'x-lark-in': 'body',
    'x-lark-fields': ['header.token', 'token'],
  },
  encryptKey: {
    type: 'symmetricEncryption',
    description: 'Encrypt Key: when configured, the body is {"encrypt": base64(IV (16 bytes) || AES-256-CBC ciphertext)} with PKCS#7 padding, key = SHA-256 of the Encrypt Key string (UTF-8); the plaintext is one of the channel\'s bodies (components.schemas.EncryptedBody). There is no MAC: integrity comes from the signature.',
  },
  signature: {
    type: 'httpApiKey',
    name: 'X-Lark-Signature',
    in: 'header',
    description: 'Signature, sent when an Encrypt Key is configured: X-Lark-Signature = hex(SHA-256(X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key + raw body bytes)), over the exact bytes received (for an encrypted delivery, the {"encrypt": …} wrapper). Compare in constant time. URL verification requests carry no signature headers.',
  },
  appCredentials: {
    type: 'userPassword',
    description: 'The long connection authenticates once, at endpoint discovery: POST /callback/ws/endpoint with {"AppID": "<app id>", "AppSecret": "<app secret>"}. Frames then arrive in plaintext, unsigned.',
  },
};

const WEBHOOK_TRAIT: JsonObject = {
  summary: 'Headers of a webhook delivery',
  bindings: {
    http: {
      headers: {
        type: 'object',
        description: 'Sent when an Encrypt Key is configured (names are case-insensitive).',
        properties: {
          'X-Lark-Request-Timestamp': { type: 'string', description: 'Epoch seconds' },
          'X-Lark-Request-Nonce': { type: 'string' },
          'X-Lark-Signature': { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'hex(SHA-256(timestamp + nonce + encryptKey + rawBody))' },
        },
      },
      bindingVersion: '0.3.0',
    },
  },
};

const packageVersion = (): string => (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The document as JSON text; info.version is the package's version. */
export function emitAsyncApi(domains: DomainModel[], schemas: LoadedSchema[], all: Map<string, LoadedSchema>, banner: string): string {
  const events = domains.flatMap((d) => d.events).sort((a, b) => (a.eventType < b.eventType ? -1 : 1));
  const messages: JsonObject = {};
  for (const e of events) messages[e.eventType] = message(e);
  for (const e of events) if (e.responseRef) messages[responseMessageName(e.eventType)] = responseMessage(e);
  const doc: JsonObject = {
    asyncapi: '3.0.0',
    info: {
      title: 'Feishu / Lark Open Platform events and callbacks',
      version: packageVersion(),
      description: `Every event and callback the Feishu / Lark Open Platform delivers to an app (${events.length}), over the webhook and the long connection, with JSON Schema payloads and examples. ${banner}`,
      license: { name: 'MIT' },
      tags: domains.map((d) => ({ name: d.name })),
    },
    defaultContentType: 'application/json',
    servers: {
      webhook: {
        host: '{host}',
        protocol: 'https',
        title: 'Your app\'s webhook receiver',
        description: 'The server behind the Request URL configured in the developer console; the platform is the client.',
        variables: { host: { default: 'example.com', description: 'Host (and port) of the Request URL' } },
        security: [ref('#/components/securitySchemes/verificationToken'), ref('#/components/securitySchemes/signature'), ref('#/components/securitySchemes/encryptKey')],
      },
      feishu: {
        host: 'open.feishu.cn',
        protocol: 'wss',
        title: 'Feishu long connection',
        description: 'Endpoint discovery at https://open.feishu.cn/callback/ws/endpoint; the wss:// URL it returns is the actual connection.',
        security: [ref('#/components/securitySchemes/appCredentials')],
      },
      lark: {
        host: 'open.larksuite.com',
        protocol: 'wss',
        title: 'Lark long connection',
        description: 'Endpoint discovery at https://open.larksuite.com/callback/ws/endpoint; the wss:// URL it returns is the actual connection.',
        security: [ref('#/components/securitySchemes/appCredentials')],
      },
    },
    channels: channels(events),
    operations: operations(events),
    components: {
      schemas: componentSchemas(schemas, all),
      messages,
      messageTraits: { webhookDelivery: WEBHOOK_TRAIT },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
