/**
 * A crash can come between a failed delivery's row and the plugin's cursor
 * save (cursor saves are coalesced). At the next start the row's retry owns
 * that event: the main path must not deliver it again as a first attempt.
 */
import path from 'node:path';
import { expect } from 'chai';
import { createLogger } from '../../src/log/logger';
import { openStore } from '../../src/store/open-store';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';
import { makeEvent } from '../store/make-event';

describe('durability: a crash between a failure row and the cursor save', function () {
  this.timeout(30_000);

  it('leaves the event to its retry (attempt count kept) or to its dead row, and delivers the others once', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir, logger: createLogger('silent') });
    const seqs: number[] = [];
    for (const roomId of ['before', 'retrying', 'dead', 'after']) seqs.push((await store.append(makeEvent({ roomId }))).seq);
    // The plugin's saved cursor is still before all four: the crash came before its save.
    await store.setCursor('rec', 0);
    await store.recordFailure({ plugin: 'rec', eventSeq: seqs[1]!, attempts: 2, nextAttemptAt: Date.now() + 1500, error: 'failed twice before the crash' });
    await store.recordFailure({ plugin: 'rec', eventSeq: seqs[2]!, attempts: 5, nextAttemptAt: null, error: 'dead before the crash' });
    await store.close();

    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'rec', 'index.ts', recorderTs('rec'));
    const svc = await startTestService({ dataDir, pluginsDir, plugins: { rec: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 100, capMs: 100, maxAttempts: 5 } } } });
    try {
      const handled = () => readRecords(out).filter((r) => r.hook === 'handle').map((r) => `${r.event.roomId}#${r.delivery.attempt}`);
      await waitFor(() => handled().includes('retrying#3'), 10_000, 'the retry of the event that had a row');
      // Idle: nothing in flight and no retry due, so no further delivery is coming.
      await svc.waitForIdle();
      expect(handled().sort()).to.deep.equal(['after#1', 'before#1', 'retrying#3']);
      const [dead] = await svc.service.store.listDeliveries({ plugin: 'rec', status: 'dead' });
      expect(dead).to.include({ eventSeq: seqs[2], attempts: 5 });
    } finally {
      await svc.stop();
    }
  });
});
