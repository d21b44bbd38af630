import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeliveryCapture } from '../../src/cli/capture.js';
import { readDelivery } from '../../src/runtime/delivery.js';
import { CliError } from '../../src/cli/io.js';
import { tmpDir } from '../helpers.js';

const callback = { schema: '2.0', header: { event_type: 'card.action.trigger', token: 'vt' }, event: { token: 'card-update-token', action: { value: { token: 'an action token', nested: [{ token: 'x' }] } } } };

describe('DeliveryCapture', () => {
  it('writes accepted deliveries only, every string token blanked; a callback without an id is named by a hash of its body', () => {
    const dir = path.join(tmpDir('capture'), 'out');
    const c = new DeliveryCapture(dir);
    const file = c.write(JSON.stringify(callback), { status: 'handled', kind: 'callback', eventType: 'card.action.trigger' });
    expect(file && path.basename(file)).toMatch(/^card\.action\.trigger\.[0-9a-f]{16}\.json$/);
    const written = JSON.parse(fs.readFileSync(file ?? '', 'utf8')) as typeof callback;
    expect(written.header.token).toBe('');
    expect(written.event.token).toBe('');
    expect(written.event.action.value.nested[0]?.token).toBe('');
    expect(written.event.action.value.token).toBe('');
    expect(c.write(JSON.stringify(callback), { status: 'handled', kind: 'callback', eventType: 'card.action.trigger' })).toBe(file);

    const event = { schema: '2.0', header: { event_id: 'ev/../1', event_type: 'im.message.receive_v1', token: 't' }, event: {} };
    for (const status of ['invalid', 'failed', 'malformed', 'pending', 'unavailable'] as const) {
      expect(c.write(readDelivery(event), { status, eventType: 'im.message.receive_v1' })).toBeUndefined();
    }
    expect(path.basename(c.write(readDelivery(event), { status: 'queued', eventType: 'im.message.receive_v1' }) ?? '')).toBe('im.message.receive_v1.ev_.._1.json');
    expect(c.write({ type: 'url_verification', challenge: 'c', token: 't' }, { status: 'challenge', kind: 'challenge' })).toBeUndefined();
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });

  it('names a folder it cannot create', () => {
    const file = path.join(tmpDir('capture-bad'), 'a-file');
    fs.writeFileSync(file, '');
    expect(() => new DeliveryCapture(path.join(file, 'sub'))).toThrow(CliError);
    expect(() => new DeliveryCapture(path.join(file, 'sub'))).toThrow(/--capture .*a-file\/sub: cannot create the folder \(ENOTDIR\)/);
  });
});
