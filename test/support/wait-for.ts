// Waiting in tests for a condition, never for a duration: poll it until it holds, within a patience.

const POLL_MS = 20;

/**
 * waitFor polls condition until it holds, failing with what it waited for after patienceMs. A
 * condition that throws fails the wait with its error.
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  patienceMs: number,
): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
