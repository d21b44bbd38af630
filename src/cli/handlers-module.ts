import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DispatcherBase } from '../runtime/dispatcher.js';
import { CliError } from './io.js';

/**
 * The `--handlers` module of `serve` and `connect`: its default export must be an EventDispatcher,
 * or at least have the methods the transport calls (`serve`: dispatch and isCallback;
 * `connect`: dispatch).
 */
export async function loadHandlersModule<M extends keyof DispatcherBase>(file: string, methods: readonly M[]): Promise<Pick<DispatcherBase, M>> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
  } catch (err) {
    throw new CliError(`--handlers ${file}: cannot load the module (${err instanceof Error ? err.message : String(err)})`);
  }
  const candidate = mod.default as Record<string, unknown> | null | undefined;
  // Checked by shape, not instanceof: the module may import another copy of this package than the CLI's.
  if (typeof candidate !== 'object' || candidate === null || methods.some((m) => typeof candidate[m] !== 'function')) {
    throw new CliError(`--handlers ${file}: the default export must be an EventDispatcher`);
  }
  return candidate as unknown as Pick<DispatcherBase, M>;
}
