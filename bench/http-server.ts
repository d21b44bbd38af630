// Child process for bench/http.ts: one node:http server, `tsx bench/http-server.ts <ours|official|floor>`.
// Prints "ready <port>" on stdout; `--cpu-prof` may be passed to node to profile it (HTTP_BENCH_NODE_ARGS).
import http from 'node:http';




const [mode, token] = process.argv.slice(2);
let handled = 0;
let listener: any;
if (mode === 'ours') {
  const { EventDispatcher, silentLogger } = await import('../src/index.js');
  const { createNodeHandler } = await import('../src/entries/webhook.js');
  // Validation on, de-duplication on (the default in-memory idempotency store).
  const dispatcher = new EventDispatcher({ validation: 'reject', logger: silentLogger }).register_p2_im_message_receive_v1(() => void handled++);
  listener = createNodeHandler(dispatcher, { path: '/webhook/event', verificationToken: token, logger: silentLogger });
} else if (mode === 'official') {
  const lark = await import('@larksuiteoapi/node-sdk');
  const dispatcher = new lark.EventDispatcher({ verificationToken: token, loggerLevel: lark.LoggerLevel.error }).register({
    'im.message.receive_v1': async () => {
      handled++;
      return 'ok';
    },
  });
  listener = lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true });
} else if (mode === 'floor') {
  // Reads the body, parses the JSON, answers 200: what any receiver has to do at least.
  const reply = Buffer.from('{}');
  listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      handled++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
      res.end(reply);
    });
  };
} else {
  throw new Error(`unknown mode ${mode}`);
}
const server = http.createServer(listener);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`));
const stop = () => server.close(() => process.exit(handled > 0 ? 0 : 3));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('message', (m: unknown) => m === 'stop' && stop());
