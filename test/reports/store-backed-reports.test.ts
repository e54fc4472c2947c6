/**
 * StoreBackedReports on both engines: a report written by one instance is
 * listed and read by another instance (its own data dir, the same database),
 * the local files are still written, and report files an older version left
 * in <data dir>/reports are imported into the store on first use.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LivehookError } from '../../src/errors';
import { StoreBackedReports } from '../../src/reports/store-backed-reports';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { createTestSchema } from '../helpers/pg-schema';
import { tempDir } from '../helpers/service';

interface Engine {
  name: string;
  open(dir: string): Promise<{ stores: [Store, Store]; cleanup(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    async open(dir) {
      // Two connections to one file, as the service and `livehook report` have.
      const stores: [Store, Store] = [await openStore({ dataDir: dir }), await openStore({ dataDir: dir })];
      return { stores, cleanup: async () => { for (const s of stores) await s.close(); } };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createTestSchema();
      const stores: [Store, Store] = [await openStore({ dataDir: '/nonexistent', databaseUrl: db.url }), await openStore({ dataDir: '/nonexistent', databaseUrl: db.url })];
      return {
        stores,
        cleanup: async () => {
          for (const s of stores) await s.close();
          await db.drop();
        },
      };
    },
  },
];

const report = (date: string, destroyed: number) => ({ json: { date, rooms: { destroyed } }, html: `<!doctype html><title>${date}: ${destroyed}</title>` });

for (const engine of engines) {
  describe(`StoreBackedReports (${engine.name})`, function () {
    this.timeout(20_000);
    let root: string;
    let stores: [Store, Store];
    let cleanup: () => Promise<void>;
    let logs: Array<Record<string, unknown>>;
    const logger = pino({ level: 'info' }, new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
        done();
      },
    }));
    /** An instance's reports: its own data dir (a, b, ...), one of the two connections. */
    const instance = (name: string, connection = 0) => new StoreBackedReports({ store: stores[connection]!, dir: path.join(root, name, 'reports'), logger });
    const files = (name: string) => (fs.existsSync(path.join(root, name, 'reports')) ? fs.readdirSync(path.join(root, name, 'reports')).sort() : []);
    const oldFile = (name: string, file: string, content: string) => {
      fs.mkdirSync(path.join(root, name, 'reports'), { recursive: true });
      fs.writeFileSync(path.join(root, name, 'reports', file), content);
    };

    beforeEach(async () => {
      root = tempDir('livehook-shared-reports-');
      ({ stores, cleanup } = await engine.open(root));
      logs = [];
    });
    afterEach(async () => {
      await cleanup();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('serves a report written by one instance on every instance, and keeps the writer\'s local files', async () => {
      const a = instance('a', 0);
      const b = instance('b', 1);
      expect(await b.list()).to.deep.equal([]);
      expect(await b.readJson('2025-09-04')).to.equal(null);
      await a.write('2025-09-04', report('2025-09-04', 3));
      expect(await b.list()).to.deep.equal(['2025-09-04']);
      expect(await b.readJson('2025-09-04')).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 3 } });
      expect(await b.readHtml('2025-09-04')).to.equal('<!doctype html><title>2025-09-04: 3</title>');
      // The local copy is the writer's: a has the files, b has none.
      expect(files('a')).to.deep.equal(['2025-09-04.html', '2025-09-04.json']);
      expect(JSON.parse(fs.readFileSync(path.join(a.dir, '2025-09-04.json'), 'utf8'))).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 3 } });
      expect(files('b')).to.deep.equal([]);

      // A rebuild on b replaces the report for a as well.
      await b.write('2025-09-04', report('2025-09-04', 5));
      expect(await a.readJson('2025-09-04')).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 5 } });
      expect(await a.readHtml('2025-09-04')).to.contain('2025-09-04: 5');
    });

    it('lists days newest first, whichever instance built them', async () => {
      await instance('a').write('2025-09-03', report('2025-09-03', 1));
      await instance('b', 1).write('2025-10-01', report('2025-10-01', 1));
      await instance('a').write('2025-09-04', report('2025-09-04', 1));
      await instance('c').write('1969-12-31', report('1969-12-31', 1)); // before 1970: a negative index time
      expect(await instance('d', 1).list()).to.deep.equal(['2025-10-01', '2025-09-04', '2025-09-03', '1969-12-31']);
    });

    it('refuses a name that is not a calendar day', async () => {
      const a = instance('a');
      for (const bad of ['../../etc/passwd', '2025-9-4', '2025-02-30']) {
        for (const call of [() => a.write(bad, report(bad, 1)), () => a.readJson(bad), () => a.readHtml(bad)]) {
          const err = await call().catch((e: unknown) => e);
          expect(err, bad).to.be.instanceOf(LivehookError).with.property('code', 'BAD_DATE');
        }
      }
    });

    describe('report files of an older version (only in <data dir>/reports)', () => {
      it('imports them on first use, so this and every other instance serve them; the files stay', async () => {
        oldFile('a', '2025-09-01.json', `${JSON.stringify({ date: '2025-09-01', v: 'old' }, null, 2)}\n`);
        oldFile('a', '2025-09-01.html', '<p>old page</p>');
        oldFile('a', '2025-09-02.json', '{"date":"2025-09-02"}');
        const b = instance('b', 1);
        expect(await b.list(), 'before a has started').to.deep.equal([]);

        const a = instance('a');
        expect(await a.list()).to.deep.equal(['2025-09-02', '2025-09-01']);
        expect(await b.list()).to.deep.equal(['2025-09-02', '2025-09-01']);
        expect(await b.readJson('2025-09-01')).to.deep.equal({ date: '2025-09-01', v: 'old' });
        expect(await b.readHtml('2025-09-01')).to.equal('<p>old page</p>');
        // A day whose page was missing: its data is served, its page is not.
        expect(await b.readJson('2025-09-02')).to.deep.equal({ date: '2025-09-02' });
        expect(await b.readHtml('2025-09-02')).to.equal(null);
        expect(files('a')).to.deep.equal(['2025-09-01.html', '2025-09-01.json', '2025-09-02.json']);
        expect(logs.find((l) => String(l.msg).startsWith('imported 2 report file(s)'))).to.include({ level: 30 });
      });

      it('leaves a day the store already has as the store has it', async () => {
        await instance('a').write('2025-09-04', report('2025-09-04', 7));
        oldFile('b', '2025-09-04.json', '{"date":"2025-09-04","rooms":{"destroyed":1}}');
        oldFile('b', '2025-09-04.html', '<p>stale</p>');
        const b = instance('b', 1);
        expect(await b.readJson('2025-09-04')).to.deep.equal({ date: '2025-09-04', rooms: { destroyed: 7 } });
        expect(await b.readHtml('2025-09-04')).to.contain('2025-09-04: 7');
      });

      it('does not import a file that is not JSON, and says which file and how to rebuild it', async () => {
        oldFile('a', '2025-09-04.json', '{ not json');
        oldFile('a', '2025-09-05.json', '{"date":"2025-09-05"}');
        const a = instance('a');
        expect(await a.list()).to.deep.equal(['2025-09-05']);
        const warning = logs.find((l) => l.level === 40);
        expect(warning).to.include({ date: '2025-09-04', file: path.join(a.dir, '2025-09-04.json') });
        expect(String(warning!.msg)).to.contain('2025-09-04.json is not valid JSON').and.contain('livehook report --date 2025-09-04');
      });

      it('picks up files put in the folder later at the next start', async () => {
        const first = instance('a');
        expect(await first.list()).to.deep.equal([]);
        oldFile('a', '2025-09-06.json', '{"date":"2025-09-06"}');
        expect(await first.list(), 'the same process').to.deep.equal([]);
        expect(await instance('a').list(), 'a new start').to.deep.equal(['2025-09-06']);
      });
    });
  });
}
