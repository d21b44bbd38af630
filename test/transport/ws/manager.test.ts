/** WSManager: one long connection per app, each with its own dispatcher, states reported per app. */
import { describe, expect, it } from 'vitest';
import { LarkEventError, silentLogger } from '../../../src/index.js';
import { WSAppError, WSManager, WSOptionError } from '../../../src/entries/ws.js';
import type { WSState } from '../../../src/entries/ws.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { captureLogger, dispatcher, emulator, onCleanup, waitFor } from './helpers.js';

const A = 'cli_manager_app_a';
const B = 'cli_manager_app_b';
const SECRET_A = 'secret-of-app-a';
const SECRET_B = 'secret-of-app-b';

/** A dispatcher recording the ids of the messages it receives. */
function recording(): { d: ReturnType<typeof dispatcher>; ids: string[] } {
  const ids: string[] = [];
  const d = dispatcher().register_p2_im_message_receive_v1((_e, ctx) => {
    ids.push(ctx.id ?? '');
  });
  return { d, ids };
}

/** Two emulated platforms, one per app (an emulator serves one app). */
async function twoPlatforms(): Promise<[Emulator, Emulator]> {
  return [await emulator({ appId: A, appSecret: SECRET_A }), await emulator({ appId: B, appSecret: SECRET_B })];
}

function manager(options: ConstructorParameters<typeof WSManager>[0]): WSManager {
  const m = new WSManager({ logger: silentLogger, reconnectBaseMs: 20, ...options });
  onCleanup(() => m.close());
  return m;
}

describe('WSManager', () => {
  it('starts one client per app, delivers each app its own events, reports states and closes all', async () => {
    const [emuA, emuB] = await twoPlatforms();
    const a = recording();
    const b = recording();
    const m = manager({
      apps: {
        [A]: { appSecret: SECRET_A, domain: emuA.url, dispatcher: a.d },
        [B]: { appSecret: SECRET_B, domain: emuB.url, dispatcher: b.d },
      },
    });
    const seen: Array<[string, WSState]> = [];
    m.on('state', (appId, state) => void seen.push([appId, state]));
    expect(m.states()).toEqual({ [A]: 'idle', [B]: 'idle' });
    await m.start();
    expect(m.states()).toEqual({ [A]: 'connected', [B]: 'connected' });
    expect(m.appIds).toEqual([A, B]);

    const toA = await emuA.trigger('im.message.receive_v1', { retries: 0 });
    const toB = await emuB.trigger('im.message.receive_v1', { retries: 0 });
    expect([toA.code, toB.code]).toEqual([200, 200]);
    expect(a.ids).toEqual([toA.id]);
    expect(b.ids).toEqual([toB.id]);
    expect(emuA.connections()).toHaveLength(1);
    expect(emuB.connections()).toHaveLength(1);

    await m.close();
    expect(m.states()).toEqual({ [A]: 'closed', [B]: 'closed' });
    await waitFor(() => emuA.connections().length === 0 && emuB.connections().length === 0, 5_000, 'both connections closed');
    for (const app of [A, B]) expect(seen.filter(([id]) => id === app).map(([, s]) => s)).toEqual(['connecting', 'connected', 'closing', 'closed']);
  });

  it('shares options across apps; each app may override them', async () => {
    const [emuA, emuB] = await twoPlatforms();
    const m = manager({
      domain: emuA.url,
      apps: {
        [A]: { appSecret: SECRET_A, dispatcher: dispatcher() },
        [B]: { appSecret: SECRET_B, dispatcher: dispatcher(), domain: emuB.url },
      },
    });
    await m.start();
    expect([emuA.stats().handshakes, emuB.stats().handshakes]).toEqual([1, 1]);
    expect(m.client(B)?.state).toBe('connected');
    expect(m.client('cli_unknown')).toBeUndefined();
  });

  it('forwards a failing app’s error with its app id; the other apps keep running', async () => {
    const [emuA, emuB] = await twoPlatforms();
    const a = recording();
    const m = manager({
      apps: {
        [A]: { appSecret: SECRET_A, domain: emuA.url, dispatcher: a.d },
        [B]: { appSecret: 'not the secret', domain: emuB.url, dispatcher: dispatcher() },
      },
    });
    const errors: Array<[string, string]> = [];
    m.on('error', (appId, error) => void errors.push([appId, error.message]));
    const failure = await m.start().then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WSAppError);
    expect(failure).toBeInstanceOf(LarkEventError);
    expect((failure as WSAppError).appId).toBe(B);
    expect((failure as WSAppError).message).toMatch(new RegExp(`^app ${B}: endpoint refused: code 10003`));
    expect(errors).toEqual([[B, expect.stringMatching(/^endpoint refused: code 10003/)]]);
    expect(m.states()).toEqual({ [A]: 'connected', [B]: 'failed' });

    const toA = await emuA.trigger('im.message.receive_v1', { retries: 0 });
    expect([toA.code, a.ids]).toEqual([200, [toA.id]]);
  });

  it('logs a failure after start() once when no error listener hears it; not when start() or a listener gets it', async () => {
    const [emuA, emuB] = await twoPlatforms();
    const errorLines = (log: ReturnType<typeof captureLogger>) => log.lines.filter((l) => l.startsWith('error'));

    // A failed start(): the caller gets it, the log does not.
    const startLog = captureLogger();
    const refused = manager({ logger: startLog, apps: { [B]: { appSecret: 'not the secret', domain: emuB.url, dispatcher: dispatcher() } } });
    await expect(refused.start()).rejects.toThrow(WSAppError);
    expect(errorLines(startLog)).toEqual([]);

    // After start(), nobody listening for `error`: the log is the only report, once.
    const quiet = captureLogger();
    const unheard = manager({ logger: quiet, autoReconnect: false, apps: { [A]: { appSecret: SECRET_A, domain: emuA.url, dispatcher: dispatcher() } } });
    unheard.on('state', () => undefined);
    await unheard.start();
    emuA.dropConnections();
    await waitFor(() => unheard.states()[A] === 'failed', 5_000, 'the unheard app to fail');
    expect(errorLines(quiet)).toEqual([`error ws: app ${A}: giving up: connection closed (code 1006) and autoReconnect is off`]);

    // After start(), with an error listener: the listener gets it, the log does not.
    const heardLog = captureLogger();
    const heard = manager({ logger: heardLog, autoReconnect: false, apps: { [A]: { appSecret: SECRET_A, domain: emuA.url, dispatcher: dispatcher() } } });
    const errors: string[] = [];
    heard.on('error', (appId, error) => void errors.push(`${appId}: ${error.message}`));
    await heard.start();
    emuA.dropConnections();
    await waitFor(() => heard.states()[A] === 'failed', 5_000, 'the heard app to fail');
    expect(errors).toEqual([`${A}: connection closed (code 1006) and autoReconnect is off`]);
    expect(errorLines(heardLog)).toEqual([]);
  });

  it('rejects bad options with a WSOptionError naming the app and option', () => {
    const cases: Array<[ConstructorParameters<typeof WSManager>[0], string, RegExp]> = [
      [{ apps: {} }, 'apps', /apps needs at least one app/],
      [{ apps: { [A]: { appSecret: '', dispatcher: dispatcher() } } }, `apps.${A}.appSecret`, new RegExp(`^WSManager: app ${A}: WSClient: appSecret is required`)],
      [{ apps: { [A]: { appSecret: SECRET_A, dispatcher: dispatcher(), proxy: 'ftp://x' } } }, `apps.${A}.proxy`, /proxy URL must be http: or https:/],
    ];
    for (const [options, option, message] of cases) {
      let error: unknown;
      try {
        new WSManager(options);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WSOptionError);
      expect((error as WSOptionError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    }
  });
});
