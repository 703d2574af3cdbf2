// The process boundary of a command: streams to write to and read from (tests pass their own).

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Reads all of standard input (for `--input -`). */
  stdin: () => string;
  /** Whether stderr is a terminal (progress lines only go there). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

/** Resolves when the long-running command should stop: the signal aborts, or SIGINT / SIGTERM. */
export function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (): void => resolve();
    if (signal) {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', onSignal, { once: true });
      return;
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
