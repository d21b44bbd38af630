import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageContentError, parseMessageContent } from '../../src/index.js';
import { parseMessageContent as fromIm } from '../../generated/im/index.js';
import { example, repo } from '../helpers.js';

const contentDir = path.join(repo, 'schemas', 'im', 'content');
const page = fs.readFileSync(path.join(repo, 'test', 'fixtures', 'lark-docs', 'guides', 'im-v1', 'message_content.md'), 'utf8');
const schemas = fs.readdirSync(contentDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(contentDir, f), 'utf8')) as { 'x-lark': { message_type: string }; examples: unknown[] });

function thrown(fn: () => unknown): MessageContentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MessageContentError) return err;
    throw err;
  }
  throw new Error('expected a MessageContentError');
}

describe('message content schemas', () => {
  it('cover every message type the content page documents (its headings end with the type)', () => {
    const documented = [...page.matchAll(/^#{3,4} .*?\b([a-z]+(?:_[a-z]+)*)\s*$/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(0);
    expect(schemas.map((s) => s['x-lark'].message_type).sort()).toEqual([...new Set(documented)].sort());
  });
});

describe('parseMessageContent', () => {
  it('parses every example of the page into its message type, unchanged', () => {
    for (const s of schemas) {
      for (const ex of s.examples) {
        const type = s['x-lark'].message_type;
        expect(parseMessageContent({ message_type: type, content: JSON.stringify(ex) })).toEqual({ message_type: type, content: ex });
      }
    }
  });

  it('reads the message of an im.message.receive_v1 example, and an API message (msg_type, body.content)', () => {
    const message = (example('im', 'im.message.receive_v1').event as { message: { message_type: string; content: string } }).message;
    const p = parseMessageContent(message);
    expect(p.message_type).toBe(message.message_type);
    expect(p.content).toEqual(JSON.parse(message.content));
    expect(fromIm({ msg_type: 'image', body: { content: '{"image_key":"img_1"}' } })).toEqual({ message_type: 'image', content: { image_key: 'img_1' } });
  });

  it('accepts properties newer than the schema (drift), and returns unknown message types parsed', () => {
    expect(parseMessageContent({ message_type: 'text', content: '{"text":"hi","new_field":1}' }).content).toEqual({ text: 'hi', new_field: 1 });
    expect(parseMessageContent({ message_type: 'brand_new_type', content: '{"x":[1]}' })).toEqual({ message_type: 'brand_new_type', content: { x: [1] } });
  });

  it('rejects invalid JSON with the message type in a typed error', () => {
    const err = thrown(() => parseMessageContent({ message_type: 'text', content: '{"text":' }));
    expect(err.messageType).toBe('text');
    expect(err.pointer).toBe('');
    expect(err.message).toMatch(/^text message content at \/: content is not valid JSON/);
  });

  it('rejects a message without a content string', () => {
    expect(thrown(() => parseMessageContent({ msg_type: 'text', body: {} })).message).toMatch(/text message content at \/: the message has no content string \(body\.content\)/);
  });

  it('names the JSON pointer of a missing or mistyped field', () => {
    const missing = thrown(() => parseMessageContent({ message_type: 'image', content: '{"file_key":"x"}' }));
    expect([missing.messageType, missing.pointer]).toEqual(['image', '/image_key']);
    expect(missing.message).toBe("image message content at /image_key: must have required property 'image_key'");
    const mistyped = thrown(() => parseMessageContent({ message_type: 'audio', content: '{"file_key":"x","duration":"2s"}' }));
    expect([mistyped.pointer, mistyped.reason]).toEqual(['/duration', 'must be integer']);
  });

  it('checks a post tag against its own shape, and names an unknown tag', () => {
    const post = (el: unknown) => JSON.stringify({ title: '', content: [[{ tag: 'text', text: 'ok' }, el]] });
    const bad = thrown(() => parseMessageContent({ message_type: 'post', content: post({ tag: 'img' }) }));
    expect([bad.pointer, bad.reason]).toEqual(['/content/0/1/image_key', "must have required property 'image_key'"]);
    const unknown = thrown(() => parseMessageContent({ message_type: 'post', content: post({ tag: 'marquee' }) }));
    expect([unknown.pointer, unknown.reason]).toEqual(['/content/0/1/tag', 'unknown tag "marquee"']);
  });

  it('checks nested content: a todo summary is a post', () => {
    const err = thrown(() => parseMessageContent({ message_type: 'todo', content: JSON.stringify({ task_id: 't', due_time: '1', summary: { title: '', content: [[{ tag: 'at' }]] } }) }));
    expect(err.pointer).toBe('/summary/content/0/0/user_id');
  });
});
