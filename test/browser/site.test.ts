import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { buildSite } from '../../codegen/site/build-site.js';
import { serveSite } from '../../src/cli/commands/docs.js';
import type { SiteServer } from '../../src/cli/commands/docs.js';
import { example, repo, tmpDir } from '../helpers.js';

const EVENT = 'im.message.receive_v1';
const rows = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'));
const shot = path.join(repo, '.tmp', 'site.png');

let site: SiteServer;
let browser: BrowserContext;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  const dir = tmpDir('site');
  await buildSite(dir);
  site = await serveSite(dir, { port: 0 });
  // A new empty profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(tmpDir('chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 1000 },
  });
  page = browser.pages()[0] ?? await browser.newPage();
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready="true"]');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const resultTypes = (): Promise<string[]> => page.$$eval('#results a', (as) => as.map((a) => a.getAttribute('data-event') ?? ''));

describe('the browsable catalog in a real browser', () => {
  it('lists every catalog row, and loads no validator up front', async () => {
    expect((await resultTypes()).sort()).toEqual(rows.map((r) => r.eventType).sort());
    expect(requested.filter((p) => p.includes('/validators/'))).toEqual([]);
  });

  it('searches by event type, type name, domain and field', async () => {
    await page.fill('#search', EVENT);
    expect((await resultTypes())[0]).toBe(EVENT);
    await page.fill('#search', 'P2ImMessageReceiveV1');
    expect((await resultTypes())[0]).toBe(EVENT);
    await page.fill('#search', 'chat_type');
    const byField = await resultTypes();
    expect(byField).toContain(EVENT);
    expect(await page.textContent(`#results a[data-event="${EVENT}"]`)).toContain('field: chat_type');
    await page.fill('#search', '');
    await page.selectOption('#domain', 'im');
    const im = rows.filter((r) => r.kind === 'p2' && r.eventType.startsWith('im.')).map((r) => r.eventType).sort();
    expect((await resultTypes()).sort()).toEqual(im);
    await page.selectOption('#domain', '');
  });

  it('opens the event: field tree with types, enums, required marks and permissions; the example; the register method', async () => {
    await page.fill('#search', EVENT);
    await page.click(`#results a[data-event="${EVENT}"]`);
    await page.waitForSelector(`article[data-event="${EVENT}"]`);
    expect(page.url()).toBe(`${site.url}#/event/${EVENT}`);
    const text = await page.textContent('main') ?? '';
    expect(text).toContain('register_p2_im_message_receive_v1');
    expect(text).toContain('P2ImMessageReceiveV1');
    const schema = JSON.parse(fs.readFileSync(path.join(repo, 'schemas', 'im', `${EVENT}.json`), 'utf8')) as { 'x-lark': { permissions: string[] } };
    for (const p of schema['x-lark'].permissions) expect(text).toContain(p);
    const chatType = page.locator('table.fields tr', { has: page.locator('td.name code', { hasText: /^chat_type$/ }) }).first();
    expect(await chatType.locator('td.type').textContent()).toBe('string');
    const messageDef = (schema as unknown as { definitions: Record<string, { required?: string[] }> }).definitions.P2ImMessageReceiveV1EventMessage;
    expect(await chatType.locator('td.req').textContent()).toBe(messageDef?.required?.includes('chat_type') ? '✓' : '');
    // Required marks come from the schemas: the header's required fields (common/event_header.json) are marked.
    const header = JSON.parse(fs.readFileSync(path.join(repo, 'schemas', 'common', 'event_header.json'), 'utf8')) as { required: string[]; properties: Record<string, unknown> };
    for (const name of Object.keys(header.properties)) {
      const row = page.locator('table.fields tr[data-depth="1"]', { has: page.locator('td.name code', { hasText: new RegExp(`^${name}$`) }) }).first();
      expect(await row.locator('td.req').textContent(), name).toBe(header.required.includes(name) ? '✓' : '');
    }
    expect(await chatType.textContent()).toContain('"group"');
    const userId = page.locator('table.fields tr', { has: page.locator('td.name code', { hasText: /^user_id$/ }) }).first();
    expect(await userId.textContent()).toContain('sent only with contact:user.employee_id:readonly');
    expect(JSON.parse(await page.textContent('#example') ?? '')).toEqual(example('im', EVENT));
  });

  it('validates the example in the browser, loading only the im validators', async () => {
    await page.click('#load-example');
    await page.click('#validate');
    await page.waitForSelector('#verdict.valid');
    expect(await page.textContent('#verdict')).toContain(`Valid ${EVENT}`);
    expect(requested.filter((p) => p.includes('/validators/'))).toEqual(['/validators/im.js']);
  });

  it('names the JSON pointer of a mutant\'s error', async () => {
    const mutant = example('im', EVENT) as { event: { message: { chat_type: unknown } } };
    mutant.event.message.chat_type = 42;
    await page.fill('#payload', JSON.stringify(mutant, null, 2));
    await page.click('#validate');
    await page.waitForSelector('#verdict.invalid');
    const pointers = await page.$$eval('#verdict li', (lis) => lis.map((li) => li.getAttribute('data-pointer')));
    expect(pointers).toContain('/event/message/chat_type');
    expect(await page.textContent('#verdict')).toContain('/event/message/chat_type');
    await page.locator('#verdict').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot.replace(/\.png$/, '-validate.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('shows drift under a valid verdict, each item with its class', async () => {
    const drifting = example('im', EVENT) as { event: { message: { chat_type: unknown } } };
    drifting.event.message.chat_type = 'topic_group';
    await page.fill('#payload', JSON.stringify(drifting, null, 2));
    await page.click('#validate');
    await page.waitForSelector('#verdict.valid');
    expect(await page.textContent('#verdict')).toContain('1 drift (dispatched and recorded; an error in strict mode)');
    expect(await page.$$eval('#verdict li', (lis) => lis.map((li) => [li.getAttribute('data-pointer'), li.getAttribute('data-class')]))).toEqual([['/event/message/chat_type', 'drift']]);
  });

  it('reports text that is not JSON with its line', async () => {
    await page.fill('#payload', '{\n  "schema": "2.0",\n  oops\n}');
    await page.click('#validate');
    await page.waitForSelector('#verdict.invalid');
    expect(await page.textContent('#verdict')).toMatch(/Not JSON: line 3/);
  });

  it('deep links to a callback, with its answer\'s fields', async () => {
    const callback = rows.find((r) => r.kind === 'callback');
    await page.goto(`${site.url}#/event/${callback?.eventType ?? ''}`);
    await page.waitForSelector(`article[data-event="${callback?.eventType ?? ''}"]`);
    expect(await page.textContent('main')).toContain('Answer: ');
    expect(await page.locator('table.fields').count()).toBe(2);
  });
});
