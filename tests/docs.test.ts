// The generated documentation matches what generates it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('docs', () => {
  it('docs/activations.md is the kernel table as it is now (node scripts/activation-table.mjs)', async () => {
    const r = spawnSync(process.execPath, ['scripts/activation-table.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    const { ACTIVATIONS } = await import('../dist/index.js');
    const page = readFileSync('docs/activations.md', 'utf8');
    for (const d of ACTIVATIONS) expect(page).toContain(`| \`${d.name}\``);
  });
});
