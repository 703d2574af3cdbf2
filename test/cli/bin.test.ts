// The real entry point: after `npm run build`, `node bin/rbacgraph.js --help` runs as a process and exits 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

describe('bin/rbacgraph.js', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { stdio: 'pipe', timeout: 180_000 });
  }, 200_000);

  it('prints the help and exits 0', () => {
    const r = spawnSync(process.execPath, ['bin/rbacgraph.js', '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: rbacgraph /);
    for (const cmd of ['who-can', 'can-i']) expect(r.stdout).toContain(cmd);
  });
});
