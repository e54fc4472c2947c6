/**
 * Big events (bodies near the size limit whose parsed form takes tens of MB)
 * are read and handled one at a time in a plugin's isolate: a batch of them
 * never has to fit in its heap at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestService } from '../helpers/service';

/** About 900 KB of nested empty lists: cheap to send, about 20 MB once parsed. */
function bigBody(room: string): string {
  return `{"CallbackCommand":"Demo.Big","RoomId":"${room}","X":[${Array.from({ length: 100_000 }, () => '[[[[]]]]').join(',')}]}`;
}

describe('a plugin isolate given a batch of big events', function () {
  this.timeout(60_000);

  it('handles each of them without running out of heap (64 MB for six events of about 20 MB each)', async () => {
    const svc = await startTestService({
      onlyPlugins: ['logging'],
      plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: false, file: 'events.log', heapMb: 64 } },
    });
    try {
      const logging = svc.service.isolates.get('logging')!;
      const rooms = Array.from({ length: 6 }, (_, i) => `big-${i}`);
      // All at once, so that they are stored together and the plugin reads them in one batch.
      const answers = await Promise.all(rooms.map((room) => svc.post(bigBody(room))));
      expect(answers.map((a) => a.status)).to.deep.equal(rooms.map(() => 200));
      await svc.waitForIdle(40_000);
      const lines = fs.readFileSync(path.join(svc.dataDir, 'logs', 'events.log'), 'utf8').trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { roomId: string }).roomId).sort()).to.deep.equal(rooms);
      expect(logging.restarts, 'the isolate never ran out of heap').to.equal(0);
    } finally {
      await svc.stop();
    }
  });
});
