import type { LoadedSchema } from './load.js';
import { isObject } from './schema-file.js';
import { emitTypes } from './emit-types.js';
import { emitValidators } from './emit-validators.js';

/** The domain whose entry (lark-event-catalog/im) re-exports the message content module. */
export const CONTENT_DOMAIN = 'im';
/** generated/ folder of the message content module. */
export const CONTENT_DIR = `${CONTENT_DOMAIN}/content`;

/** What the domain entry of im (lark-event-catalog/im) adds: the content types and parseMessageContent. */
export const CONTENT_ENTRY_STATEMENTS = [
  `export type * from './content/types.js';`,
  `export { parseMessageContent } from '../../src/content/parse-message-content.js';`,
  `export type { MessageContent, MessageContentOf, KnownMessageContent, UnknownMessageContent, OtherMessageContent, EventMessageLike, ApiMessageLike } from '../../src/content/parse-message-content.js';`,
  `export { MessageContentError } from '../../src/content/errors.js';`,
];

export interface ContentModel {
  messageType: string;
  typeName: string;
  schema: LoadedSchema;
}

export function contentModel(schemas: LoadedSchema[]): ContentModel[] {
  return schemas.map((s) => {
    const meta = s.json['x-lark'];
    const messageType = isObject(meta) && typeof meta.message_type === 'string' ? meta.message_type : '';
    return { messageType, typeName: s.title, schema: s };
  }).sort((a, b) => (a.messageType < b.messageType ? -1 : 1));
}

const VALIDATORS_DTS = `import type { CompiledValidator } from '../../../src/runtime/catalog-types.js';

/** message_type → precompiled validator of the parsed content. */
export declare const validators: Readonly<Record<string, CompiledValidator>>;
`;

/**
 * generated/im/content/{types.ts,validators.js,validators.d.ts} and the examples check: one type and
 * one precompiled validator per message type, and the message_type → content type map.
 */
export async function emitContent(schemas: LoadedSchema[], all: Map<string, LoadedSchema>): Promise<Map<string, string>> {
  const model = contentModel(schemas);
  const out = new Map<string, string>();
  const types = await emitTypes(schemas, all, undefined);
  const map = [
    '/** message_type → the JSON its `content` string holds (see guides/im-v1/message_content.md). */',
    'export interface MessageContentMap {',
    ...model.map((m) => `  ${m.messageType}: ${m.typeName};`),
    '}',
    '',
    '/** Every message type whose content is typed. */',
    'export type KnownMessageType = keyof MessageContentMap;',
  ].join('\n');
  out.set(`${CONTENT_DIR}/types.ts`, `${types.trimEnd()}\n\n${map}\n`);
  // The discriminator (post tags) makes ajv report the errors of the tag's own shape, not of every alternative.
  out.set(`${CONTENT_DIR}/validators.js`, emitValidators(schemas, { validators: model.map((m) => ({ key: m.messageType, ref: m.schema.id })) }, { discriminator: true }));
  out.set(`${CONTENT_DIR}/validators.d.ts`, VALIDATORS_DTS);
  const lines = model.flatMap((m) => (Array.isArray(m.schema.json.examples) ? m.schema.json.examples : [])
    .map((ex, i) => `export const ${m.typeName}_${i} = ${JSON.stringify(ex, null, 2)} satisfies ${m.typeName};`));
  out.set('checks/im-content.ts', `import type { ${model.map((m) => m.typeName).sort().join(', ')} } from '../${CONTENT_DIR}/types.js';\n\n${lines.join('\n\n')}\n`);
  return out;
}
