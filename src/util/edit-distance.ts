/**
 * Levenshtein distance (insertions, deletions, substitutions), used to tell
 * a misspelt name from a new one: "did you mean ...?".
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidate closest to `name` when within `max` edits (case ignored), else null. */
export function nearestName(name: string, candidates: Iterable<string>, max = 2): string | null {
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}
