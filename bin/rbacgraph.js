#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
import { tuneHeap } from '../dist/heap.js';

tuneHeap();
const { main } = await import('../dist/cli/main.js');

// A reader that stops early (`rbacgraph ... | head`) is not an error: exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`rbacgraph: internal error: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 2; },
);
