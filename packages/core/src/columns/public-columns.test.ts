import { describe, expect, it } from 'vitest';
import { publicColumns } from './public-columns.ts';

type C = {
  id: string;
  parentId: string | null;
  type: 'LIST' | 'SINGLE_PAGE' | 'LINK';
  linkUrl: string | null;
  visible: boolean;
};
const col = (id: string, parentId: string | null, over: Partial<C> = {}): C => ({
  id,
  parentId,
  type: 'LIST',
  linkUrl: null,
  visible: true,
  ...over,
});

describe('publicColumns (2017 §1.3: no blank public columns)', () => {
  const tree = [
    col('zwdt', null),
    col('yw', 'zwdt'),
    col('tzgg', 'zwdt'),
    col('jgzn', null, { type: 'SINGLE_PAGE' }),
    col('bsfw', null, { type: 'LINK' }),
    col('wzzc', null, { type: 'LINK', linkUrl: 'https://zfwzzc.www.gov.cn/' }),
    col('hidden', null, { visible: false }),
    col('ztzl', null),
    col('sub', 'ztzl', { visible: false }),
  ];
  it.each<[string, string[], string[]]>([
    ['nothing live: only link columns with a URL', [], ['wzzc']],
    ['a live item makes its column and its ancestors public', ['yw'], ['zwdt', 'yw', 'wzzc']],
    ['a single page with its page', ['jgzn'], ['jgzn', 'wzzc']],
    ['a hidden column stays hidden, however full', ['hidden'], ['wzzc']],
    ['content under a hidden column does not show its visible parent', ['sub'], ['wzzc']],
  ])('%s', (_label, live, expected) => {
    expect(publicColumns(tree, new Set(live)).map((c) => c.id)).toEqual(
      tree.filter((c) => expected.includes(c.id)).map((c) => c.id),
    );
  });

  it('never shows a LINK column without its URL', () => {
    expect(publicColumns([col('bsfw', null, { type: 'LINK' })], new Set(['bsfw']))).toEqual([]);
  });
});
