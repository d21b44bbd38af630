import { afterEach } from 'vitest';
import { EventDispatcher, silentLogger } from '../../../src/index.js';
import type { Logger } from '../../../src/index.js';
import { startEmulator } from '../../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../../src/emulator/index.js';
import { WSClient } from '../../../src/transport/ws/index.js';
import type { WSClientOptions, WSState } from '../../../src/transport/ws/index.js';

export const APP_ID = 'cli_a1b2c3d4e5f60718';
export const APP_SECRET = 'very-secret-app-secret-value';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** An emulator with test-sized timings; closed after the test. */
export async function emulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const emu = await startEmulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    pingIntervalS: 30,
    reconnectIntervalS: 0.05,
    reconnectNonceS: 0,
    answerTimeoutMs: 1_000,
    redeliveryScheduleMs: [50, 100],
    ...options,
  });
  onCleanup(() => emu.close());
  return emu;
}

export function dispatcher(): InstanceType<typeof EventDispatcher> {
  return new EventDispatcher({ logger: silentLogger, unhandled: 'ignore' });
}

export interface CapturedLogger extends Logger {
  lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${data ? ' ' + JSON.stringify(data) : ''}`);
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A client on the emulator; its state changes are recorded; closed after the test. */
export function client(emu: Emulator, options: Partial<WSClientOptions> = {}): WSClient & { states: WSState[] } {
  const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, dispatcher: dispatcher(), logger: silentLogger, reconnectBaseMs: 20, ...options });
  const states: WSState[] = [];
  c.on('state', (s) => states.push(s));
  onCleanup(() => c.close());
  return Object.assign(c, { states });
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
