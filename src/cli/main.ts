// The command line: one file per command, registered here; exit codes 0 ok, 1 "no"/findings, 2 usage or input error.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ErrorCode, toRbacgraphError } from '../errors.js';
import { registerCanI } from './can-i.js';
import { registerPaths, registerSecretAccess } from './paths.js';
import { registerReport } from './report.js';
import { registerScan } from './scan.js';
import { registerSelfCheck } from './self-check.js';
import { registerServe } from './serve.js';
import { registerWatch } from './watch.js';
import type { CliIO } from './io.js';
import { registerWhoCan } from './who-can.js';

export const VERSION = '0.1.0';

export function defaultIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdin: () => readFileSync(0, 'utf8'),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('rbacgraph')
    .description(
      'Kubernetes RBAC attack graph: who can do what (exactly as the API server\n' +
        'decides), who can reach a secret, and which identities can escalate to\n' +
        'cluster-admin or a node, by which explained path.',
    )
    .version(VERSION)
    .option('--debug', 'print stack traces of internal errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addHelpText('after', `
Input: --input PATH (files, folders, '-' for stdin; YAML or JSON; kubectl get -A -o json dumps),
       or --kubeconfig PATH [--context NAME] for a live cluster.
Exit codes: 0 success, 1 "no" (can-i) or findings at/above --fail-on, 2 usage or input error.

Start here:
  rbacgraph who-can list secrets -A --input fixtures/demo
  rbacgraph can-i create pods -n dev --as ServiceAccount:dev/ci --input fixtures/demo`);
  registerWhoCan(program, io, setExit);
  registerCanI(program, io, setExit);
  registerPaths(program, io, setExit);
  registerSecretAccess(program, io, setExit);
  registerReport(program, io, setExit);
  registerScan(program, io, setExit);
  registerSelfCheck(program, io, setExit);
  registerWatch(program, io, setExit);
  registerServe(program, io, setExit);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander has printed the message
    }
    const err = toRbacgraphError(e);
    const debug = argv.includes('--debug');
    if (err.code === ErrorCode.INTERNAL) {
      io.stderr(`rbacgraph: internal error: ${err.message}\n`);
      if (debug && err.cause instanceof Error && err.cause.stack) io.stderr(`${err.cause.stack}\n`);
      return 2;
    }
    io.stderr(`rbacgraph: ${err.message}\n`);
    return 2;
  }
}
