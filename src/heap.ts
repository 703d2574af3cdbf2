// V8 heap settings the CLI and the benchmark run with, set before any work is done.

import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring. An analysis builds a large graph whose paths and
 * steps live for the whole process, so V8 learns that the code making them makes long-lived
 * objects and allocates them straight in the old generation. Queries afterwards run the same code
 * for answers that die at once: those then sit in the old generation as garbage, and every young
 * object they point to survives each scavenge. On the large benchmark cluster a secret-access
 * query then pays 11–14 ms scavenges that copy 7 MB each, instead of 3–4 ms ones that copy almost
 * nothing (docs/benchmarks.md). The flag is read when an allocation site decides, not when the
 * heap is set up, so setting it at run time works (measured: scavenges stop promoting).
 */
export function tuneHeap(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
