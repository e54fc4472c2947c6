/**
 * Two `livehook serve` processes on one PostgreSQL database, both running
 * email-alert: each one's timer finds the same storm digest due when its
 * window ends, and the digest must still go out once.
 */
import { expect } from 'chai';
import { post, waitFor } from '../helpers/service';
import { QUERY, systemDestroy } from '../plugins/email-alert/alert-service';
import { startInstance, useCluster } from './instances';

describe('several instances on one PostgreSQL database: one storm digest', function () {
  this.timeout(60_000);
  const cluster = useCluster({ smtp: true });
  const { instances } = cluster;

  it('sends each digest from one instance, though both find it due while it is being sent', async function () {
    // A slow relay: while one instance is sending, the other's timer (every 300 ms) finds the digest still due.
    cluster.smtp.dataDelayMs = 1500;
    // maxAlerts 0: every room waits for the digest of its 3 s window.
    const plugin = { enabled: true, capabilities: ['mailer', 'store'], storm: { maxAlerts: 0, windowMinutes: 0.05 } };
    const start = (name: string) =>
      startInstance({
        name,
        databaseUrl: cluster.db.url,
        config: { onlyPlugins: ['email-alert'], plugins: { 'email-alert': plugin } },
        env: { LIVEHOOK_SMTP_URL: cluster.smtp.url, LIVEHOOK_ALERT_TO: 'ops@example.com' },
      });
    instances.push(...(await Promise.all([start('a'), start('b')])));
    const [a] = instances;
    for (const room of ['s1', 's2', 's3']) expect((await post(a!.url, JSON.stringify(systemDestroy(room)), QUERY)).status).to.equal(200);

    const [digest] = await cluster.smtp.waitForMessages(1, 20_000);
    expect(digest!.parsed.text).to.contain('(s1)').and.contain('(s2)').and.contain('(s3)');
    // Long enough for a second send to have arrived: two more relay delays.
    await new Promise((r) => setTimeout(r, 3500));
    expect(cluster.smtp.received.map((m) => m.parsed.subject)).to.have.length(1);
    await waitFor(() => instances.some((i) => i.logs().some((l) => /^storm digest for 3 room\(s\) sent/.test(String(l.msg)))), 5000, 'the sender to log the digest');
    const senders = instances.filter((i) => i.logs().some((l) => /^storm digest for 3 room\(s\) sent/.test(String(l.msg))));
    expect(senders.map((i) => i.name)).to.have.length(1);
  });
});
