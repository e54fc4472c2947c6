/**
 * Two `livehook serve` processes on one PostgreSQL database, callbacks
 * posted to both (some of them the same callback to each, as Tencent's
 * retry through a load balancer would): every event is stored once and
 * every plugin effect happens once (a recorder plugin's calls, the
 * email-alert plugin's mails on a real SMTP server).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fixture, post, tempDir, waitFor } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { type Instance, pluginsDirWith, startInstance, useCluster } from './instances';

const QUERY = { SdkAppid: '1400000001' };

/** A system-dissolved room (the production capture) for `roomId`: the email-alert plugin mails each one. */
function systemDestroy(roomId: string): string {
  const body = JSON.parse(fixture('destroy-room.production-capture.json')) as Record<string, any>;
  body.RoomId = roomId;
  body.RoomInfo.RoomId = roomId;
  body.RoomInfo.RoomName = `Room ${roomId}`;
  return JSON.stringify(body);
}

describe('several instances on one PostgreSQL database: effects happen once', function () {
  this.timeout(90_000);
  const cluster = useCluster({ smtp: true });
  const { instances, dirs } = cluster;

  it('stores each callback once and runs each plugin once per event, whichever instance got it', async function () {
    const pluginsDir = pluginsDirWith(['email-alert']);
    const outDir = tempDir('livehook-out-');
    dirs.push(pluginsDir, outDir);
    writePlugin(pluginsDir, 'recorder', 'index.ts', recorderTs('recorder'));
    const alert = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'plugins', 'email-alert.json'), 'utf8'));

    for (const name of ['a', 'b']) {
      instances.push(
        await startInstance({
          name,
          databaseUrl: cluster.db.url,
          config: {
            pluginsDir,
            onlyPlugins: ['email-alert'],
            // Each instance records into its own file, so the test sees who ran what.
            plugins: { recorder: { enabled: true, capabilities: ['fs'], out: path.join(outDir, `${name}.jsonl`) }, 'email-alert': { ...alert, storm: { maxAlerts: 1000, windowMinutes: 5 } } },
          },
          env: { LIVEHOOK_SMTP_URL: cluster.smtp.url, LIVEHOOK_ALERT_TO: 'ops@example.com' },
        }),
      );
    }
    const [a, b] = instances as [Instance, Instance];

    // 40 rooms spread over both instances, 8 lanes at a time; 10 more posted to both at once.
    const spread = Array.from({ length: 40 }, (_, i) => `spread-${i}`);
    const both = Array.from({ length: 10 }, (_, i) => `both-${i}`);
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let i = lane; i < spread.length; i += 8) {
          statuses.push((await post(i % 2 ? a.url : b.url, systemDestroy(spread[i]!), QUERY)).status);
        }
      }),
    );
    for (const room of both) {
      const answers = await Promise.all([post(a.url, systemDestroy(room), QUERY), post(b.url, systemDestroy(room), QUERY)]);
      statuses.push(...answers.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200), 'non-200 answers').to.deep.equal([]);

    const rooms = [...spread, ...both];
    const handled = () => [...readRecords(path.join(outDir, 'a.jsonl')), ...readRecords(path.join(outDir, 'b.jsonl'))].filter((r) => r.hook === 'handle');
    await waitFor(() => new Set(handled().map((r) => r.event.roomId)).size === rooms.length, 20_000, 'the recorder to see every room');
    await cluster.smtp.waitForMessages(rooms.length, 20_000);
    // Give a second delivery, if there were to be one, time to happen.
    await new Promise((r) => setTimeout(r, 1500));

    const stored = await cluster.db.sql<{ room_id: string }>('SELECT room_id FROM events ORDER BY seq');
    expect(stored.map((r) => r.room_id).sort()).to.deep.equal([...rooms].sort());

    const perRoom = new Map<string, number>();
    for (const r of handled()) perRoom.set(r.event.roomId, (perRoom.get(r.event.roomId) ?? 0) + 1);
    expect([...perRoom.entries()].filter(([, n]) => n !== 1), 'rooms the recorder saw more than once').to.deep.equal([]);

    const mailed = cluster.smtp.received.map((m) => m.parsed.subject ?? '');
    expect(mailed).to.have.length(rooms.length);
    for (const room of rooms) expect(mailed.filter((s) => s.includes(`(${room})`)), `mails about ${room}`).to.have.length(1);

    // One instance delivered the recorder (its lease), although both took callbacks.
    const deliverers = ['a', 'b'].filter((n) => readRecords(path.join(outDir, `${n}.jsonl`)).some((r) => r.hook === 'handle'));
    expect(deliverers).to.have.length(1);
  });
});
