/**
 * The claim under which one instance does a catch-up's work on a day
 * (Scheduler.once: the first instance to claim the key does it, the others
 * skip it): 'build' a day that has rooms but no report, 'rebuild' a day
 * left stale. The two are claimed apart, so a day that needs both is not
 * skipped by its own earlier claim.
 *
 * The key carries the hour (UTC) of the attempt, because a claim is kept for
 * good once won: an instance killed mid-build would otherwise hold its day
 * forever. This way the next catch-up in a later hour (at a start, or after
 * the next daily run) tries again. Instances starting together fall in the
 * same hour; one that crosses into the next finds the day being built, or
 * built, and leaves it (the handler checks again after winning a claim).
 */
export type CatchUpWork = 'build' | 'rebuild';

export function catchUpClaim(work: CatchUpWork, day: string, now: number): string {
  return `catch-up:${work}:${day}@${new Date(now).toISOString().slice(0, 13)}:00Z`;
}
