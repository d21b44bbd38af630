// autocannon's setupRequest for bench/http.ts in workers mode (a worker can only load a function
// from a file): every request a new body with an event id of its own. bench/http.ts passes the
// body template and the round's tag in HTTP_BENCH_BODY.
const { threadId } = require('node:worker_threads');

const { head, tail, tag } = JSON.parse(process.env.HTTP_BENCH_BODY || '{}');
let n = 0;

module.exports = (req) => ({ ...req, body: `${head}${tag}-${threadId}-${n++}-${Math.random().toString(36).slice(2)}${tail}` });
