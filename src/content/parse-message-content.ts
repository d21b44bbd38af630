import type { KnownMessageType, MessageContentMap } from '../../generated/im/content/types.js';
import { validators } from '../../generated/im/content/validators.js';
import type { AjvError } from '../runtime/catalog-types.js';
import { jsonErrorLocation } from '../util/json-error-location.js';
import { MessageContentError } from './errors.js';
import { escapeToken } from '../util/json-pointer.js';

/** The parsed content of a message of type T, with the type as the discriminant. */
export type MessageContentOf<T extends KnownMessageType> = { [K in T]: { message_type: K; content: MessageContentMap[K] } }[T];

/** The parsed content of any message type the catalog types. */
export type KnownMessageContent = MessageContentOf<KnownMessageType>;

/** A message type the catalog does not know yet (drift): its content is the parsed JSON, unchecked. */
export interface UnknownMessageContent<T extends string = string> {
  message_type: T;
  content: unknown;
}

/**
 * The member of {@link MessageContent} for a message type the catalog does not know (drift).
 * TypeScript cannot type "any string but the known ones", so this member stays in every
 * `p.message_type === 'text'` branch; its content is typed `never` (not `unknown`) so that `p.content`
 * keeps the known type there. At run time it is the parsed JSON: once no known type matched, read it
 * as `unknown` (`const raw: unknown = p.content`). (`string & {}` as the type here would stop
 * TypeScript from narrowing on message_type at all.)
 */
export interface OtherMessageContent {
  message_type: string;
  content: never;
}

/** What {@link parseMessageContent} returns: discriminated by message_type. */
export type MessageContent = KnownMessageContent | OtherMessageContent;

/** A message as events hand it out (im.message.receive_v1: message_type and content). */
export interface EventMessageLike<T extends string = string> {
  readonly message_type: T;
  readonly content?: string | null | undefined;
}

/** A message as the IM API hands it out (msg_type, and the content under body). */
export interface ApiMessageLike<T extends string = string> {
  readonly msg_type: T;
  readonly body?: { readonly content?: string | null | undefined } | null | undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

function pointerOf(e: AjvError): string {
  const missing = e.keyword === 'required' ? e.params.missingProperty : e.keyword === 'discriminator' ? e.params.tag : undefined;
  return typeof missing === 'string' ? `${e.instancePath}/${escapeToken(missing)}` : e.instancePath;
}

function reasonOf(e: AjvError): string {
  if (e.keyword === 'discriminator') return `unknown tag ${JSON.stringify(e.params.tagValue)}`;
  if (e.keyword === 'const' || e.keyword === 'enum') return `${e.message ?? e.keyword}: ${JSON.stringify(e.params.allowedValue ?? e.params.allowedValues)}`;
  return e.message ?? e.keyword;
}

/**
 * Parses a message's `content` (a JSON string whose shape depends on message_type) and checks it
 * against the schema of its type (schemas/im/content/). Unknown extra properties are accepted, as in
 * the default validation mode; a message type the catalog does not know returns its parsed JSON.
 *
 * @throws {MessageContentError} when the content is missing or not JSON, or contradicts its type's schema.
 */
export function parseMessageContent<T extends KnownMessageType>(message: EventMessageLike<T> | ApiMessageLike<T>): MessageContentOf<T>;
export function parseMessageContent(message: EventMessageLike | ApiMessageLike): MessageContent;
export function parseMessageContent(message: EventMessageLike | ApiMessageLike): { message_type: string; content: unknown } {
  const api = !('message_type' in message);
  const messageType = api ? (message as ApiMessageLike).msg_type : (message as EventMessageLike).message_type;
  const text = api ? (message as ApiMessageLike).body?.content : (message as EventMessageLike).content;
  if (typeof text !== 'string') throw new MessageContentError(String(messageType), '', `the message has no content string (${api ? 'body.content' : 'content'})`);
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorLocation(text, err);
    throw new MessageContentError(messageType, '', `content is not valid JSON: ${at.message} (line ${at.line}, column ${at.column})`);
  }
  const validate = hasOwn.call(validators, messageType) ? validators[messageType] : undefined;
  if (validate && !validate(content)) {
    const first = validate.errors?.[0];
    throw first ? new MessageContentError(messageType, pointerOf(first), reasonOf(first)) : new MessageContentError(messageType, '', 'content does not match its schema');
  }
  return { message_type: messageType, content };
}
