import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerEmulate } from '../../src/cli/commands/emulate.js';
import { CliError } from '../../src/cli/io.js';

async function emulate(args: string[]): Promise<{ error?: CliError; stderr: string[] }> {
  const stderr: string[] = [];
  const program = new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerEmulate(program, { stderr: (t) => stderr.push(t), until: Promise.resolve() });
  try {
    await program.parseAsync(['emulate', '--app-id', 'cli_emulate_test', '--app-secret', 'secret', ...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CliError) return { error: err, stderr };
    throw err;
  }
  return { stderr };
}

describe('lark-events emulate --webhook', () => {
  it('refuses a value that is not an http(s) URL with exit 2, before starting anything', async () => {
    for (const bad of ['notaurl', 'ftp://127.0.0.1/hook', '127.0.0.1:3000/webhook']) {
      const r = await emulate(['--webhook', bad]);
      expect(r.error?.exitCode, bad).toBe(2);
      expect(r.error?.message, bad).toBe(`--webhook: ${JSON.stringify(bad)} is not an http(s) URL (e.g. http://127.0.0.1:3000/webhook/event)`);
      expect(r.stderr.some((l) => l.startsWith('emulator listening')), bad).toBe(false);
    }
  });

  it('accepts an http URL (starts, then stops)', async () => {
    const r = await emulate(['--webhook', 'http://127.0.0.1:9/webhook/event']);
    expect(r.error).toBeUndefined();
    expect(r.stderr.some((l) => /^emulator listening on http:\/\/127\.0\.0\.1:\d+$/.test(l))).toBe(true);
    expect(r.stderr).toContain('emulator stopped');
  });
});
