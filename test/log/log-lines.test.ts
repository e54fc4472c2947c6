/**
 * The service's log lines as a collector reads them (stderr of the real
 * process, not a terminal): JSON, no key twice, the address really bound,
 * and a `hook` on a plugin's error lines.
 */
import { expect } from 'chai';
import { startChildService, type ChildService } from '../helpers/child-service';
import { writePlugin } from '../helpers/plugin-files';
import { tempDir, waitFor, writeConfigDir } from '../helpers/service';

/** A plugin whose cron job fails every second. */
const CRON_FAILS = `
'use strict';
const Joi = require('joi');
const { injectable, inject } = require('tsyringe');
class Handler {
  constructor(scheduler) { this.scheduler = scheduler; }
  init() { this.scheduler.schedule('tick', '* * * * * *', () => { throw new Error('the tick broke'); }); }
  handle() {}
}
inject('scheduler')(Handler, undefined, 0);
injectable()(Handler);
module.exports = { name: 'ticker', version: '0.0.1', commands: '*', capabilities: ['scheduler'], options: Joi.object({}), handler: Handler };
`;

/** The keys that appear twice in one object of a JSON text (JSON.parse keeps the last and hides it). */
function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const stack: Array<Set<string> | null> = [];
  const token = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g;
  let expectKey = false;
  let last = '';
  for (const [t] of text.matchAll(token)) {
    if (t === '{') stack.push(new Set()), (expectKey = true);
    else if (t === '[') stack.push(null), (expectKey = false);
    else if (t === '}' || t === ']') stack.pop();
    else if (t === ',') expectKey = stack[stack.length - 1] !== null;
    else if (t === ':') {
      const keys = stack[stack.length - 1]!;
      if (keys.has(last)) found.push(last);
      keys.add(last);
      expectKey = false;
    } else if (expectKey) last = JSON.parse(t) as string;
  }
  return found;
}

describe('log lines', function () {
  this.timeout(60_000);
  let svc: ChildService;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    writePlugin(pluginsDir, 'ticker', 'index.js', CRON_FAILS);
    const configDir = writeConfigDir({ pluginsDir, plugins: { ticker: { enabled: true, capabilities: ['scheduler'] } } });
    svc = await startChildService({ LIVEHOOK_CONFIG_DIR: configDir, LIVEHOOK_DATA_DIR: tempDir('livehook-data-') });
    await waitFor(() => svc.stderr.join('').includes('the tick broke'), 10_000, 'the cron job to fail');
  });
  after(() => svc?.kill('SIGTERM'));

  const lines = (): string[] => svc.stderr.join('').split('\n').filter(Boolean);

  it('are JSON lines on a pipe, with no key twice (cron lines had "plugin" twice)', () => {
    expect(duplicateKeys('{"a":1,"b":{"a":2},"a":3}'), 'the checker itself').to.deep.equal(['a']);
    for (const line of lines()) {
      expect(() => JSON.parse(line), line).not.to.throw();
      expect(duplicateKeys(line), line).to.deep.equal([]);
    }
    const scheduled = lines().find((l) => l.includes('"cron job scheduled"'))!;
    expect(JSON.parse(scheduled)).to.include({ plugin: 'ticker', job: 'tick' });
  });

  it('say the address really bound: 0.0.0.0 is every interface', () => {
    const listening = JSON.parse(lines().find((l) => l.includes('livehook listening on'))!);
    expect(listening.msg).to.match(/^livehook listening on http:\/\/0\.0\.0\.0:\d+$/);
    expect(listening).to.include({ address: '0.0.0.0' });
  });

  it("carry the hook on a plugin's error line", () => {
    const failed = JSON.parse(lines().find((l) => l.includes('the tick broke') && l.includes('"level":"error"'))!);
    expect(failed).to.include({ plugin: 'ticker', job: 'tick', hook: 'cron' });
  });
});
