import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The first example of an event's schema, freshly parsed (tests may mutate it). */
export function example(domain: string, eventType: string, index = 0): Record<string, unknown> {
  const schema = JSON.parse(fs.readFileSync(path.join(repo, 'schemas', domain, `${eventType}.json`), 'utf8')) as { examples: Array<Record<string, unknown>> };
  const ex = schema.examples[index];
  if (!ex) throw new Error(`${eventType} has no example ${index}`);
  return structuredClone(ex);
}

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tmpDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lark-${name}-`));
  made.push(dir);
  return dir;
}

/** A TCP port free on 127.0.0.1 right now (for servers a test or bench spawns in another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
