/**
 * Waits for `work` to settle, or `ms` at most, whichever comes first, and
 * never rejects: for a stop or a reload that must go on whatever the work
 * does. The timer does not outlive the wait.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work.then(noop, noop), late]);
  clearTimeout(timer);
}

function noop(): void {}
