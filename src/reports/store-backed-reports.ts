/**
 * The `reports` capability of the service: daily reports kept in the store,
 * so that every instance on one database (and `livehook report` run beside
 * the service) sees and serves every report, whichever process built it.
 *
 * Each write also goes to <data dir>/reports/<date>.json and .html of the
 * process that built it (ReportsDir): the local copy an operator can open or
 * back up. Reads, the list and the /reports routes come from the store.
 *
 * What goes where in the store: ./report-records.ts.
 *
 * Report files from before this (served from the folder only) are imported
 * on first use: see ./import-report-files.ts.
 */
import type { Logger } from 'pino';
import type { ReportFiles, Reports } from '../pipeline/capability-types';
import type { PluginRecords, Store } from '../store/store';
import { importReportFiles } from './import-report-files';
import { assertReportDate } from './report-date';
import { DAYS, HTML, JSON_DATA, REPORTS_RECORDS, dayAt, listStoredDays, type ReportDay } from './report-records';
import { ReportsDir } from './reports-dir';

export interface StoreBackedReportsDeps {
  store: Store;
  /** The local copy: <data dir>/reports. */
  dir: string;
  logger: Logger;
}

export class StoreBackedReports implements Reports {
  readonly dir: string;
  readonly files: ReportsDir;
  readonly records: PluginRecords;
  private readonly logger: Logger;
  private imported: Promise<void> | null = null;

  constructor(deps: StoreBackedReportsDeps) {
    this.files = new ReportsDir(deps.dir);
    this.dir = this.files.dir;
    this.records = deps.store.records(REPORTS_RECORDS);
    this.logger = deps.logger;
  }

  async write(date: string, files: ReportFiles): Promise<void> {
    assertReportDate(date);
    // An import still running could otherwise put an older file's report over this one.
    await this.ready();
    await this.files.write(date, files);
    const at = dayAt(date);
    await this.records.put(HTML, date, at, files.html);
    await this.records.put(JSON_DATA, date, at, files.json);
    await this.records.put(DAYS, date, at, { writtenAt: Date.now() } satisfies ReportDay);
  }

  async readJson(date: string): Promise<unknown | null> {
    assertReportDate(date);
    await this.ready();
    return (await this.records.get(JSON_DATA, date))?.value ?? null;
  }

  async readHtml(date: string): Promise<string | null> {
    assertReportDate(date);
    await this.ready();
    return (await this.records.get<string>(HTML, date))?.value ?? null;
  }

  async list(): Promise<string[]> {
    await this.ready();
    return listStoredDays(this.records);
  }

  /**
   * Imports the local report files the store does not have (once per
   * process; a failed import is logged and tried again on the next call).
   */
  ready(): Promise<void> {
    this.imported ??= importReportFiles({ files: this.files, records: this.records, logger: this.logger }).then(
      () => undefined,
      (err: unknown) => {
        this.imported = null;
        this.logger.error({ err, dir: this.dir }, `importing the report files of ${this.dir} into the store failed (tried again on the next request): ${(err as Error).message}`);
      },
    );
    return this.imported;
  }
}
