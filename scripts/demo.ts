/**
 * The whole loop, offline on loopback in a few seconds: a fake Open Platform (the emulator) delivers
 * events over the long connection and as encrypted, signed webhook pushes; ONE typed dispatcher
 * receives both; a card callback answers with a toast. Exits non-zero if anything is off.
 *
 *   npx tsx scripts/demo.ts        (or `npm run demo` for the compiled build)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventDispatcher, MemoryIdempotencyStore, parseMessageContent, silentLogger } from '../src/index.js';
import type { HandlerContext } from '../src/index.js';
import { startEmulator } from '../src/emulator/index.js';
import type { TriggerAnswer, Via } from '../src/emulator/index.js';
import { createNodeHandler } from '../src/transport/webhook/index.js';
import { WSClient } from '../src/transport/ws/index.js';

const APP_ID = 'cli_a1b2c3d4e5f60718';
const APP_SECRET = 'demo-app-secret';
const ENCRYPT_KEY = 'demo-encrypt-key';
const VERIFICATION_TOKEN = 'demo-verification-token';

interface Seen {
  typeName: string;
  transport: string;
  id: string | undefined;
  fields: string;
}

const seen = new Map<string, Seen>();
const problems: string[] = [];
const out = (line: string) => process.stdout.write(`${line}\n`);

function record(typeName: string, ctx: HandlerContext, fields: string): void {
  if (ctx.id) seen.set(ctx.id, { typeName, transport: ctx.transport, id: ctx.id, fields });
}

const dispatcher = new EventDispatcher({ validation: 'reject', idempotency: new MemoryIdempotencyStore(), logger: silentLogger })
  .register_p2_im_message_receive_v1((e, ctx) => {
    const message = e.event.message;
    const content = parseMessageContent(message);
    const text = content.message_type === 'text' ? content.content.text : `(${content.message_type})`;
    record('P2ImMessageReceiveV1', ctx, `chat_id=${message.chat_id} sender=${e.event.sender.sender_id.open_id} text=${JSON.stringify(text)}`);
  })
  .register_p2_application_application_app_version_publish_apply_v6((e, ctx) => {
    const v = e.event.online_version;
    record('P2ApplicationApplicationAppVersionPublishApplyV6', ctx, `version=${v?.version} first scope=${v?.scopes?.[0]?.scope} level=${v?.scopes?.[0]?.level}`);
  })
  .register_p1_message((e, ctx) => {
    record('P1Message', ctx, `open_chat_id=${e.event.open_chat_id} text=${JSON.stringify(e.event.text)}`);
  })
  .register_p2_card_action_trigger((e, ctx) => {
    record('P2CardActionTrigger', ctx, `operator=${e.event.operator.open_id} action.tag=${e.event.action.tag} value=${JSON.stringify(e.event.action.value)}`);
    return { toast: { type: 'success' as const, content: `clicked ${e.event.action.name ?? e.event.action.tag} (${ctx.transport})` } };
  });

async function main(): Promise<number> {
  const started = Date.now();
  const emulator = await startEmulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    encryptKey: ENCRYPT_KEY,
    verificationToken: VERIFICATION_TOKEN,
    pingIntervalS: 5,
    reconnectIntervalS: 1,
    reconnectNonceS: 0,
    redeliveryScheduleMs: [100, 200],
  });
  out(`emulator      ${emulator.url} (endpoint ${emulator.url}/callback/ws/endpoint)`);

  const webhook = http.createServer(createNodeHandler(dispatcher, { encryptKey: ENCRYPT_KEY, verificationToken: VERIFICATION_TOKEN, path: '/lark/events', logger: silentLogger }));
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/lark/events`;
  emulator.update({ webhook: webhookUrl });
  out(`webhook       ${webhookUrl} (node:http adapter, Encrypt Key + Verification Token)`);

  const client = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emulator.url, dispatcher, logger: silentLogger });
  client.on('state', (state) => out(`long conn.    ${state}`));

  try {
    await client.start();
    const challenge = await emulator.challenge();
    out(`challenge     ${challenge.ok ? 'echoed' : 'NOT echoed'} (HTTP ${challenge.status})`);
    if (!challenge.ok) problems.push('the webhook did not echo the url_verification challenge');

    const runs: Array<[string, Via]> = [];
    for (const via of ['ws', 'webhook'] as const) {
      for (const type of ['im.message.receive_v1', 'application.application.app_version.publish_apply_v6', 'message', 'card.action.trigger']) runs.push([type, via]);
    }
    out('');
    for (const [type, via] of runs) {
      const answer = await emulator.trigger(type, { via });
      check(type, via, answer);
    }
  } finally {
    await client.close();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    await emulator.close();
  }
  out('');
  if (problems.length > 0) {
    for (const p of problems) out(`PROBLEM: ${p}`);
    return 1;
  }
  out(`ok: ${seen.size} deliveries over 2 transports, one dispatcher, in ${Date.now() - started} ms`);
  return 0;
}

function check(type: string, via: Via, answer: TriggerAnswer): void {
  const handled = answer.id ? seen.get(answer.id) : undefined;
  const reply = answer.data === undefined ? `{"code":${answer.code}}` : `{"code":${answer.code},"data":${JSON.stringify(answer.data)}}`;
  out(`${via.padEnd(8)} ${type}`);
  out(`  handler  ${handled ? `${handled.typeName} via ${handled.transport}: ${handled.fields}` : '(not called)'}`);
  out(`  answer   ${reply}${answer.attempts > 1 ? ` after ${answer.attempts} attempts` : ''}`);
  if (answer.code !== 200) problems.push(`${type} via ${via}: answered ${answer.code} (${answer.error ?? 'no detail'})`);
  if (!handled) problems.push(`${type} via ${via}: no handler saw it`);
  else if (handled.transport !== via) problems.push(`${type} via ${via}: handler saw transport ${handled.transport}`);
  if (type === 'card.action.trigger') {
    const toast = (answer.data as { toast?: { content?: unknown } } | undefined)?.toast;
    if (typeof toast?.content !== 'string' || !toast.content.includes(`(${via})`)) problems.push(`card.action.trigger via ${via}: the toast did not come back (${JSON.stringify(answer.data)})`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
