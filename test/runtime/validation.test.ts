import { describe, expect, it } from 'vitest';
import { validate, validateResponse } from '../../src/index.js';
import type { AjvError, Shape } from '../../src/runtime/catalog-types.js';
import { issuesFromAjv, runValidator } from '../../src/runtime/validation.js';
import type { CompiledValidator } from '../../src/runtime/catalog-types.js';
import { example } from '../helpers.js';

type Message = { event: { message: Record<string, unknown>; sender: Record<string, unknown> }; header?: unknown };
const receive = () => example('im', 'im.message.receive_v1') as unknown as Message;

describe('validation classes: contradiction or drift', () => {
  it('a new enum value is drift: valid in the default mode (reported apart), an error in strict mode', async () => {
    const p = receive();
    p.event.message.chat_type = 'topic_group';
    const lenient = await validate(p);
    expect(lenient.valid).toBe(true);
    expect(lenient.errors).toEqual([]);
    expect(lenient.drift).toEqual([expect.objectContaining({ pointer: '/event/message/chat_type', class: 'drift', drift: 'enum', foundType: 'string' })]);
    const strict = await validate(p, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.errors).toEqual([expect.objectContaining({ pointer: '/event/message/chat_type', class: 'drift', drift: 'enum' })]);
  });

  it('an unknown property and a null where none was seen are drift', async () => {
    const p = receive();
    p.event.message.brand_new = { a: 1 };
    p.event.message.chat_id = null;
    const r = await validate(p);
    expect(r.valid).toBe(true);
    expect(r.drift?.map((i) => [i.pointer, i.class, i.drift])).toEqual([
      ['/event/message/chat_id', 'drift', 'null'],
      ['/event/message/brand_new', 'drift', 'property'],
    ]);
    const strict = await validate(p, { strict: true });
    expect(strict.errors.map((i) => i.pointer).sort()).toEqual(['/event/message/brand_new', '/event/message/chat_id']);
  });

  it('a wrong type where the evidence is unanimous is a contradiction in every mode, one issue for the pointer', async () => {
    const p = receive();
    (p.event as Record<string, unknown>).message = 'oops';
    for (const strict of [false, true]) {
      const r = await validate(p, { strict });
      expect(r.valid).toBe(false);
      expect(r.errors).toEqual([expect.objectContaining({ pointer: '/event/message', keyword: 'type', class: 'contradiction', expected: 'object', found: '"oops"' })]);
    }
  });

  it('a broken envelope is a contradiction: a missing header names /header', async () => {
    const p = receive();
    delete p.header;
    const r = await validate(p);
    expect(r.valid).toBe(false);
    expect(r.errors).toContainEqual(expect.objectContaining({ pointer: '/header', keyword: 'required', class: 'contradiction' }));
  });

  it('a missing routing field is a contradiction even where a null would be drift elsewhere', async () => {
    const p = receive() as unknown as { header: Record<string, unknown> };
    p.header.event_id = null;
    const r = await validate(p);
    expect(r.valid).toBe(false);
    expect(r.errors).toContainEqual(expect.objectContaining({ pointer: '/header/event_id', class: 'contradiction' }));
  });

  it('a callback response has no drift: a value outside its enum fails in the default mode', async () => {
    const r = await validateResponse('card.action.trigger', { toast: { type: 'shout', content: 'x' } });
    expect(r.valid).toBe(false);
    expect(r.errors).toContainEqual(expect.objectContaining({ pointer: '/toast/type', class: 'contradiction' }));
  });
});

describe('issuesFromAjv: one problem per pointer', () => {
  const err = (instancePath: string, keyword: string, params: Record<string, unknown>, schemaPath = `#/${keyword}`): AjvError => ({ instancePath, keyword, params, schemaPath, message: `must ${keyword}` });

  it('keeps the type problem when ajv also reports the enum for the same field', () => {
    const issues = issuesFromAjv([err('/a', 'type', { type: 'string' }), err('/a', 'enum', { allowedValues: ['x'] })], { a: 5 });
    expect(issues).toEqual([expect.objectContaining({ pointer: '/a', keyword: 'type', expected: 'string', found: '5', class: 'contradiction' })]);
  });

  it('a value matching no alternative: one type problem naming every type allowed', () => {
    const issues = issuesFromAjv([
      err('/m', 'type', { type: 'object' }, '#/properties/m/anyOf/0/type'),
      err('/m', 'type', { type: 'null' }, '#/properties/m/anyOf/1/type'),
      err('/m', 'anyOf', {}, '#/properties/m/anyOf'),
    ], { m: 'str' });
    expect(issues).toEqual([expect.objectContaining({ pointer: '/m', keyword: 'type', expected: 'object or null', class: 'contradiction' })]);
  });

  it('a value of an alternative\'s type failing inside it: the problem inside, not the alternatives', () => {
    const issues = issuesFromAjv([
      err('/m', 'required', { missingProperty: 'id' }, '#/properties/m/anyOf/0/required'),
      err('/m', 'type', { type: 'null' }, '#/properties/m/anyOf/1/type'),
      err('/m', 'anyOf', {}, '#/properties/m/anyOf'),
    ], { m: {} });
    expect(issues.map((i) => [i.pointer, i.keyword])).toEqual([['/m/id', 'required']]);
  });

  it('runValidator: unknown properties only in strict mode or when asked, as drift', () => {
    const validator: CompiledValidator = () => true;
    const shape: Shape = { p: { a: {} } };
    expect(runValidator(validator, shape, { a: 1, b: 2 }, false, 'x').drift).toEqual([]);
    expect(runValidator(validator, shape, { a: 1, b: 2 }, false, 'x', { unknown: true }).drift).toEqual([expect.objectContaining({ pointer: '/b', class: 'drift', drift: 'property' })]);
    const strict = runValidator(validator, shape, { a: 1, b: 2 }, true, 'x');
    expect(strict.valid).toBe(false);
    expect(strict.errors).toEqual([expect.objectContaining({ pointer: '/b', keyword: 'unknownProperty' })]);
  });
});
