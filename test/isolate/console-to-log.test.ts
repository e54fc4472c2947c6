/**
 * A plugin's console output is a line of the service's JSON log, naming the
 * plugin, in a thread isolate and in a child process alike (it used to be
 * plain text on stdout, among the logging plugin's JSON lines).
 */
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

const TALKER = `
'use strict';
const { injectable } = require('tsyringe');
console.log('loaded');
class Handler {
  handle(event) {
    console.log('handled %s (%d)', event.roomId, 2);
    console.warn('careful');
    console.dir({ room: event.roomId, nested: { deep: { deeper: 1 } } }, { depth: 0 });
    console.trace('where from');
    console.error(new Error('oops').message);
  }
}
injectable()(Handler);
module.exports = { name: 'talker', version: '1.0.0', commands: '*', handler: Handler };
`;

describe("a plugin's console output", function () {
  this.timeout(60_000);

  for (const isolation of ['thread', 'process'] as const) {
    it(`goes to the service's log as JSON with the plugin named (isolation "${isolation}")`, async () => {
      const pluginsDir = tempDir('livehook-plugins-');
      writePlugin(pluginsDir, 'talker', 'index.js', TALKER);
      const svc = await startTestService({ pluginsDir, plugins: { talker: { enabled: true, isolation } } });
      try {
        const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'room-1', EventType: 'DestroyByUser', EventTime: Date.now() };
        expect((await svc.post(body)).status).to.equal(200);
        const said = (msg: string) => svc.logs.find((l) => l.plugin === 'talker' && l.msg === msg);
        await waitFor(() => said('oops') !== undefined, 20_000, 'the console.error line');
        expect(said('loaded')).to.include({ level: 'info', console: 'log' });
        expect(said('handled room-1 (2)')).to.include({ level: 'info', console: 'log' });
        expect(said('careful')).to.include({ level: 'warn', console: 'warn' });
        expect(said('oops')).to.include({ level: 'error', console: 'error' });
        // dir takes inspect's options; trace keeps its stack, which starts in the handler.
        expect(said("{ room: 'room-1', nested: [Object] }")).to.include({ level: 'info', console: 'dir' });
        const trace = svc.logs.find((l) => l.plugin === 'talker' && l.console === 'trace');
        expect(trace).to.include({ level: 'error' });
        expect(String(trace?.msg)).to.match(/^Trace: where from\n {4}at Handler\.handle \(.*index\.js:\d+:\d+\)/);
      } finally {
        await svc.stop();
      }
    });
  }
});
