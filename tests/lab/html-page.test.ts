import { describe, expect, it } from 'vitest';
import { renderReport, formatCell } from '../../src/lab/html-page.js';
import { lineChart } from '../../src/lab/svg.js';
import { ReportError } from '../../src/errors.js';
import { xmlProblems } from './xml-check.js';

const chart = lineChart({ title: 'c', series: [{ name: 'a', x: [0, 1], y: [0, 1] }] });

describe('renderReport', () => {
  const input = {
    title: 'Lab <report>',
    meta: { seed: 1, 'engine & build': 'baseline' },
    sections: [
      { heading: 'Intro & "scope"', text: ['a < b', 'second'] },
      { heading: 'Charts', svgs: [chart, chart], html: '<p>Some <em>emphasis</em> and <a href="#s1-intro-scope">a link</a>.</p>' },
      { heading: 'Results', table: { columns: ['act', 'acc'], rows: [['relu <x>', 0.97123], ['tanh', NaN]], caption: 'acc' } },
    ],
  };

  it('is one well-formed, escaped, self-contained document with a table of contents', () => {
    const html = renderReport(input);
    expect(xmlProblems(html, true)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)/i);
    expect(html).toContain('<title>Lab &lt;report&gt;</title>');
    expect(html).toContain('<a href="#s1-intro-scope">Intro &amp; &quot;scope&quot;</a>');
    expect(html).toContain('<section id="s3-results">');
    expect(html).toContain('<p>a &lt; b</p>');
    expect(html).toContain('<td>relu &lt;x&gt;</td><td class="n">0.9712</td>');
    expect(html).toContain('<dt>engine &amp; build</dt>');
    expect(html.match(/<figure/g)?.length).toBe(2);
    expect(html).toContain('name="viewport"');
    expect(renderReport(input)).toBe(html);
  });

  it('rejects unsafe fragments and ragged tables', () => {
    const withHtml = (html: string) => () => renderReport({ title: 't', sections: [{ heading: 'h', html }] });
    expect(withHtml('<script>alert(1)</script>')).toThrow(ReportError);
    expect(withHtml('<img src="x.png">')).toThrow(/link that is not a same-document/);
    expect(withHtml('<p onclick="x()">')).toThrow(/event handler/);
    expect(withHtml('see https://example.org')).toThrow(/a URL/);
    expect(withHtml('<p style="background:url(x.png)">')).toThrow(/url\(\)/);
    const svg = '<svg><image href="https://example.org/a.png"/></svg>';
    expect(() => renderReport({ title: 't', sections: [{ heading: 'h', svgs: [svg] }] })).toThrow(ReportError);
    expect(() => renderReport({ title: 't', sections: [{ heading: 'h', svgs: ['<div/>'] }] })).toThrow(/not an <svg>/);
    expect(() => renderReport({ title: 't', sections: [{ heading: 'h', table: { columns: ['a', 'b'], rows: [[1]] } }] }))
      .toThrow(/table row 1 has 1 cells, expected 2/);
  });

  it('formats numbers compactly', () => {
    expect([formatCell(3), formatCell(0.123456), formatCell(1.5e-7), formatCell(NaN), formatCell(-Infinity), formatCell(null)])
      .toEqual(['3', '0.1235', '1.5e-7', 'NaN', '−∞', '']);
  });
});
