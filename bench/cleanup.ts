/**
 * Undo steps registered as resources come up, run in reverse order exactly once —
 * after a failure, on Ctrl-C, or at the end. One failing step does not stop the rest.
 */
export class Cleanup {
  private steps: { name: string; fn: () => Promise<unknown> }[] = [];
  private running?: Promise<void>;

  defer(name: string, fn: () => Promise<unknown>): void {
    this.steps.push({ name, fn });
  }

  run(log: (line: string) => void): Promise<void> {
    return (this.running ??= (async () => {
      for (const { name, fn } of this.steps.reverse()) {
        try {
          await fn();
        } catch (err) {
          log(`cleanup: ${name} failed: ${(err as Error).message}`);
        }
      }
    })());
  }
}
