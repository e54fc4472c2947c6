/**
 * Days `livehook report` must not build, because the report it would write
 * is wrong or would replace a right one:
 * - a day in the future (no rooms yet) or today (unfinished) unless the
 *   operator asks for a partial report;
 * - a day older than the rooms kept (keepDays) that has no rooms left: an
 *   empty report would replace the one built while they were there (a day
 *   whose rooms were pruned is refused by the build itself), and for a day
 *   without a report (a mistyped year: 1025-09-04) it would only put an empty
 *   day in the list of reports;
 * - a day whose stored report was built in another time zone, unless the
 *   zone was given explicitly: a shell without LIVEHOOK_TIMEZONE would
 *   otherwise replace the published Shanghai report with a UTC one.
 */
import { sameTimeZone } from 'livehook';
import { addDays } from './calendar';

export interface ReportTaskFacts {
  day: string;
  today: string;
  zone: string;
  keepDays: number;
  /** The task's args: what the operator said on the command line. */
  partial: boolean;
  zoneGiven: boolean;
  /** The zone of the day's stored report; undefined when there is none. */
  storedZone: () => Promise<string | null | undefined>;
  hasRooms: () => Promise<boolean>;
}

/** Why the day cannot be built, or null when it can. */
export async function reportTaskRefusal(f: ReportTaskFacts): Promise<string | null> {
  if (f.day > f.today) return `${f.day} is in the future (today is ${f.today} in ${f.zone}): there is nothing to report yet`;
  if (f.day === f.today && !f.partial) return `${f.day} is today in ${f.zone} and not over yet: give --partial to build what there is so far`;
  const stored = await f.storedZone();
  const firstKept = addDays(f.today, -f.keepDays);
  if (f.day < firstKept && !(await f.hasRooms())) {
    const kept = `${f.day} is older than the rooms kept (keepDays ${f.keepDays}: from ${firstKept})`;
    if (stored !== undefined) return `${kept} and none of its rooms are left, so it cannot be rebuilt: its report stays as built`;
    return `${kept}, has no report and no rooms: there is nothing to build (is the date right?)`;
  }
  if (stored && !sameTimeZone(stored, f.zone) && !f.zoneGiven) {
    return `the stored report of ${f.day} was built in ${stored}, and this run would rebuild it in ${f.zone}: give --timezone ${stored} to rebuild it as it was, or --timezone ${f.zone} to replace it (set LIVEHOOK_TIMEZONE as the service has it)`;
  }
  return null;
}
