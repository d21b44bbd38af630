// The browsable catalog's page code (bundled by codegen/site/build-site.ts). Hash routes:
// #/ (home), #/event/<event_type>, #/search/<query>. Data and validators load per domain on demand.
import type { DomainModule } from '../../../src/runtime/catalog-types.js';
import { formatIssue, runValidator } from '../../../src/runtime/validation.js';
import type { ValidationIssue } from '../../../src/runtime/validation.js';
import type { EventPage, FieldNode, IndexEntry, SiteIndex } from '../site-types.js';

type Child = Node | string | null | undefined | false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Child | Child[]>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}
const code = (text: string, cls?: string): HTMLElement => h('code', cls ? { class: cls } : {}, text);
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const KIND_LABEL: Record<IndexEntry['k'], string> = { p2: 'event (schema 2.0)', p1: 'v1 event', callback: 'callback' };

let index: SiteIndex;
const pageCache = new Map<string, Promise<EventPage[]>>();
const moduleCache = new Map<string, Promise<DomainModule>>();
const byType = new Map<string, IndexEntry>();

const fetchJson = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
};
const domainPages = (domain: string): Promise<EventPage[]> => {
  let p = pageCache.get(domain);
  if (!p) pageCache.set(domain, (p = fetchJson<EventPage[]>(`data/${domain}.json`)));
  return p;
};
/** The domain's precompiled validators, bundled as standalone ESM: fetched on first use only. */
const domainModule = (domain: string): Promise<DomainModule> => {
  let p = moduleCache.get(domain);
  if (!p) moduleCache.set(domain, (p = import(/* @vite-ignore */ new URL(`validators/${domain}.js`, document.baseURI).href) as Promise<DomainModule>));
  return p;
};

// ---- search ----------------------------------------------------------------------------------

interface Hit { entry: IndexEntry; score: number; field?: string }

function score(entry: IndexEntry, token: string): { score: number; field?: string } | undefined {
  const type = entry.e.toLowerCase();
  if (type === token) return { score: 100 };
  if (type.startsWith(token)) return { score: 60 };
  if (type.includes(token)) return { score: 40 };
  const name = entry.t.toLowerCase();
  if (name === token) return { score: 90 };
  if (name.includes(token)) return { score: 30 };
  if (entry.d === token) return { score: 25 };
  const fields = entry.f.split(' ');
  const exact = fields.find((f) => f.toLowerCase() === token);
  if (exact) return { score: 15, field: exact };
  const partial = fields.find((f) => f.toLowerCase().includes(token));
  if (partial) return { score: 8, field: partial };
  if (entry.s.toLowerCase().includes(token)) return { score: 5 };
  return undefined;
}

export function search(entries: IndexEntry[], query: string, domain: string): Hit[] {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits: Hit[] = [];
  for (const entry of entries) {
    if (domain && entry.d !== domain) continue;
    let total = 0;
    let field: string | undefined;
    let ok = true;
    for (const t of tokens) {
      const s = score(entry, t);
      if (!s) { ok = false; break; }
      total += s.score;
      field ??= s.field;
    }
    if (ok) hits.push(field ? { entry, score: total, field } : { entry, score: total });
  }
  return hits.sort((a, b) => b.score - a.score || (a.entry.e < b.entry.e ? -1 : 1));
}

const MAX_RESULTS = 300;

function renderResults(): void {
  const query = $<HTMLInputElement>('search').value;
  const domain = $<HTMLSelectElement>('domain').value;
  const hits = search(index.events, query, domain);
  const current = currentEvent();
  $('count').textContent = `${hits.length} of ${index.events.length} events and callbacks`;
  $('results').replaceChildren(...hits.slice(0, MAX_RESULTS).map((hit) => h('li', {},
    h('a', { href: `#/event/${hit.entry.e}`, class: hit.entry.e === current ? 'current' : '', 'data-event': hit.entry.e },
      code(hit.entry.e),
      h('small', {}, `${hit.entry.t} · ${hit.entry.d}`),
      hit.field ? h('small', { class: 'match' }, `field: ${hit.field}`) : h('small', {}, hit.entry.s)))));
}

// ---- pages -----------------------------------------------------------------------------------

function fieldRows(nodes: FieldNode[], depth: number, rows: HTMLElement[]): HTMLElement[] {
  for (const n of nodes) {
    const details: Child[] = [n.description ?? ''];
    if (n.enum) {
      details.push(h('div', { class: 'enum' }, 'values: ', ...n.enum.flatMap((v, i) => [i ? ', ' : '', code(JSON.stringify(v.value)), v.label ? ` ${v.label}` : ''])));
    }
    if (n.constraints) details.push(h('div', { class: 'enum' }, n.constraints.join(' · ')));
    if (n.permissions) details.push(h('div', { class: 'perm' }, `sent only with ${n.permissions.join(' or ')}`));
    if (n.note) details.push(h('div', { class: 'enum' }, n.note));
    if (n.recursive) details.push(h('div', { class: 'enum' }, `(${n.type}: see above)`));
    rows.push(h('tr', { 'data-depth': String(depth) },
      h('td', { class: 'name', style: `padding-left:${10 + depth * 18}px` }, depth ? h('span', { class: 'tree' }, '└ ') : null, code(n.name)),
      h('td', { class: 'type' }, code(n.type)),
      h('td', { class: 'req', title: n.required ? 'always sent' : '' }, n.required ? '✓' : ''),
      h('td', {}, ...details)));
    if (n.children) fieldRows(n.children, depth + 1, rows);
  }
  return rows;
}

const fieldTable = (nodes: FieldNode[]): HTMLElement => h('table', { class: 'fields' },
  h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'type'), h('th', { title: 'required: always sent' }, 'req.'), h('th', {}, 'description'))),
  h('tbody', {}, fieldRows(nodes, 0, [])));

function registerSnippet(p: EventPage): string {
  const module = p.domain;
  const body = p.kind === 'callback'
    ? `  // data: ${p.typeName}\n  return { /* ${p.response?.typeName ?? 'the answer'} */ };`
    : `  // data: ${p.typeName}`;
  return `import { EventDispatcher } from 'lark-event-catalog/${module}';\n\nconst dispatcher = new EventDispatcher();\ndispatcher.${p.registerMethod}(async (data, ctx) => {\n${body}\n});`;
}

function eventTypeOf(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as { schema?: unknown; header?: { event_type?: unknown }; type?: unknown; uuid?: unknown; event?: { type?: unknown } };
  if (p.schema === '2.0' && typeof p.header?.event_type === 'string') return p.header.event_type;
  if (typeof p.event?.type === 'string' && (p.type === 'event_callback' || 'uuid' in p)) return p.event.type;
  return undefined;
}

function jsonError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}: ${message}`;
}

/** The "validate a payload" box: the page's event, or (fixed undefined) whatever the payload says it is. */
function validatorBox(fixed: EventPage | undefined, example: unknown): HTMLElement {
  const area = h('textarea', { id: 'payload', spellcheck: 'false', placeholder: 'Paste a payload (JSON)…', 'aria-label': 'payload' }) as HTMLTextAreaElement;
  const strict = h('input', { type: 'checkbox', id: 'strict' }) as HTMLInputElement;
  const verdict = h('div', { class: 'verdict', id: 'verdict', role: 'status' });
  const run = async (): Promise<void> => {
    verdict.className = 'verdict';
    let payload: unknown;
    try {
      payload = JSON.parse(area.value);
    } catch (err) {
      verdict.classList.add('invalid');
      verdict.replaceChildren(`Not JSON: ${jsonError(area.value, err)}`);
      return;
    }
    const claimed = eventTypeOf(payload);
    const target = fixed?.eventType ?? claimed;
    const entry = target === undefined ? undefined : byType.get(target);
    if (!entry) {
      verdict.classList.add('invalid');
      verdict.replaceChildren(target === undefined ? 'Neither a schema 2.0 event (header.event_type) nor a v1 event (event.type).' : `No schema for the event type "${target}".`);
      return;
    }
    verdict.replaceChildren('Validating…');
    const mod = await domainModule(entry.d);
    const validator = mod.validators[entry.e];
    if (!validator) throw new Error(`no validator for ${entry.e}`);
    const result = runValidator(validator, mod.shapes[entry.e], payload, strict.checked, entry.e, { unknown: true });
    const note = claimed && claimed !== entry.e ? h('div', {}, `Note: the payload says it is ${claimed}.`) : null;
    const item = (e: ValidationIssue) => h('li', { 'data-pointer': e.pointer || '/', 'data-class': e.class }, code(e.pointer || '/', 'pointer'), ` ${formatIssue(e).slice((e.pointer || '/').length + 1)}${e.class === 'drift' ? ` (drift: ${e.drift ?? e.keyword})` : ''}`);
    const drift = result.drift ?? [];
    if (result.valid) {
      verdict.classList.add('valid');
      verdict.replaceChildren(`✓ Valid ${entry.e}`, note ?? '',
        ...(drift.length > 0 ? [h('div', {}, `${drift.length} drift (dispatched and recorded; an error in strict mode):`), h('ul', {}, drift.map(item))] : []));
    } else {
      verdict.classList.add('invalid');
      verdict.replaceChildren(`✗ ${result.errors.length} error(s) against ${entry.e}`, note ?? '', h('ul', {}, result.errors.map(item)));
    }
  };
  const button = h('button', { id: 'validate', type: 'button' }, 'Validate');
  button.addEventListener('click', () => { run().catch((err: unknown) => { verdict.className = 'verdict invalid'; verdict.replaceChildren(String(err)); }); });
  const load = example === undefined ? null : h('button', { type: 'button', class: 'secondary', id: 'load-example' }, 'Paste the example');
  load?.addEventListener('click', () => { area.value = JSON.stringify(example, null, 2); });
  return h('div', { class: 'validator' }, area,
    h('div', { class: 'row' }, button, load, h('label', {}, strict, ' strict (drift is an error too: unknown properties, new enum values, unexpected nulls)')),
    verdict);
}

async function showEvent(eventType: string): Promise<void> {
  const entry = byType.get(eventType);
  const main = $('main');
  if (!entry) {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, 'No event or callback is called ', code(eventType), '. ', h('a', { href: '#/' }, 'All events')));
    return;
  }
  const page = (await domainPages(entry.d)).find((p) => p.eventType === eventType);
  if (!page) throw new Error(`data/${entry.d}.json has no ${eventType}`);
  document.title = `${eventType} · Lark event catalog`;
  const example = page.examples[0];
  main.replaceChildren(h('article', { 'data-event': page.eventType },
    h('h1', {}, code(page.eventType)),
    h('div', { class: 'badges' }, h('span', { class: `badge kind-${page.kind}` }, KIND_LABEL[page.kind]),
      h('a', { class: 'badge', href: `#/search/${encodeURIComponent(page.domain)}` }, `domain: ${page.domain}`)),
    h('p', { class: 'lead' }, page.description),
    h('dl', { class: 'facts' },
      h('dt', {}, 'type'), h('dd', {}, code(page.typeName), page.response ? [' → answer ', code(page.response.typeName)] : null),
      h('dt', {}, 'register'), h('dd', {}, code(`${page.registerMethod}(handler)`)),
      h('dt', {}, 'permissions'), h('dd', {}, page.permissions.length ? [...page.permissions.map((p) => h('span', { class: 'scope' }, p)), h('span', { class: 'muted' }, ' (any one)')] : h('span', { class: 'muted' }, 'none listed')),
      page.fieldPermissions.length ? [h('dt', {}, 'field permissions'), h('dd', {}, page.fieldPermissions.map((p) => h('span', { class: 'scope' }, p)))] : null,
      page.appTypes.length ? [h('dt', {}, 'app types'), h('dd', {}, page.appTypes.join(', '))] : null,
      page.source ? [h('dt', {}, 'source'), h('dd', {}, code(page.source))] : null),
    h('h2', {}, 'Register a handler'),
    h('pre', {}, registerSnippet(page)),
    h('h2', {}, 'Fields'),
    fieldTable(page.fields),
    page.response ? [h('h2', {}, `Answer: ${page.response.typeName}`), fieldTable(page.response.fields)] : null,
    h('h2', {}, page.exampleSynthesized ? 'Example (synthesized: the reference page has none)' : 'Example'),
    example === undefined ? h('p', { class: 'muted' }, 'No example.') : h('pre', { id: 'example' }, JSON.stringify(example, null, 2)),
    h('h2', {}, 'Validate a payload'),
    validatorBox(page, example)));
  window.scrollTo(0, 0);
}

function showHome(): void {
  document.title = 'Lark event catalog';
  const counts = { p2: 0, p1: 0, callback: 0 };
  for (const e of index.events) counts[e.k]++;
  $('main').replaceChildren(
    h('h1', {}, 'Feishu / Lark events and callbacks'),
    h('p', { class: 'lead' }, `${index.events.length} entries: ${counts.p2} schema 2.0 events, ${counts.p1} v1 events, ${counts.callback} callbacks, from the JSON Schemas of lark-event-catalog ${index.version}. Search on the left by event type, type name, domain or field name.`),
    h('h2', {}, 'Domains'),
    h('div', { class: 'domains' }, index.domains.map((d) => h('a', { href: `#/search/${encodeURIComponent(d.name)}` }, `${d.name} (${d.count})`))),
    h('h2', {}, 'Validate a payload'),
    h('p', { class: 'muted' }, 'The event type is read from header.event_type (schema 2.0) or event.type (v1). Validation runs in this page, with the same precompiled validators as the library.'),
    validatorBox(undefined, undefined));
}

function currentEvent(): string | undefined {
  const m = /^#\/event\/(.+)$/.exec(location.hash);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

async function route(): Promise<void> {
  const search = /^#\/search\/(.*)$/.exec(location.hash);
  if (search) {
    $<HTMLInputElement>('search').value = decodeURIComponent(search[1] ?? '');
    renderResults();
    showHome();
    return;
  }
  const event = currentEvent();
  renderResults();
  if (event) await showEvent(event);
  else showHome();
}

async function start(): Promise<void> {
  index = await fetchJson<SiteIndex>('data/index.json');
  for (const e of index.events) byType.set(e.e, e);
  $('tagline').textContent = `${index.events.length} events and callbacks · v${index.version}`;
  const select = $<HTMLSelectElement>('domain');
  select.append(...index.domains.map((d) => h('option', { value: d.name }, `${d.name} (${d.count})`)));
  $('search').addEventListener('input', renderResults);
  select.addEventListener('change', renderResults);
  window.addEventListener('hashchange', () => { route().catch(showError); });
  await route();
  document.body.dataset.ready = 'true';
}

function showError(err: unknown): void {
  $('main').replaceChildren(h('h1', {}, 'Something went wrong'), h('pre', {}, err instanceof Error ? err.message : String(err)));
}

start().catch(showError);
