/**
 * Moving to reports in the store: report files that an older version wrote
 * to <data dir>/reports/ (and served from there only) are copied into the
 * store the first time a process uses its reports, so they stay listed and
 * served, now by every instance.
 *
 * The rules, in the order they apply:
 * - The files stay where they are: they are still the local copy.
 * - A day the store already has is left alone: the store's report is the
 *   published one (built by this version, or imported earlier), and it is
 *   never older than a file that was not written along with it.
 * - A file whose JSON cannot be read is not imported; a warning names the
 *   file and the command that rebuilds it. A day with data but no page is
 *   imported without its page (/reports/<date> answers 404 until rebuilt).
 * - It runs at every start, so files put in the folder by hand (or by an
 *   older version's `livehook report`) are picked up at the next start.
 *   It costs one listing of the folder and of the store when there is
 *   nothing to import.
 * Two instances importing the same day at once both write the same kind of
 * thing (an older report of that day); the store keeps one of them.
 */
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { PluginRecords } from '../store/store';
import type { ReportsDir } from './reports-dir';
import { DAYS, HTML, JSON_DATA, dayAt, listStoredDays, type ReportDay } from './report-records';

export interface ImportDeps {
  files: ReportsDir;
  records: PluginRecords;
  logger: Logger;
}

export interface ImportResult {
  imported: string[];
  /** Days whose file could not be imported, with the reason. */
  skipped: Array<{ date: string; reason: string }>;
}

export async function importReportFiles(deps: ImportDeps): Promise<ImportResult> {
  const result: ImportResult = { imported: [], skipped: [] };
  const local = await deps.files.list();
  if (local.length === 0) return result;
  const stored = new Set(await listStoredDays(deps.records));
  for (const date of local.filter((d) => !stored.has(d)).sort()) {
    let json: unknown;
    try {
      json = await deps.files.readJson(date);
    } catch (err) {
      const reason = (err as Error).message;
      result.skipped.push({ date, reason });
      deps.logger.warn({ date, file: deps.files.file(date, 'json') }, `report file not imported into the store: ${reason}`);
      continue;
    }
    if (json === null) continue; // removed since the listing
    const html = await deps.files.readHtml(date);
    // Another instance may have published the day since the listing above.
    if ((await deps.records.get(DAYS, date)) !== null) continue;
    const file = deps.files.file(date, 'json');
    const at = dayAt(date);
    if (html !== null) await deps.records.put(HTML, date, at, html);
    await deps.records.put(JSON_DATA, date, at, json);
    const writtenAt = (await fs.stat(file).catch(() => null))?.mtimeMs ?? Date.now();
    await deps.records.put(DAYS, date, at, { writtenAt: Math.round(writtenAt), importedFrom: file } satisfies ReportDay);
    result.imported.push(date);
  }
  if (result.imported.length > 0) {
    deps.logger.info({ dir: deps.files.dir, days: result.imported }, `imported ${result.imported.length} report file(s) from ${deps.files.dir} into the store, so every instance serves them`);
  }
  return result;
}
