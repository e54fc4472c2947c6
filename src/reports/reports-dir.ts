/**
 * Daily reports as files, <dir>/<date>.json and <date>.html: the local copy
 * that StoreBackedReports (the service's `reports` capability) writes beside
 * the store, and where reports of older versions are found to import. On its
 * own it is a complete `Reports` for one process (tests, benchmarks).
 *
 * Every file is written to a temporary name, flushed, and renamed over the
 * old one (write-file-atomic), so a reader (the HTTP routes, another instance, an operator's
 * browser) sees the old report or the new one, never half of one. The HTML is
 * renamed into place before the JSON, and a day is listed once its JSON
 * exists, so a listed day always has its page.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ReportFiles, Reports } from '../pipeline/capability-types';
import { assertReportDate } from './report-date';

const JSON_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

export class ReportsDir implements Reports {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  async write(date: string, files: ReportFiles): Promise<void> {
    assertReportDate(date);
    await fs.mkdir(this.dir, { recursive: true });
    await this.writeAtomic(`${date}.html`, files.html);
    await this.writeAtomic(`${date}.json`, `${JSON.stringify(files.json, null, 2)}\n`);
  }

  async readJson(date: string): Promise<unknown | null> {
    const text = await this.readText(date, 'json');
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new Error(`report ${this.file(date, 'json')} is not valid JSON (${(err as Error).message}); rebuild it with \`livehook report --date ${date}\``, { cause: err });
    }
  }

  /** The page of a day, or null when there is none. */
  async readHtml(date: string): Promise<string | null> {
    return this.readText(date, 'html');
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const dates: string[] = [];
    for (const name of names) {
      const m = JSON_FILE.exec(name);
      if (m) dates.push(m[1]);
    }
    return dates.sort().reverse();
  }

  /** Absolute path of a day's file. */
  file(date: string, ext: 'json' | 'html'): string {
    return path.join(this.dir, `${assertReportDate(date)}.${ext}`);
  }

  private async readText(date: string, ext: 'json' | 'html'): Promise<string | null> {
    try {
      return await fs.readFile(this.file(date, ext), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async writeAtomic(name: string, content: string): Promise<void> {
    // Unique temporary name per writer (pid, thread, call): two instances rebuilding the same day never share one.
    await writeFileAtomic(path.join(this.dir, name), content, 'utf8');
  }
}
