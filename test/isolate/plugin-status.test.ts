/**
 * The plugin states `livehook plugins` reads from the store: an instance
 * that was killed never deletes its own, so a starting instance deletes
 * those of instances gone for an hour.
 */
import { expect } from 'chai';
import { openStore } from '../../src/store/open-store';
import { FORGET_MS, STATUS_RECORDS } from '../../src/isolate/plugin-status';
import { startTestService, tempDir, waitFor } from '../helpers/service';

describe('plugin states in the store', function () {
  this.timeout(60_000);

  it('are deleted for instances gone an hour, and kept for those gone a short while', async () => {
    const dataDir = tempDir('livehook-data-');
    const store = await openStore({ dataDir });
    const status = (instance: string, updatedAt: number) => ({ plugin: 'logging', instance, state: 'running', reason: null, restarts: 0, since: updatedAt, updatedAt });
    try {
      const records = store.records(STATUS_RECORDS);
      const old = Date.now() - FORGET_MS - 60_000;
      const recent = Date.now() - 120_000;
      await records.put('status', 'logging@killed-long-ago', old, status('killed-long-ago', old));
      await records.put('status', 'logging@killed-just-now', recent, status('killed-just-now', recent));
    } finally {
      await store.close();
    }
    const svc = await startTestService({ dataDir, onlyPlugins: ['logging'] });
    try {
      const records = svc.service.store.records(STATUS_RECORDS);
      await waitFor(async () => (await records.get('status', 'logging@killed-long-ago')) === null, 5_000, 'the old entry to go');
      expect(await records.get('status', 'logging@killed-just-now')).not.to.equal(null);
    } finally {
      await svc.stop();
    }
  });
});
