import { describe, expect, it } from 'vitest';
import { imagesWithoutAlt, plainText, prepareBody, sanitizeBody, textAndImagesWithoutAlt } from './html-work.ts';

// The one-pass text and alt check (issue 11) must give exactly what the two tree-building functions give.
const samples = [
  '<h2>通知</h2><p>各乡镇&amp;部门：</p><p>请于&nbsp;3 日内报送。</p>',
  '<p>第一行<br>第二行<BR/>第三行<br class="x">末</p><div>块</div><ul><li>一</li><li>二</li></ul>',
  '<table><tr><td>名称</td><td>数量</td></tr><tr><td>甲</td><td>1</td></tr></table><h3>小结</h3>',
  '<p>&amp;lt;不是标签&amp;gt; &lt;b&gt; &#x4E2D;&#25991;</p><!-- 注释 --><p>后</p>',
  '<p><img src="/media/a/original"><img src="/b.png" alt="  "><img src="/c.png" alt="图 &amp; 表"><img alt=""></p>',
  '<p>未闭合<p>段落<div>嵌套<p>深</div>尾',
  '<p style="text-align:center">标题</p><p style="text-indent:2em">　　正文\u00a0\u00a0空格  多个</p>',
  '<script>alert(1)</script><style>p{}</style><p>留下</p><![CDATA[ x ]]>',
  '<pre>  保留\n\n\n  换行 </pre><p></p><p>\n\n</p>',
  '',
  '纯文本，没有标签 & 符号',
  // For the pattern-based reading of sanitised output: `>`, `"` and entities inside attribute values and text.
  '<p><img src="/a.png?x=1>2" alt="a>b"><a title="x > y" href="/z?a=1&b=2">链</a> 3 > 2 &gt; 1</p>',
  `<p><img src='/q.png' alt='它"说'><IMG SRC=/u.png ALT=""><img src="/s.png" alt><img src="/t&amp;u.png" title="无"></p>`,
  '<p><img src="/v.png" alt="&#x20;&nbsp;"><img src="/w.png" alt="&lt;图&gt;">尾</p>',
];

// A seeded generator of tag soup (no Math.random: a failure must be reproducible).
function soup(seed: number): string {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const pick = <T>(a: T[]) => a[Math.floor(next() * a.length)]!;
  const bits = [
    '<p>',
    '</p>',
    '<br>',
    '<br/>',
    '<div>',
    '</div>',
    '<li>',
    '</li>',
    '<ul>',
    '</ul>',
    '<h1>',
    '</h1>',
    '<tr>',
    '</tr>',
    '<td>',
    '</td>',
    '<table>',
    '</table>',
    '<img src="/i.png">',
    '<img src="/j.png" alt="说明">',
    '<img alt=" ">',
    '&amp;',
    '&nbsp;',
    '&lt;',
    '中文',
    ' ',
    '\n',
    'text',
    '<b>',
    '</b>',
    '<a href="/x">',
    '</a>',
    '<!-- c -->',
    '&#20013;',
    '<span>',
    '</span>',
  ];
  let out = '';
  const n = 5 + Math.floor(next() * 60);
  for (let i = 0; i < n; i++) out += pick(bits);
  return out;
}

describe('textAndImagesWithoutAlt', () => {
  it('gives what plainText and imagesWithoutAlt give, on sanitised bodies of every shape', () => {
    const inputs = [...samples, ...Array.from({ length: 400 }, (_, i) => soup(i + 1))];
    for (const raw of inputs) {
      const body = sanitizeBody(raw);
      expect(textAndImagesWithoutAlt(body), raw).toEqual({
        text: plainText(body),
        imagesWithoutAlt: imagesWithoutAlt(body),
      });
    }
  });

  it('prepareBody reports both from the sanitised body', () => {
    const p = prepareBody('<p>甲<br>乙</p><img src="/a.png"><img src="/b.png" alt="图">');
    expect(p.text).toBe('甲\n乙');
    expect(p.imagesWithoutAlt).toEqual(['/a.png']);
  });
});

describe('the checks, in the sanitising pass', () => {
  it('see elements the sanitiser drops, and attributes with their entities decoded once, as a browser does', () => {
    expect(prepareBody('<p>a</p><iframe src="javascript:alert(1)"></iframe>').problem).toMatchObject({
      reason: 'UNSAFE_URL',
      attribute: 'iframe.src',
    });
    expect(prepareBody('<a href="jav&#x09;ascript:alert(1)">x</a>').problem).toMatchObject({ reason: 'UNSAFE_URL' });
    // `&amp;#106;` is the text "&#106;" to a browser: a relative link, kept (escaped) rather than refused.
    const literal = prepareBody('<a href="&amp;#106;avascript:x">x</a>');
    expect(literal.problem).toBeNull();
    expect(literal.body).toBe('<a href="&amp;#106;avascript:x">x</a>');
  });

  it('count nesting as written: 100 levels pass, 101 are refused and nothing of the body is kept', () => {
    const nested = (n: number) => `${'<div>'.repeat(n)}深${'</div>'.repeat(n)}`;
    expect(prepareBody(nested(100)).problem).toBeNull();
    // Void elements do not nest; a `<p>` would be closed by the first `<div>`, as a browser closes it.
    expect(prepareBody(`<blockquote><br><img src="/a.png">${nested(100)}</blockquote>`).problem).toMatchObject({
      depth: 101,
    });
    expect(prepareBody(nested(101))).toEqual({
      body: '',
      text: '',
      imagesWithoutAlt: [],
      problem: { reason: 'BODY_TOO_DEEP', depth: 101 },
    });
  });
});
