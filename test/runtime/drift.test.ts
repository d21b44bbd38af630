import { describe, expect, it } from 'vitest';
import { DriftRecorder, formatDriftReport } from '../../src/runtime/drift.js';
import { generalizePointer } from '../../src/runtime/drift.js';
import type { ValidationIssue } from '../../src/runtime/validation.js';
import { makeIssue } from '../../src/runtime/validation.js';

const payload = {
  schema: '2.0',
  header: { event_id: 'e1', event_type: 't' },
  event: { mentions: [{ id: { user_id: null } }, { id: { user_id: null } }], chat_type: 'secret-group-name-123', extra: 'Jane Doe' },
};
const issues = (): ValidationIssue[] => [
  makeIssue('/event/mentions/0/id/user_id', 'type', 'must be string', 'string', null, payload),
  makeIssue('/event/mentions/1/id/user_id', 'type', 'must be string', 'string', null, payload),
  makeIssue('/event/chat_type', 'enum', 'must be equal to one of the allowed values', 'one of "p2p"', payload.event.chat_type, payload),
  makeIssue('/event/extra', 'unknownProperty', 'property is not in the schema', 'no such property', payload.event.extra, payload),
  makeIssue('/event/mentions', 'type', 'must be array', 'array', 'x', payload),
];

describe('DriftRecorder', () => {
  it('records every drift class per event type and pointer, array indexes as *, with counts and the JSON types seen', () => {
    const r = new DriftRecorder();
    r.recordIssues('im.message.receive_v1', payload, issues());
    r.recordIssues('im.message.receive_v1', payload, issues());
    const report = r.report()['im.message.receive_v1'];
    expect(report?.map((e) => [e.pointer, e.drift, e.types, e.count])).toEqual([
      ['/event/chat_type', 'enum', ['string'], 2],
      ['/event/extra', 'property', ['string'], 2],
      ['/event/mentions/*/id/user_id', 'null', ['null'], 2],
    ]);
  });

  it('ignores contradictions and never keeps a value (payloads hold personal data)', () => {
    const r = new DriftRecorder();
    r.recordIssues('t', payload, issues());
    const text = JSON.stringify(r.report());
    expect(text).not.toContain('Jane Doe');
    expect(text).not.toContain('secret-group-name-123');
    expect(text).not.toContain('"/event/mentions"');
  });

  it('keeps first and last seen', async () => {
    const r = new DriftRecorder();
    r.recordIssues('t', payload, issues().slice(3, 4));
    await new Promise((res) => setTimeout(res, 5));
    r.recordIssues('t', payload, issues().slice(3, 4));
    const [e] = r.report()['t'] ?? [];
    expect(e && Date.parse(e.lastSeen) > Date.parse(e.firstSeen)).toBe(true);
    r.clear();
    expect(r.report()).toEqual({});
  });

  it('record(payload, shape) still reports unknown properties', () => {
    const r = new DriftRecorder();
    r.record('t', { a: 1, b: [{ c: 1, d: true }] }, { p: { a: {}, b: { i: { p: { c: {} } } } } });
    expect(r.report()['t']?.map((e) => [e.pointer, e.drift, e.types])).toEqual([['/b/*/d', 'property', ['boolean']]]);
  });

  it('record(payload, shape) takes the type from the item that has the property, and counts it once per payload', () => {
    const r = new DriftRecorder();
    r.record('t', { b: [{ c: 1 }, { c: 1, d: true }, { d: false }] }, { p: { b: { i: { p: { c: {} } } } } });
    expect(r.report()['t']?.map((e) => [e.pointer, e.count, e.types])).toEqual([['/b/*/d', 1, ['boolean']]]);
  });

  it('generalizes the indexes of arrays only (map keys that look like numbers stay)', () => {
    expect(generalizePointer({ a: [{ b: { '0': 1 } }] }, '/a/0/b/0')).toBe('/a/*/b/0');
  });

  it('formats a report per event type, naming the kind of drift', () => {
    const r = new DriftRecorder();
    r.recordIssues('im.message.receive_v1', payload, issues());
    const text = formatDriftReport(r.report());
    expect(text).toMatch(/^im\.message\.receive_v1:\n {2}\/event\/chat_type {2}\(seen 1×, last [^)]+\): new enum value, string$/m);
    expect(text).toMatch(/\/event\/mentions\/\*\/id\/user_id {2}\(seen 1×, last [^)]+\): null where none was seen, null/);
    expect(formatDriftReport({})).toMatch(/^No drift/);
  });
});
