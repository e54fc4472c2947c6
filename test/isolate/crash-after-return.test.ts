/**
 * A handler that returns but leaves work behind that kills its isolate (a
 * throwing setImmediate): the crash is laid to the delivery that had just
 * returned, so the event is retried and then dead, instead of being
 * redelivered from the saved cursor and killing the isolate for good.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

const CRASHY = `
'use strict';
const fs = require('node:fs');
const Joi = require('joi');
const { inject, injectable } = require('tsyringe');
class Handler {
  constructor(options) { this.options = options; }
  handle(event) {
    fs.appendFileSync(this.options.out, event.roomId + '\\n');
    if (event.roomId === 'poison') setImmediate(() => { throw new Error('boom'); });
  }
}
inject('options')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'crashy', version: '1.0.0', commands: '*', capabilities: ['fs'], options: Joi.object({ out: Joi.string() }), handler: Handler };
`;

describe('a plugin whose isolate crashes just after a delivery returned', function () {
  this.timeout(60_000);

  it('has that delivery counted as a failed attempt: retried, then dead, and the events after it delivered', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    const out = path.join(tempDir('livehook-crashy-'), 'rooms.txt');
    writePlugin(pluginsDir, 'crashy', 'index.js', CRASHY);
    const svc = await startTestService({ pluginsDir, onlyPlugins: [], plugins: { crashy: { enabled: true, capabilities: ['fs'], out, retry: { baseMs: 50, capMs: 50, maxAttempts: 3 } } } });
    try {
      for (const room of ['poison', 'after']) {
        const body = { CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: room, EventType: 'DestroyByUser', EventTime: Date.now() };
        expect((await svc.post(body)).status).to.equal(200);
      }
      const store = svc.service.store;
      await waitFor(async () => (await store.listDeliveries({ plugin: 'crashy', status: 'dead' })).length === 1, 40_000, 'the poison delivery to go dead');
      const [dead] = await store.listDeliveries({ plugin: 'crashy', status: 'dead' });
      expect((await store.getEvent(dead.eventSeq))!.event.roomId).to.equal('poison');
      expect(dead.attempts).to.equal(3);
      expect(dead.lastError).to.contain('its isolate crashed: boom');
      // The first attempt had returned when the isolate died (a retry may still be marking its row done).
      expect(svc.logs.some((l) => /its isolate crashed: boom, \d+ ms after this delivery returned/.test(String(l.error)))).to.equal(true);
      await waitFor(() => fs.readFileSync(out, 'utf8').split('\n').includes('after'), 20_000, 'the next event');
      // (It shows as failed for a minute after three crashes; the backlog is what it has not delivered.)
      const metrics = async () => String((await svc.get('/metrics')).body);
      await waitFor(async () => /livehook_deliveries_pending\{plugin="crashy"\} 0\b/.test(await metrics()), 20_000, 'nothing left pending');
      expect(await metrics()).to.match(/livehook_deliveries_dead\{plugin="crashy"\} 1\b/);
    } finally {
      await svc.stop();
    }
  });
});
