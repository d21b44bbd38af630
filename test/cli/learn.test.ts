/** `lark-events learn`: from captured deliveries to a catalog that accepts them, end to end in a temporary checkout. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runGenerateCli } from '../../codegen/cli.js';
import { main } from '../../src/cli/main.js';
import type { DomainModule } from '../../src/runtime/catalog-types.js';
import { runValidator } from '../../src/runtime/validation.js';
import { validate } from '../../src/index.js';
import { example, repo, tmpDir } from '../helpers.js';

const TYPE = 'im.message.receive_v1';
type Receive = { header: Record<string, unknown>; event: { message: Record<string, unknown>; sender: { sender_id: Record<string, unknown> } } };
const receive = (id: string): Receive => {
  const e = example('im', TYPE) as unknown as Receive;
  e.header.event_id = id;
  return e;
};

/** Runs the CLI in process; returns exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

/** A checkout with the schemas learn edits (common/ and im/) and generate reads, and node_modules for the validators. */
function checkout(): { root: string; schemas: string } {
  const root = tmpDir('learn-checkout');
  const schemas = path.join(root, 'schemas');
  for (const d of ['common', 'im']) fs.cpSync(path.join(repo, 'schemas', d), path.join(schemas, d), { recursive: true });
  fs.copyFileSync(path.join(repo, 'schemas', 'catalog.tsv'), path.join(schemas, 'catalog.tsv'));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { root, schemas };
}

function capturedFolder(): { dir: string; payloads: Receive[] } {
  const dir = tmpDir('learn-captures');
  const nullId = receive('cap-null');
  nullId.event.message.chat_id = null;
  const newProperty = receive('cap-prop');
  newProperty.event.message.reply_context = { quoted: { message_id: 'om_1', depth: 2 } };
  const newEnum = receive('cap-enum');
  newEnum.event.message.chat_type = 'topic_group';
  const payloads = [nullId, newProperty, newEnum];
  payloads.forEach((p, i) => fs.writeFileSync(path.join(dir, `${TYPE}.${i}.json`), JSON.stringify(p, null, 2)));
  return { dir, payloads };
}

describe('lark-events learn', () => {
  it('learn --write, then generate: captured payloads with drift are valid in strict mode, and a type flip is still rejected', async () => {
    const { root, schemas } = checkout();
    const { dir, payloads } = capturedFolder();
    for (const p of payloads) expect((await validate(p, { strict: true })).valid).toBe(false);

    const dry = await cli(['learn', dir, '--schemas', schemas]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('read 3 captured deliveries and 0 drift report(s)');
    expect(dry.stdout).toMatch(/allow null at schemas\/im\/im\.message\.receive_v1\.json#\/definitions\/P2ImMessageReceiveV1EventMessage\/properties\/chat_id\n {4}evidence: 1 payload\(s\) of im\.message\.receive_v1 at \/event\/message\/chat_id/);
    expect(dry.stdout).toContain('add enum value "topic_group" at ');
    expect(dry.stdout).toContain('add property "reply_context" ("object") at ');
    expect(fs.readFileSync(path.join(schemas, 'im', `${TYPE}.json`), 'utf8')).toBe(fs.readFileSync(path.join(repo, 'schemas', 'im', `${TYPE}.json`), 'utf8'));

    const wrote = await cli(['learn', dir, '--write', '--schemas', schemas]);
    expect(wrote.code).toBe(0);
    expect(wrote.stdout).toContain(`wrote 1 schema file(s) under ${schemas}: im/${TYPE}.json`);
    const learned = fs.readFileSync(path.join(schemas, 'im', `${TYPE}.json`), 'utf8');
    expect(learned.match(/"x-lark-source": "captured"/g)?.length).toBeGreaterThan(fs.readFileSync(path.join(repo, 'schemas', 'im', `${TYPE}.json`), 'utf8').match(/"x-lark-source": "captured"/g)?.length ?? 0);

    const again = await cli(['learn', dir, '--schemas', schemas]);
    expect(again.stdout).toContain('no schema changes needed');

    const out = path.join(root, 'generated');
    expect(await runGenerateCli([], { schemasDir: schemas, outDir: out, catalogPath: path.join(schemas, 'catalog.tsv') })).toBe(0);
    const im = (await import(path.join(out, 'im', 'validators.js'))) as DomainModule;
    const check = (p: unknown) => runValidator(im.validators[TYPE]!, im.shapes[TYPE], p, true, TYPE);
    for (const p of payloads) expect(check(p).errors).toEqual([]);

    const flip = receive('cap-flip');
    (flip.event as Record<string, unknown>).message = 'a string where an object is';
    const rejected = check(flip);
    expect(rejected.valid).toBe(false);
    expect(rejected.errors).toEqual([expect.objectContaining({ pointer: '/event/message', class: 'contradiction' })]);
    const sender = receive('cap-flip-2');
    (sender.event.sender as Record<string, unknown>).sender_id = 42;
    expect(runValidator(im.validators[TYPE]!, im.shapes[TYPE], sender, false, TYPE).errors).toEqual([expect.objectContaining({ pointer: '/event/sender/sender_id', class: 'contradiction' })]);
  }, 240_000);

  it('does not learn a type flip: it lists it and exits 1; --json prints the plan', async () => {
    const { schemas } = checkout();
    const dir = tmpDir('learn-flip');
    const flip = receive('flip');
    (flip.event as Record<string, unknown>).message = 'oops';
    const drift = receive('drift');
    drift.event.message.chat_type = 'topic_group';
    fs.writeFileSync(path.join(dir, 'flip.json'), JSON.stringify(flip));
    fs.writeFileSync(path.join(dir, 'drift.json'), JSON.stringify(drift));
    const r = await cli(['learn', dir, '--json', '--write', '--schemas', schemas]);
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout) as { payloads: number; changes: Array<{ kind: string; values?: unknown[]; evidence: { payloads: number } }>; notLearned: Array<{ pointer: string; reason: string }>; written: string[] };
    expect(plan.payloads).toBe(2);
    expect(plan.changes).toEqual([expect.objectContaining({ kind: 'add-enum-value', values: ['topic_group'], evidence: expect.objectContaining({ payloads: 1 }) })]);
    expect(plan.notLearned).toEqual([expect.objectContaining({ pointer: '/event/message', reason: 'expected object, found string' })]);
    expect(plan.written).toEqual([`im/${TYPE}.json`]);
    expect(fs.readFileSync(path.join(schemas, 'im', `${TYPE}.json`), 'utf8')).toContain('"topic_group"');
  });

  it('learns nulls and new properties from a saved drift report', async () => {
    const { schemas } = checkout();
    const report = path.join(tmpDir('learn-report'), 'drift.json');
    fs.writeFileSync(report, JSON.stringify({ [TYPE]: [
      { pointer: '/event/message/mentions/*/nickname', drift: 'property', types: ['string'], count: 5, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z' },
      { pointer: '/event/message/thread_id', drift: 'null', types: ['null'], count: 2, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z' },
    ] }));
    const r = await cli(['learn', report, '--schemas', schemas]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('read 0 captured deliveries and 1 drift report(s)');
    expect(r.stdout).toMatch(/add property "nickname" \("string"\) at [^\n]+\n {4}evidence: 5 payload\(s\) of im\.message\.receive_v1 at \/event\/message\/mentions\/\*\/nickname/);
    expect(r.stdout).toMatch(/allow null at [^\n]+thread_id\n {4}evidence: 2 payload\(s\)/);
  });

  it('usage and input errors exit 2 with the file named', async () => {
    const bad = path.join(tmpDir('learn-bad'), 'bad.json');
    fs.writeFileSync(bad, '{ nope');
    const r = await cli(['learn', bad, '--schemas', checkout().schemas]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:1:\d+: not valid JSON/);
    const noSchemas = await cli(['learn', bad, '--schemas', path.join(repo, 'no-such-folder')]);
    expect(noSchemas.code).toBe(2);
    expect(noSchemas.stderr).toContain('no schemas folder at');
    expect((await cli(['learn'])).code).toBe(2);
  });
});
