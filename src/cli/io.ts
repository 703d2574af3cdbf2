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
