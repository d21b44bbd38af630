import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let files: Set<string>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(npm, ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  files = new Set((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? []);
}, 120_000);

describe('the published package\'s documents', () => {
  it('every relative link in a shipped Markdown file points at a shipped file', () => {
    const markdown = [...files].filter((f) => f.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'schemas/README.md', 'generated/docs/README.md']));
    const dead: string[] = [];
    for (const doc of markdown) {
      const text = fs.readFileSync(path.join(repo, doc), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
        const shipped = files.has(resolved) || [...files].some((f) => f.startsWith(`${resolved.replace(/\/$/, '')}/`));
        if (!shipped) dead.push(`${doc}: ${m[1]}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('ships the MIT license it declares, and no install-time script', () => {
    expect(files.has('LICENSE')).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { license: string; scripts: Record<string, string> };
    expect(pkg.license).toBe('MIT');
    expect(fs.readFileSync(path.join(repo, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} lark-event-catalog contributors\n/);
    expect(Object.keys(pkg.scripts).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s))).toEqual([]);
    expect(pkg.scripts.prepack).toMatch(/scripts\/build\.mjs/);
  });
});
