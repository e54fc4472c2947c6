/**
 * A plugin's own writes to stdout and stderr (process.stdout, or fs on
 * descriptors 1 and 2) keep the service's streams whole: on stdout a half-written line no longer has the logging plugin's
 * event glued onto it (neither parsed), and on stderr, the JSON log, a raw
 * line becomes a log line with the plugin named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startChildService } from '../helpers/child-service';
import { writePlugin } from '../helpers/plugin-files';
import { REPO_ROOT, tempDir, waitFor, writeConfigDir } from '../helpers/service';

/** Writes half a line, waits while the logging plugin writes its event line, then ends it. */
const NOISY = `
'use strict';
const fs = require('node:fs');
const { injectable } = require('tsyringe');
class Handler {
  async handle(event) {
    process.stdout.write('half a ');
    fs.writeSync(1, 'and fd 1 ');
    fs.createWriteStream(null, { fd: 1, autoClose: false }).write('and a stream ');
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.stdout.write(Buffer.from('line from ' + event.roomId));
    process.stdout.write('\\n');
    process.stderr.write('raw to stderr\\r\\nand a second line\\n\\n');
    fs.writeSync(2, Buffer.from('fd 2 line\\n'));
    fs.createWriteStream(null, { fd: 2 }).end('stream on fd 2\\n');
  }
}
injectable()(Handler);
module.exports = { name: 'noisy', version: '1.0.0', commands: '*', handler: Handler };
`;

describe("a plugin's own writes to stdout and stderr", function () {
  this.timeout(60_000);

  for (const isolation of ['thread', 'process'] as const) {
    it(`leave every line of both streams whole (isolation "${isolation}")`, async () => {
      const pluginsDir = tempDir('livehook-plugins-');
      fs.symlinkSync(path.join(REPO_ROOT, 'plugins', 'logging'), path.join(pluginsDir, 'logging'));
      writePlugin(pluginsDir, 'noisy', 'index.js', NOISY);
      const configDir = writeConfigDir({ pluginsDir, plugins: { logging: { enabled: true, capabilities: ['fs'], stdout: true, file: null }, noisy: { enabled: true, isolation } } });
      const svc = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: tempDir('livehook-data-') });
      try {
        const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'room-1', EventType: 'DestroyByUser', EventTime: Date.now() };
        const res = await fetch(`${svc.url}/callback`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        expect(res.status).to.equal(200);
        const stderrLines = () => svc.stderr.join('').split('\n').filter(Boolean);
        await waitFor(() => stderrLines().some((l) => l.includes('stream on fd 2')), 20_000, "the plugin's stderr lines");
        await waitFor(() => svc.stdout.join('').includes('half a and fd 1 and a stream line from room-1\n'), 5_000, "the plugin's stdout line");

        const stdoutLines = svc.stdout.join('').split('\n').filter(Boolean);
        expect(stdoutLines.filter((l) => !l.startsWith('{'))).to.deep.equal(['half a and fd 1 and a stream line from room-1']);
        const events = stdoutLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { roomId: string });
        expect(events.map((e) => e.roomId)).to.deep.equal(['room-1']);

        for (const line of stderrLines()) expect(() => JSON.parse(line), line).not.to.throw();
        const said = stderrLines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.stream === 'stderr');
        expect(said.map((l) => [l.plugin, l.level, l.msg])).to.deep.equal([
          ['noisy', 'warn', 'raw to stderr'],
          ['noisy', 'warn', 'and a second line'],
          ['noisy', 'warn', 'fd 2 line'],
          ['noisy', 'warn', 'stream on fd 2'],
        ]);
      } finally {
        await svc.kill('SIGTERM');
      }
    });
  }
});
