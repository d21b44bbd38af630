import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import type { AnswerInfo, PingInfo } from '../../src/emulator/index.js';
import { headerValue } from '../../src/transport/ws/index.js';
import { APP_ID, APP_SECRET, emulator, onCleanup, waitFor } from '../transport/ws/helpers.js';

const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

describe('the official SDK against the emulator', () => {
  it("lark.WSClient, pointed at the emulator by its domain option, receives events and callbacks and answers them", async () => {
    // Fragmented and compressed, so that the SDK's reassembly and permessage-deflate are exercised too.
    const emu = await emulator({ fragmentSize: 256, compress: true, pingIntervalS: 0.2 });
    const messages: Array<{ chat_id: string | undefined; event_id: string | undefined }> = [];
    const dispatcher = new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.fatal }).register({
      'im.message.receive_v1': async (data) => {
        messages.push({ chat_id: data.message.chat_id, event_id: data.event_id });
      },
      'card.action.trigger': async (data: { operator?: { open_id?: string } }) => ({ toast: { type: 'success', content: `hi ${data.operator?.open_id}` } }),
    });
    const pings: PingInfo[] = [];
    const answers: AnswerInfo[] = [];
    emu.on('ping', (p) => pings.push(p));
    emu.on('answer', (a) => answers.push(a));

    const ws = new lark.WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, logger: quiet, loggerLevel: lark.LoggerLevel.fatal });
    onCleanup(() => ws.close({ force: true }));
    await ws.start({ eventDispatcher: dispatcher });
    await waitFor(() => emu.connections().some((c) => c.ready), 5_000, 'the SDK to connect and ping');
    expect(emu.connections()[0]?.compressed).toBe(true);

    const event = await emu.trigger('im.message.receive_v1', { retries: 0 });
    expect(event).toMatchObject({ code: 200, attempts: 1 });
    expect(messages).toEqual([{ chat_id: 'oc_5ce6d572455d361153b7xx51da133945', event_id: event.id }]);

    const callback = await emu.trigger('card.action.trigger', { retries: 0 });
    expect(callback).toMatchObject({ code: 200, data: { toast: { type: 'success', content: 'hi ou_3c14f3a59eaf2825dbe25359f15ac3a0' } } });

    // The SDK answered on the last fragment's frame with a biz_rt header, and pings with our service_id.
    expect(answers).toHaveLength(2);
    for (const a of answers) {
      expect(headerValue(a.frame, 'biz_rt')).toMatch(/^-?\d+$/);
      expect(Number(headerValue(a.frame, 'seq'))).toBe(Number(headerValue(a.frame, 'sum')) - 1);
    }
    await waitFor(() => pings.length >= 2, 3_000, 'periodic pings');
    expect(pings[0]!.frame).toMatchObject({ SeqID: 0n, LogID: 0n, service: emu.serviceId, method: 0 });
  });
});
