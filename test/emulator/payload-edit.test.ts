import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { applyEdits, PayloadEditError, setPath } from '../../src/emulator/payload-edit.js';
import { startEmulator } from '../../src/emulator/index.js';

const payload = () => ({ header: { token: 't' }, event: { list: [{ name: 'a' }], text: 'x', nothing: null } });

describe('setPath / applyEdits', () => {
  it('sets existing values, adds a last key, appends at index = length', () => {
    const p: Record<string, unknown> = payload();
    setPath(p, 'header.token', 'new');
    setPath(p, 'event.list.0.name', { deep: [1] });
    setPath(p, 'event.list.1', 'appended');
    setPath(p, 'event.added', true);
    expect(p).toEqual({ header: { token: 'new' }, event: { list: [{ name: { deep: [1] } }, 'appended'], text: 'x', nothing: null, added: true } });
  });

  it('is all or nothing and never changes its input', () => {
    const p = payload();
    expect(() => applyEdits(p, { 'header.token': 'changed', 'event.nothing.x': 1 })).toThrow(new PayloadEditError('event.nothing.x', 'event.nothing is null, not an object or array'));
    expect(p).toEqual(payload());
    const edited = applyEdits(p, { 'header.token': 'changed' });
    expect(edited.header).toEqual({ token: 'changed' });
    expect(p.header.token).toBe('t');
  });

  it('refuses empty segments, prototype keys, missing parents and indices past the end', () => {
    const p = payload();
    expect(() => setPath(p, 'event..text', 1)).toThrow('cannot set "event..text": empty segment');
    expect(() => setPath(p, '__proto__.polluted', 1)).toThrow('cannot set "__proto__.polluted": "__proto__" is not allowed as a key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => setPath(p, 'nope.x', 1)).toThrow('cannot set "nope.x": the payload has no "nope" (it has header, event)');
    expect(() => setPath(p, 'event.list.1.name', 1)).toThrow('cannot set "event.list.1.name": index 1 is out of range (event.list has 1 item)');
    expect(() => setPath(p, 'event.list.01', 1)).toThrow('"01" is not an index');
  });
});

describe('POST /_emulator/trigger: token and set', () => {
  it('refuses a bad "token" or "set" with 400 before delivering', async () => {
    const emu = await startEmulator({ appId: 'cli_edit', appSecret: 's', verificationToken: 'vt' });
    try {
      const post = (body: unknown) => fetch(`${emu.url}/_emulator/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const badToken = await post({ event_type: 'im.message.receive_v1', token: 'mine' });
      expect(badToken.status).toBe(400);
      expect(((await badToken.json()) as { error: string }).error).toMatch(/"token" must be "emulator"/);
      const badSet = await post({ event_type: 'im.message.receive_v1', set: ['event.x', 1] });
      expect(badSet.status).toBe(400);
      expect(((await badSet.json()) as { error: string }).error).toMatch(/"set" must be an object/);
      expect(emu.stats().triggers).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it('emulator.trigger(payload, { emulatorToken, set }) sends an edited copy: the caller\'s object is unchanged', async () => {
    const bodies: unknown[] = [];
    const hook = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const emu = await startEmulator({ appId: 'cli_edit', appSecret: 's', verificationToken: 'vt', webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` });
    try {
      const given = { schema: '2.0', header: { event_type: 'im.message.receive_v1', event_id: 'e1', token: 'old', app_id: 'a', create_time: '1' }, event: {} };
      const answer = await emu.trigger(given, { via: 'webhook', emulatorToken: true, set: { 'event.k': 1 }, retries: 0 });
      expect(answer).toMatchObject({ code: 200, id: 'e1', event_type: 'im.message.receive_v1' });
      expect(bodies).toEqual([{ ...given, header: { ...given.header, token: 'vt' }, event: { k: 1 } }]);
      expect(given.header.token).toBe('old');
      expect(given.event).toEqual({});
      await emu.trigger(given, { via: 'webhook', retries: 0 });
      expect(bodies[1]).toEqual(given);
    } finally {
      await emu.close();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});
