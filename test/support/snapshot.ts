// Test helper: build a real snapshot from YAML text through the real ingest.
import { ManifestReader, type IngestOptions } from '../../src/ingest/files.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { Warning } from '../../src/errors.js';

export function ingestYaml(text: string, opts: IngestOptions = {}, file = 'test.yaml'): { snapshot: Snapshot; warnings: Warning[] } {
  const r = new ManifestReader(opts);
  r.readText(text, file);
  const res = r.finish();
  return { snapshot: res.snapshot, warnings: res.warnings };
}

export function snapshotFromYaml(text: string, opts: IngestOptions = {}): Snapshot {
  return ingestYaml(text, opts).snapshot;
}
