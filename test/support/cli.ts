// Test helper: run the CLI in-process through `main(argv, io)`, capturing stdout, stderr and the exit code.
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** What `--input -` reads (default: nothing). */
  stdin?: string;
  isTTY?: boolean;
  /** The environment the command sees (default: empty). */
  env?: Record<string, string | undefined>;
}

/** Run `rbacgraph ...argv` in this process; never throws (main never does). */
export async function runCli(argv: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stdin: () => opts.stdin ?? '',
    isTTY: opts.isTTY ?? false,
    env: opts.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The JSON shapes of interface.md section 3, as tests read them. */
export interface ViaJson {
  binding: string | null;
  role: string | null;
  verb?: string;
  note?: string;
}

export interface WarningJson {
  code: string;
  file: string | null;
  line: number | null;
  column?: number;
  message: string;
}

export interface WhoCanJson {
  query: Record<string, unknown>;
  subjects: { subject: string; via: ViaJson[]; namespaces?: string[] }[];
  partial?: { subject: string; resourceNames: string[] }[];
  warnings: WarningJson[];
}

export interface CanIJson {
  allowed: boolean;
  via: ViaJson[];
  warnings: WarningJson[];
}

/** Run with `-o json` appended and parse stdout. */
export async function runJson<T>(argv: string[], opts: CliRunOptions = {}): Promise<CliRun & { json: T }> {
  const r = await runCli([...argv, '-o', 'json'], opts);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { ...r, json };
}

export const whoCan = (argv: string[], opts?: CliRunOptions): Promise<CliRun & { json: WhoCanJson }> => runJson<WhoCanJson>(['who-can', ...argv], opts);
export const canI = (argv: string[], opts?: CliRunOptions): Promise<CliRun & { json: CanIJson }> => runJson<CanIJson>(['can-i', ...argv], opts);

/** The subject IDs of a who-can answer, in output order. */
export const subjectIds = (j: WhoCanJson): string[] => j.subjects.map((s) => s.subject);
