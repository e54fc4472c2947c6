/**
 * Whatever a plugin throws, its delivery is counted: retried, then dead with
 * what could be read of the error, and the other plugins go on. A Proxy
 * whose traps throw, an Error whose message getter throws, or a 1 MB message
 * used to make recording the failure throw in turn: the delivery went
 * neither to retry nor dead and was tried again every 100 ms for good.
 */
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';
import { MAX_FAILURE_CHARS } from '../../src/isolate/inside/plain-failure';

const ODD = `
'use strict';
const { injectable } = require('tsyringe');
const { PermanentError } = require('livehook');
const trap = () => { throw new Error('trap'); };
class Handler {
  handle(event) {
    switch (event.roomId) {
      case 'proxy': throw new Proxy({}, { getPrototypeOf: trap, get: trap, ownKeys: trap, has: trap });
      case 'getter': { const e = new Error('x'); Object.defineProperty(e, 'message', { get: trap }); throw e; }
      case 'huge': throw new Error('m'.repeat(1 << 20));
      case 'permanent-huge': throw new PermanentError('p'.repeat(1 << 20));
      default: return;
    }
  }
}
injectable()(Handler);
module.exports = { name: 'odd', version: '1.0.0', commands: '*', handler: Handler };
`;

describe('a plugin that throws an odd value', function () {
  this.timeout(60_000);

  for (const isolation of ['thread', 'process'] as const) {
    it(`has each delivery retried, then dead with what could be read (isolation "${isolation}")`, async () => {
      const pluginsDir = tempDir('livehook-plugins-');
      writePlugin(pluginsDir, 'odd', 'index.js', ODD);
      const svc = await startTestService({ pluginsDir, onlyPlugins: [], plugins: { odd: { enabled: true, isolation, retry: { baseMs: 20, capMs: 20, maxAttempts: 2 } } } });
      try {
        for (const room of ['proxy', 'getter', 'huge', 'permanent-huge', 'fine']) {
          const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: room, EventType: 'DestroyByUser', EventTime: Date.now() };
          expect((await svc.post(body)).status).to.equal(200);
        }
        const store = svc.service.store;
        await waitFor(async () => (await store.listDeliveries({ plugin: 'odd', status: 'dead' })).length === 4, 20_000, 'four dead deliveries');
        await svc.waitForIdle(20_000);
        const dead = await store.listDeliveries({ plugin: 'odd', status: 'dead' });
        const byRoom = new Map(await Promise.all(dead.map(async (d) => [(await store.getEvent(d.eventSeq))!.event.roomId, d] as const)));
        expect(byRoom.get('proxy')!.attempts).to.equal(2);
        expect(byRoom.get('proxy')!.lastError).to.contain('a thrown value that cannot be read');
        expect(byRoom.get('getter')!.attempts).to.equal(2);
        expect(byRoom.get('huge')!.attempts).to.equal(2);
        expect(byRoom.get('huge')!.lastError.length).to.be.below(MAX_FAILURE_CHARS + 200);
        expect(byRoom.get('huge')!.lastError).to.match(/^.*m{100}.*\(\d+ more characters cut\)$/s);
        expect(byRoom.get('permanent-huge')!.attempts, 'a PermanentError stays one').to.equal(1);
        expect(svc.service.isolates.get('odd')!.state).to.equal('running');
      } finally {
        await svc.stop();
      }
    });
  }
});
