/** ReportsDir on a real folder: atomic writes, reads, listing, refusal of bad names. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LivehookError } from '../../src/errors';
import { ReportsDir } from '../../src/reports/reports-dir';
import { tempDir } from '../helpers/service';

describe('ReportsDir', () => {
  let root: string;
  let reports: ReportsDir;
  beforeEach(() => {
    root = tempDir('livehook-reports-');
    reports = new ReportsDir(path.join(root, 'reports'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists nothing before the folder exists, then writes <date>.json and <date>.html', async () => {
    expect(await reports.list()).to.deep.equal([]);
    expect(await reports.readJson('2025-09-04')).to.equal(null);
    await reports.write('2025-09-04', { json: { date: '2025-09-04', rooms: { destroyed: 3 } }, html: '<!doctype html><p>hi</p>' });
    expect(await reports.readJson('2025-09-04')).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 3 } });
    expect(await reports.readHtml('2025-09-04')).to.equal('<!doctype html><p>hi</p>');
    expect(fs.readdirSync(reports.dir).sort()).to.deep.equal(['2025-09-04.html', '2025-09-04.json']);
    expect(fs.readFileSync(path.join(reports.dir, '2025-09-04.json'), 'utf8')).to.match(/^\{\n {2}"date"/); // readable
  });

  it('replaces a report whole and leaves no temporary file behind', async () => {
    await reports.write('2025-09-04', { json: { v: 1 }, html: 'one' });
    const big = 'x'.repeat(2_000_000);
    // Readers racing with writers only ever see a complete version.
    const seen = new Set<string>();
    const reading = (async () => {
      for (let i = 0; i < 200; i++) seen.add(((await reports.readHtml('2025-09-04')) ?? '').length.toString());
    })();
    for (let i = 0; i < 10; i++) await reports.write('2025-09-04', { json: { v: i }, html: i % 2 ? big : 'one' });
    await reading;
    expect([...seen].every((len) => len === '3' || len === String(big.length))).to.equal(true);
    expect(fs.readdirSync(reports.dir).sort()).to.deep.equal(['2025-09-04.html', '2025-09-04.json']); // no temporary file left behind
  });

  it('lists days newest first and ignores other files', async () => {
    for (const d of ['2025-09-03', '2025-10-01', '2025-09-04']) await reports.write(d, { json: {}, html: '' });
    fs.writeFileSync(path.join(reports.dir, 'notes.txt'), '');
    fs.writeFileSync(path.join(reports.dir, '2025-09-05.html'), ''); // a page without data is not a report
    expect(await reports.list()).to.deep.equal(['2025-10-01', '2025-09-04', '2025-09-03']);
  });

  it('refuses a name that is not a calendar day (it would be a file name)', async () => {
    for (const bad of ['../../etc/passwd', '2025-9-4', '2025-02-30', '2025-09-04.json']) {
      const err = await reports.write(bad, { json: {}, html: '' }).catch((e: unknown) => e);
      expect(err, bad).to.be.instanceOf(LivehookError).with.property('code', 'BAD_DATE');
    }
  });

  it('says which file is broken and how to rebuild it', async () => {
    await reports.write('2025-09-04', { json: {}, html: '' });
    fs.writeFileSync(path.join(reports.dir, '2025-09-04.json'), '{ not json');
    const err = await reports.readJson('2025-09-04').catch((e: Error) => e);
    expect(String((err as Error).message)).to.contain('2025-09-04.json is not valid JSON').and.contain('livehook report --date 2025-09-04');
  });
});
