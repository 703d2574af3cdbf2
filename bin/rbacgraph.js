#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
// The young generation is set larger than Node's default (16 MB semi-spaces): a large cluster's
// ingest and analysis make hundreds of MB of objects that live on, and with small semi-spaces each
// is copied by many more scavenges (about 0.7 s of 8 s on the 400 MB benchmark dump,
// docs/benchmarks.md). V8 reads this size only at start-up, hence the shebang; `npm start`, the
// Dockerfile (through the shebang) and `npm run bench` use it too.
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
