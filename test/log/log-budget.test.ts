/**
 * A plugin's log budget: a flood of log lines is cut at so many lines or
 * bytes a second, and one line says how many went, while the service and the
 * other plugins log on.
 */
import { expect } from 'chai';
import { LogBudget } from '../../src/log/log-budget';
import { writePlugin } from '../helpers/plugin-files';
import { startTestService, tempDir, waitFor } from '../helpers/service';

describe('a plugin\'s log budget', function () {
  this.timeout(30_000);

  it('passes lines within the limits, drops the rest of that second, and says how many went once it is over', () => {
    let now = 10_000;
    const written: string[] = [];
    const reports: Array<{ lines: number; bytes: number }> = [];
    const budget = new LogBudget({ lines: 3, bytes: 100 }, (line) => written.push(line), (dropped) => reports.push(dropped), () => now);
    for (const line of ['a\n', 'b\n', 'c\n', 'd\n', 'e\n']) budget.offer(line);
    expect(written).to.deep.equal(['a\n', 'b\n', 'c\n']);
    now += 1000; // the next second: the count is said before its first line
    budget.offer('f\n');
    expect(reports).to.deep.equal([{ lines: 2, bytes: 4 }]);
    expect(written).to.deep.equal(['a\n', 'b\n', 'c\n', 'f\n']);
    // Bytes count too: a line past the byte budget goes, a short one after it passes.
    budget.offer(`${'x'.repeat(120)}\n`);
    budget.offer('g\n');
    expect(written.at(-1)).to.equal('g\n');
    budget.report();
    expect(reports.at(-1)).to.deep.equal({ lines: 1, bytes: 121 });
  });

  it('cuts a plugin that logs without end, says so in one line, and the service and other plugins log on', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'chatty', 'index.js', `'use strict';
const Joi = require('joi');
class Handler {
  handle(event) {
    for (let i = 0; i < 20000; i++) console.log('line ' + i + ' of event ' + event.roomId);
  }
}
module.exports = { name: 'chatty', version: '1.0.0', commands: '*', options: Joi.object({}), handler: Handler };
`);
    const svc = await startTestService({ pluginsDir, plugins: { chatty: { enabled: true } } });
    try {
      expect((await svc.post({ CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'flood', EventType: 'DestroyByUser', EventTime: Date.now() })).status).to.equal(200);
      await waitFor(() => svc.logs.some((l) => /^plugin "chatty" logged more than/.test(String(l.msg))), 10_000, 'the summary of dropped lines');
      const chatty = svc.logs.filter((l) => l.plugin === 'chatty' && /^line \d+ of event flood$/.test(String(l.msg)));
      const summary = svc.logs.find((l) => /^plugin "chatty" logged more than/.test(String(l.msg)))!;
      expect(chatty.length).to.be.at.least(1000).and.below(20_000);
      expect(summary).to.include({ level: 'warn', plugin: 'chatty', droppedLines: 20_000 - chatty.length });
      expect(summary.msg).to.match(/^plugin "chatty" logged more than 5000 lines or 4\.0 MiB within a second: \d+ lines \([\d.]+ (KiB|MiB)\) were dropped$/);
      // The budget is a second's: the next event's lines come through again, and the service answers as ever.
      expect((await svc.post({ CallbackCommand: 'Live.CallbackAfterDestroyRoom', RoomId: 'after', EventType: 'DestroyByUser', EventTime: Date.now() })).status).to.equal(200);
      await waitFor(() => svc.logs.some((l) => l.msg === 'line 0 of event after'), 10_000, 'the next event\'s lines');
    } finally {
      await svc.stop();
    }
  });
});
