import type { RunningEmulator } from '../../src/local/emulator';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __emulator?: RunningEmulator }).__emulator?.stop();
}
