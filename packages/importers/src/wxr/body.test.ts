import { describe, expect, it } from 'vitest';
import { convertShortcodes, mapWordPressClasses, stripBlockComments, wordpressBody, wpautop } from './body.ts';
import { wordpressDate } from './dates.ts';
import { decodePhpValue } from './php.ts';

describe('wpautop (classic posts are stored without <p>)', () => {
  it('turns blank lines into paragraphs and single newlines into <br />', () => {
    expect(wpautop('第一段。\n\n第二段第一行\n第二行\n\n\n第三段')).toBe(
      '<p>第一段。</p>\n<p>第二段第一行<br />\n第二行</p>\n<p>第三段</p>',
    );
  });
  it('does not wrap block elements, keeps <pre> untouched', () => {
    expect(wpautop('<table><tr><td>表</td></tr></table>\n\n正文\n\n<pre>a\n\nb</pre>')).toBe(
      '<table>\n<tr>\n<td>表</td>\n</tr>\n</table>\n<p>正文</p>\n<pre>a\n\nb</pre>',
    );
  });
  it('is not applied to block (Gutenberg) posts, whose comments are stripped', () => {
    const raw =
      '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center">标题</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:separator /-->\n<!-- wp:core/quote -->\n<blockquote>引</blockquote>\n<!-- /wp:core/quote -->';
    const out = wordpressBody(raw);
    expect(out.blocks).toBe(true);
    expect(out.html).toBe('<p class="has-text-align-center zq-center">标题</p>\n\n<blockquote>引</blockquote>');
    expect(stripBlockComments('<!-- 普通注释 --><!-- wp:x --><!-- /wp:x -->')).toBe('<!-- 普通注释 -->');
  });
});

describe('WordPress alignment classes', () => {
  it('get the platform class next to them; floats and unknown classes are left to the sanitiser', () => {
    expect(
      mapWordPressClasses(
        `<p class="has-text-align-right x">落款</p><figure class='wp-block-image aligncenter'><img class="alignright" src="a.jpg"></figure><p class="zq-center has-text-align-center">t</p>`,
      ),
    ).toBe(
      `<p class="has-text-align-right x zq-right">落款</p><figure class='wp-block-image aligncenter zq-center'><img class="alignright" src="a.jpg"></figure><p class="zq-center has-text-align-center">t</p>`,
    );
  });
});

describe('shortcodes', () => {
  it('[caption] becomes figure/figcaption', () => {
    const { html } = convertShortcodes(
      '[caption id="attachment_5" align="aligncenter" width="300"]<a href="/a.jpg"><img src="/a.jpg" alt="会场" /></a> 会议现场[/caption]',
    );
    expect(html).toBe(
      '<figure id="attachment_5"><a href="/a.jpg"><img src="/a.jpg" alt="会场" /></a><figcaption>会议现场</figcaption></figure>',
    );
  });
  it('media shortcodes are removed and reported; enclosing plugin shortcodes keep their content; 文号 brackets stay', () => {
    const { html, removed } = convertShortcodes(
      '[gallery ids="1,2"]文〔2020〕5号 [2020]6号 [note type="x"]注意[/note][video src="a.mp4"][/video]',
    );
    expect(html).toBe('文〔2020〕5号 [2020]6号 注意');
    expect(removed.sort()).toEqual(['gallery', 'note', 'video']);
  });
  it('classic post with a caption: the figure is a block, not wrapped in <p>', () => {
    expect(wordpressBody('导语\n\n[caption]<img src="/a.jpg" alt="图" /> 说明[/caption]\n\n结尾').html).toBe(
      '<p>导语</p>\n<figure><img src="/a.jpg" alt="图" /><figcaption>说明</figcaption></figure>\n<p>结尾</p>',
    );
  });
});

describe('dates', () => {
  it('GMT when present, else local time in the site zone, never the zero date', () => {
    expect(wordpressDate('2019-12-31 16:05:00', '2020-01-01 00:05:00', '+08:00')).toEqual({
      iso: '2020-01-01T00:05:00+08:00',
      from: 'gmt',
    });
    expect(wordpressDate('0000-00-00 00:00:00', '2020-01-01 00:05:00', '+08:00')).toEqual({
      iso: '2020-01-01T00:05:00+08:00',
      from: 'local',
    });
    expect(wordpressDate('0000-00-00 00:00:00', '0000-00-00 00:00:00', '+08:00')).toBeNull();
    expect(wordpressDate(null, '2021-02-30 10:00:00', '+08:00')).toBeNull();
    expect(wordpressDate(null, null, '+08:00', 'Tue, 02 Mar 2015 01:30:00 +0000')?.iso).toBe(
      '2015-03-02T09:30:00+08:00',
    );
    expect(() => wordpressDate(null, null, 'Asia/Shanghai')).toThrow();
  });
});

describe('PHP-serialised values', () => {
  it('decodes arrays (WordPress attachment metadata) and leaves plain strings alone', () => {
    const meta =
      'a:3:{s:5:"width";i:1024;s:4:"file";s:18:"2015/03/会场.jpg";s:5:"sizes";a:1:{s:5:"thumb";a:1:{s:4:"file";s:5:"t.jpg";}}}';
    expect(decodePhpValue(meta)).toEqual({
      kind: 'decoded',
      value: { width: 1024, file: '2015/03/会场.jpg', sizes: { thumb: { file: 't.jpg' } } },
    });
    expect(decodePhpValue('县应急管理局')).toEqual({ kind: 'plain', value: '县应急管理局' });
  });
  it('refuses objects, malformed and oversized input without throwing', () => {
    expect(decodePhpValue('O:8:"stdClass":1:{s:1:"a";i:1;}').kind).toBe('refused');
    expect(decodePhpValue('a:1:{i:0;O:11:"constructor":0:{}}').kind).toBe('refused');
    expect(decodePhpValue('C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}').kind).not.toBe('decoded');
    expect(decodePhpValue('a:2:{i:0;s:99:"short";}').kind).toBe('refused');
    expect(decodePhpValue(`s:300000:"${'x'.repeat(300_000)}";`).kind).toBe('refused');
    const deep = `${'a:1:{i:0;'.repeat(5000)}i:1;${'}'.repeat(5000)}`;
    expect(decodePhpValue(deep).kind).not.toBe('decoded');
  });
  it('drops prototype-polluting keys', () => {
    const out = decodePhpValue('a:2:{s:9:"__proto__";a:1:{s:5:"admin";b:1;}s:1:"k";s:1:"v";}');
    expect(out).toEqual({ kind: 'decoded', value: { k: 'v' } });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
