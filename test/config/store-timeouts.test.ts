/**
 * `store.postgres` in livehook.json: how long livehook waits for PostgreSQL.
 * Defaults when unset, a clear refusal naming the key for a bad value, and
 * the values reach the store the service opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load-config';
import { isLivehookError } from '../../src/errors';
import { createLogger } from '../../src/log/logger';
import type { PostgresStore } from '../../src/store/postgres/postgres-store';
import { linkTo, openLinkedStore } from '../../src/store/store-link';
import { createTestSchema } from '../helpers/pg-schema';
import { startTestService, tempDir } from '../helpers/service';

describe('config: store.postgres time-outs', function () {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function configDirWith(service: unknown): string {
    const dir = tempDir('livehook-config-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'livehook.json'), JSON.stringify(service));
    fs.mkdirSync(path.join(dir, 'plugins'));
    return dir;
  }

  function refusal(postgres: Record<string, unknown>): string {
    try {
      loadConfig({ configDir: configDirWith({ store: { postgres } }), env: {} });
    } catch (err) {
      expect(isLivehookError(err) && err.code).to.equal('CONFIG_INVALID');
      return (err as Error).message;
    }
    throw new Error('expected the config to be refused');
  }

  it('has a default for each, and takes the ones given', function () {
    expect(loadConfig({ configDir: configDirWith({}), env: {} }).service.store.postgres).to.deep.equal({
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      commitTimeoutMs: 1500,
      pruneTimeoutMs: 30_000,
      idleInTransactionTimeoutMs: 10_000,
    });
    const given = loadConfig({ configDir: configDirWith({ store: { postgres: { commitTimeoutMs: 900 } } }), env: {} }).service.store.postgres;
    expect(given.commitTimeoutMs).to.equal(900);
    expect(given.statementTimeoutMs).to.equal(5000);
  });

  it('refuses a time-out that is not a number of milliseconds, or is 0 (no limit is not an option), naming the key', function () {
    expect(refusal({ commitTimeoutMs: 'soon' })).to.contain('livehook.json').and.contain('store.postgres.commitTimeoutMs').and.contain('number');
    expect(refusal({ statementTimeoutMs: 0 })).to.contain('store.postgres.statementTimeoutMs').and.contain('100');
    expect(refusal({ pruneTimeoutMs: 1.5 })).to.contain('store.postgres.pruneTimeoutMs').and.contain('integer');
    expect(refusal({ idleTimeoutMs: 5000 })).to.contain('unknown key').and.contain('idleTimeoutMs');
  });

  it("reaches the PostgreSQL store the service opens, and the plugin isolates' stores", async function () {
    this.timeout(20_000);
    const db = await createTestSchema();
    const svc = await startTestService({ env: { DATABASE_URL: db.url }, config: { store: { postgres: { commitTimeoutMs: 1234, statementTimeoutMs: 4321 } } } });
    try {
      const timeouts = (svc.service.store as PostgresStore).settings().timeouts;
      expect(timeouts).to.include({ commitTimeoutMs: 1234, statementTimeoutMs: 4321, connectTimeoutMs: 2000 });
      // What an isolate opens from its link to the service's store.
      const linked = (await openLinkedStore(linkTo(svc.service.store).link, createLogger('silent'))) as PostgresStore;
      try {
        expect(linked.settings().timeouts).to.deep.equal(timeouts);
      } finally {
        await linked.close();
      }
    } finally {
      await svc.stop();
      await db.drop();
      fs.rmSync(svc.dataDir, { recursive: true, force: true });
      fs.rmSync(svc.configDir, { recursive: true, force: true });
    }
  });
});
