import { describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/lab/html-page.js';
import { buildExample } from './example.js';
import { xmlProblems } from './xml-check.js';

describe('example report', () => {
  it('renders, is well formed, has no URLs, and is written to $LAB_EXAMPLE_DIR', async () => {
    const { html, charts } = buildExample();
    expect(xmlProblems(html, true)).toEqual([]);
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<script/i);
    for (const svg of Object.values(charts)) expect(xmlProblems(svg)).toEqual([]);
    expect(buildExample().html).toBe(html);
    const files = await writeReportFiles(process.env.LAB_EXAMPLE_DIR ?? '/tmp/lab-example', html, charts);
    expect(files.length).toBe(1 + Object.keys(charts).length);
  });
});
