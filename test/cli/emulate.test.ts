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

describe('lark-events emulate --app', () => {
  async function emulateApps(args: string[]): Promise<{ error?: CliError; stderr: string[] }> {
    const stderr: string[] = [];
    const program = new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerEmulate(program, { stderr: (t) => stderr.push(t), until: Promise.resolve() });
    try {
      await program.parseAsync(['emulate', ...args], { from: 'user' });
    } catch (err) {
      if (err instanceof CliError) return { error: err, stderr };
      throw err;
    }
    return { stderr };
  }

  it('serves every repeated --app (plus --app-id/--app-secret)', async () => {
    const r = await emulateApps(['--app-id', 'cli_x', '--app-secret', 's', '--app', 'cli_a:sa', '--app', 'cli_b:s:b']);
    expect(r.error).toBeUndefined();
    expect(r.stderr).toContain('apps: cli_x, cli_a, cli_b');
  });

  it('refuses a malformed or repeated --app with exit 2, naming the flag', async () => {
    for (const bad of ['cli_a', ':s', 'cli_a:']) {
      const r = await emulateApps(['--app', bad]);
      expect(r.error?.exitCode, bad).toBe(2);
      expect(r.error?.message, bad).toBe(`--app ${JSON.stringify(bad)}: write <app id>:<app secret>`);
    }
    const twice = await emulateApps(['--app', 'cli_a:1', '--app', 'cli_a:2']);
    expect(twice.error?.message).toBe('--app: app "cli_a" is given twice');
  });
});
