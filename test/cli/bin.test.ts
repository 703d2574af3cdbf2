// The real entry point: after `npm run build`, `node bin/rbacgraph.js --help` and the script itself run as processes and exit 0.
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

  it('runs as an executable through its shebang (env -S passes node its heap flag)', () => {
    const r = spawnSync('bin/rbacgraph.js', ['--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
