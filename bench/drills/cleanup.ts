/**
 * Resources to release in reverse order of acquisition. Every step runs even when an
 * earlier one fails, so a drill that breaks half-way still leaves no children,
 * emulator or database behind. Running it again (a signal during the normal cleanup)
 * waits for the same run instead of racing it.
 */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private running?: Promise<void>;

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  run(say: (line: string) => void): Promise<void> {
    this.running ??= this.runSteps(say);
    return this.running;
  }

  private async runSteps(say: (line: string) => void): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (err) {
        say(`cleanup: ${step.what} failed: ${(err as Error).message}`);
      }
    }
  }
}
