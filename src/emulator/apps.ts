import type { EmulatorOptions, ResolvedApp } from './types.js';

/**
 * The apps an emulator serves: `appId`/`appSecret` (the single-app form) first, then `apps`.
 * An app's own verificationToken/encryptKey/webhook override the emulator-wide ones.
 */
export function resolveApps(options: EmulatorOptions): Map<string, ResolvedApp> {
  type Entry = { appId?: unknown; appSecret?: unknown; verificationToken?: unknown; encryptKey?: unknown; webhook?: unknown };
  // Each entry with the option path its errors name.
  const entries: Array<[where: string, entry: Entry]> = [];
  if (options.appId !== undefined || options.appSecret !== undefined) {
    if (!options.appId || !options.appSecret) throw new TypeError('startEmulator: appId and appSecret go together');
    entries.push(['appId', { appId: options.appId, appSecret: options.appSecret }]);
  }
  if (options.apps !== undefined && !Array.isArray(options.apps)) throw new TypeError('startEmulator: apps must be an array of { appId, appSecret }');
  (options.apps ?? []).forEach((entry, i) => entries.push([`apps[${i}]`, entry]));
  if (entries.length === 0) throw new TypeError('startEmulator: appId and appSecret (or apps: [{ appId, appSecret }, …]) are required');
  const apps = new Map<string, ResolvedApp>();
  for (const [where, entry] of entries) {
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`startEmulator: ${where} must be { appId, appSecret }`);
    if (typeof entry.appId !== 'string' || entry.appId === '') throw new TypeError(`startEmulator: ${where}.appId must be a non-empty string`);
    if (typeof entry.appSecret !== 'string' || entry.appSecret === '') throw new TypeError(`startEmulator: ${where}.appSecret must be a non-empty string`);
    for (const key of ['verificationToken', 'encryptKey', 'webhook'] as const) {
      if (entry[key] !== undefined && typeof entry[key] !== 'string') throw new TypeError(`startEmulator: ${where}.${key} must be a string`);
    }
    if (apps.has(entry.appId)) throw new TypeError(`startEmulator: app ${JSON.stringify(entry.appId)} is given twice`);
    apps.set(entry.appId, {
      appId: entry.appId,
      appSecret: entry.appSecret,
      verificationToken: (entry.verificationToken as string | undefined) ?? options.verificationToken,
      encryptKey: (entry.encryptKey as string | undefined) ?? options.encryptKey,
      webhook: entry.webhook as string | undefined,
    });
  }
  return apps;
}

/** Picks the app a delivery or control call targets. */
export function selectApp(apps: ReadonlyMap<string, ResolvedApp>, appId: string | undefined): ResolvedApp {
  if (appId !== undefined) {
    const app = apps.get(appId);
    if (!app) throw new TypeError(`unknown appId ${JSON.stringify(appId)} (the emulator serves ${[...apps.keys()].join(', ')})`);
    return app;
  }
  if (apps.size !== 1) throw new TypeError(`the emulator serves ${apps.size} apps (${[...apps.keys()].join(', ')}): give appId`);
  return apps.values().next().value as ResolvedApp;
}
