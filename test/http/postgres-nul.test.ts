/**
 * PostgreSQL keeps what SQLite keeps: a callback whose strings carry NUL
 * (the JSON escape \u0000, which PostgreSQL text cannot hold) is answered
 * 200, stored, and delivered to plugins with every NUL in place, through
 * real HTTP on a real PostgreSQL schema. (It used to be a 500 on every
 * resend, so Tencent retried it until it gave up.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { fixture, startTestService, tempDir, type TestService } from '../helpers/service';

describe('a callback carrying NUL characters, on PostgreSQL', function () {
  this.timeout(30_000);
  let db: TestSchema;
  let svc: TestService;
  let out: string;
  const dirs: string[] = [];

  before(async function () {
    db = await createTestSchema();
    const pluginsDir = tempDir('livehook-plugins-');
    const outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
    out = path.join(outDir, 'calls.jsonl');
    writePlugin(pluginsDir, 'recorder', 'index.ts', recorderTs('recorder'));
    svc = await startTestService({ pluginsDir, plugins: { recorder: { enabled: true, capabilities: ['fs'], out } }, env: { DATABASE_URL: db.url } });
    dirs.push(svc.dataDir, svc.configDir);
  });

  after(async function () {
    await svc?.stop();
    await db?.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is answered 200, also when sent again, and reaches the plugin with RoomId and Operator_Account intact', async function () {
    expect(svc.service.store.engine).to.equal('postgres');
    // The body as Tencent sends it: JSON text, the NULs written as the escape \u0000.
    const raw = fixture('destroy-room.seed-example.json')
      .replace('"tandy-test-rest"', '"a\\u0000b"')
      .replace('"Operator_Account":"admin"', '"Operator_Account":"ad\\u0000min"');
    expect(raw).to.contain('"RoomId":"a\\u0000b"');

    const first = await svc.post(raw, { SdkAppid: '1400000001' });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const resent = await svc.post(raw, { SdkAppid: '1400000001' });
    expect(resent.status, JSON.stringify(resent.body)).to.equal(200);
    await svc.waitForIdle();

    const handled = readRecords(out).filter((r) => r.hook === 'handle');
    expect(handled, 'deliveries (the resend is a duplicate: delivered once)').to.have.length(1);
    const event = handled[0]!.event;
    expect(event.roomId).to.equal('a\u0000b');
    expect(event.operator).to.equal('ad\u0000min');
    expect(event.body.RoomId).to.equal('a\u0000b');
    expect(event.body.Operator_Account).to.equal('ad\u0000min');
    expect(event.raw, 'the raw body exactly as received').to.equal(raw);

    // And it is in the database, read back by livehook as it came.
    const [stored] = await svc.service.store.readEvents(0, 10);
    expect(stored!.event.roomId).to.equal('a\u0000b');
    expect(stored!.event.raw).to.equal(raw);
  });
});
