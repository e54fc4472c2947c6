/**
 * The baseline of the ingest benchmark: Koa + koa-bodyparser that reads the
 * JSON body and answers the OK envelope, nothing else. Run as its own process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const app = new Koa();
app.use(bodyParser());
app.use((ctx) => {
  ctx.body = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
});
const server = http.createServer(app.callback());
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`livehook listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
