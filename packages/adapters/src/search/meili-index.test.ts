import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSynonyms, safeHighlight } from './meili-index.ts';

describe('loadSynonyms', () => {
  it('makes every pair work both ways and ignores comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zq-syn-')), 'syn.json');
    writeFileSync(file, JSON.stringify({ _comment: 'x', 医保: ['医疗保险', '医疗保障'], 义务教育: ['义教'] }));
    expect(loadSynonyms(file)).toEqual({
      医保: ['医疗保险', '医疗保障'],
      医疗保险: ['医保'],
      医疗保障: ['医保'],
      义务教育: ['义教'],
      义教: ['义务教育'],
    });
  });
  it('loads the shipped file', () => {
    const syn = loadSynonyms();
    expect(syn.政务公开).toContain('信息公开');
    expect(syn.义教).toEqual(['义务教育']);
  });
});

describe('safeHighlight', () => {
  it('joins the marks of a word segmented in two', () => {
    expect(safeHighlight('会议\u0001乡村\u0002\u0001振兴\u0002工作')).toBe('会议<mark>乡村振兴</mark>工作');
  });
  it('escapes stored text and keeps only our highlight marks', () => {
    expect(safeHighlight('<script>alert(1)</script>\u0001政务\u0002公开 & "x"')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;<mark>政务</mark>公开 &amp; &quot;x&quot;',
    );
  });
});
