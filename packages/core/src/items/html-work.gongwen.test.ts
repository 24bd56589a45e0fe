import { describe, expect, it } from 'vitest';
import { GONGWEN_CLASSES, prepareBody, sanitizeBody } from './html-work.ts';

/** What Word (and WPS) put on the clipboard for a 公文: MsoNormal, mso-* styles, <o:p>, fonts, conditional comments. */
const WORD_GONGWEN = `<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal{mso-style-parent:"";margin:0cm;font-size:10.5pt;font-family:"Times New Roman"} --></style>
<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;mso-line-height-rule:exactly'><b><span style='font-size:22.0pt;font-family:方正小标宋简体;mso-hansi-font-family:"Times New Roman";color:#FF0000'>米易县人民政府办公室<o:p></o:p></span></b></p>
<p class=MsoNormal align=center style='text-align:center'><span style='font-size:16.0pt;font-family:仿宋_GB2312'>米府办发〔2024〕12号<o:p></o:p></span></p>
<p class=MsoNormal style='line-height:28.0pt'><span style='font-size:16.0pt;font-family:仿宋_GB2312'>各乡镇人民政府，县级各部门：<o:p></o:p></span></p>
<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'><span style='font-size:16.0pt;font-family:仿宋_GB2312'>为做好秋冬季森林防火工作，现将有关事项通知如下。<span style='mso-spacerun:yes'>&nbsp;&nbsp; </span><o:p></o:p></span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 width=600 style='width:450.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>
 <tr style='mso-yfti-irow:0;mso-yfti-firstrow:yes'>
  <td width=200 colspan=2 valign=top style='width:150.0pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal align=center style='text-align:center'><span style='font-family:黑体'>单位<o:p></o:p></span></p></td>
  <td width=400 rowspan=2 style='width:300.0pt;border:solid windowtext 1.0pt;border-left:none;background:#D9D9D9;mso-shading:white'><p class=MsoNormal>联系电话<o:p></o:p></p></td>
 </tr>
</table>
<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'><span style='font-size:16.0pt;font-family:仿宋_GB2312'>米易县人民政府办公室<o:p></o:p></span></p>
<p class=MsoNormal align=right style='text-align:right'><span lang=EN-US style='font-size:16.0pt'>2024</span><span style='font-family:仿宋_GB2312'>年10月8日<o:p></o:p></span></p>
<center><font face="宋体" size="2" color="red">（此件公开发布）</font></center>`;

describe('公文 formatting survives sanitising', () => {
  it('keeps alignment, 首行缩进, bold, borders and merged cells of a Word-pasted 公文; cleans the rest', () => {
    const out = sanitizeBody(WORD_GONGWEN);
    // Title centred, document number centred, 落款 and date right-aligned, the first-line indent kept.
    expect(out).toContain('<p style="text-align:center"><b><span>米易县人民政府办公室</span></b></p>');
    expect(out).toContain('<p style="text-align:center"><span>米府办发〔2024〕12号</span></p>');
    expect(out).toContain('<p style="text-indent:32.0pt"><span>为做好秋冬季森林防火工作');
    expect(out).toContain('<p style="text-align:right"><span>米易县人民政府办公室</span></p>');
    // The table: border attribute, collapse, widths from attributes and styles, merged cells, cell borders.
    expect(out).toContain(
      '<table border="1" cellspacing="0" cellpadding="0" style="width:600px;border-collapse:collapse;border:none">',
    );
    expect(out).toContain('<td colspan="2" style="vertical-align:top;width:200px;border:solid windowtext 1.0pt">');
    expect(out).toContain('<td rowspan="2" style="width:400px;border:solid windowtext 1.0pt;border-left:none">');
    // <center> becomes a centred block; <font> keeps only its text.
    expect(out).toContain('<div style="text-align:center"><span>（此件公开发布）</span></div>');
    // Nothing of Word's or WPS's own survives.
    for (const gone of [
      'mso-',
      'Mso',
      'font-family',
      'font-size',
      'line-height',
      'color',
      'background',
      'o:p',
      '<style',
      'xml',
      'padding:',
      '仿宋_GB2312',
      'lang=',
    ])
      expect(out).not.toContain(gone);
  });

  it('keeps the allowed classes and only those', () => {
    const out = sanitizeBody(
      `<p class="zq-title MsoTitle">关于……的通知</p><p class="zq-indent x-evil">正文</p><p class="zq-signature">县政府办</p>` +
        `<p class="zq-date">2024年10月8日</p><table class="zq-table zq-table-bordered MsoTableGrid"><tr><td class="zq-center">表</td></tr></table>`,
    );
    expect(out).toBe(
      '<p class="zq-title">关于……的通知</p><p class="zq-indent">正文</p><p class="zq-signature">县政府办</p>' +
        '<p class="zq-date">2024年10月8日</p><table class="zq-table zq-table-bordered"><tr><td class="zq-center">表</td></tr></table>',
    );
    expect(GONGWEN_CLASSES).toContain('zq-signature');
  });

  it.each([
    ['<p style="text-indent:2em">x</p>', '<p style="text-indent:2em">x</p>'],
    ['<p style="text-indent:4em">x</p>', '<p style="text-indent:4em">x</p>'],
    ['<p style="text-indent:4.5em">x</p>', '<p>x</p>'],
    ['<p style="text-indent:64pt">x</p>', '<p style="text-indent:64pt">x</p>'],
    ['<p style="text-indent:65pt">x</p>', '<p>x</p>'],
    ['<p style="text-indent:8ch">x</p>', '<p style="text-indent:8ch">x</p>'],
    ['<p style="text-indent:-2em">x</p>', '<p>x</p>'],
    ['<p style="text-indent:200px">x</p>', '<p>x</p>'],
    ['<p style="text-align:justify;position:absolute;top:0">x</p>', '<p style="text-align:justify">x</p>'],
    ['<span style="font-weight:bold;font-size:72pt">x</span>', '<span style="font-weight:bold">x</span>'],
    ['<td style="vertical-align:middle;width:50%">x</td>', '<td style="vertical-align:middle;width:50%">x</td>'],
    ['<td style="width:101%">x</td>', '<td>x</td>'],
    [
      '<table style="border:1px solid #000000;width:100%"><tr><td>x</td></tr></table>',
      '<table style="border:1px solid #000000;width:100%"><tr><td>x</td></tr></table>',
    ],
    ['<table style="border:1px solid red"><tr><td>x</td></tr></table>', '<table><tr><td>x</td></tr></table>'],
    ['<table style="border:9px solid"><tr><td>x</td></tr></table>', '<table><tr><td>x</td></tr></table>'],
    [
      '<table border="7" cellpadding="99"><tr><td colspan="x">x</td></tr></table>',
      '<table><tr><td>x</td></tr></table>',
    ],
    ['<p align="center">x</p>', '<p style="text-align:center">x</p>'],
    ['<p align="middle">x</p>', '<p>x</p>'],
    ['<img src="https://a/b.png" alt="x" style="text-align:center">', '<img src="https://a/b.png" alt="x" />'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeBody(input)).toBe(expected);
  });
});

describe('attacks through class and style are cleaned', () => {
  it.each([
    ['<p style="text-align:url(javascript:alert(1))">x</p>', '<p>x</p>'],
    ['<p style="background:url(javascript:alert(1))">x</p>', '<p>x</p>'],
    ['<p style="width:expression(alert(1))">x</p>', '<p>x</p>'],
    ['<p style="text-align:expression(alert(1))">x</p>', '<p>x</p>'],
    ['<p style="behavior:url(xss.htc)">x</p>', '<p>x</p>'],
    ['<p style="-moz-binding:url(http://evil/xss.xml#x)">x</p>', '<p>x</p>'],
    // CSS escapes: \\63 is "c"; a browser would read "center" / "expression", our patterns never match them.
    ['<p style="text-align:\\63 enter">x</p>', '<p>x</p>'],
    ['<p style="te\\78t-align:center">x</p>', '<p>x</p>'],
    ['<p style="text-indent:\\65 xpression(alert(1))">x</p>', '<p>x</p>'],
    // A style that breaks out of its rule is not parsed at all: the whole attribute goes.
    ['<p style="text-align:center;}</style><script>alert(1)</script>">x</p>', '<p>x</p>'],
    ['<p style="text-align:/**/center">x</p>', '<p style="text-align:center">x</p>'],
    ['<p style="text-align:center\\0">x</p>', '<p>x</p>'],
    ['<td style="border:1px solid url(javascript:x)">x</td>', '<td>x</td>'],
    ['<p class="zq-title" onclick="alert(1)" onmouseover="x()">x</p>', '<p class="zq-title">x</p>'],
    ['<div style="position:fixed;z-index:9999;top:0;left:0">广告</div>', '<div>广告</div>'],
    ['<iframe src="https://ads.example/ad"></iframe><p>ok</p>', '<p>ok</p>'],
    ['<script>document.writeln(unescape("%u8D44%u6E90"))</script><p>ok</p>', '<p>ok</p>'],
    ['<p style="font-weight:bold;color:expression(alert(1))">x</p>', '<p style="font-weight:bold">x</p>'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeBody(input)).toBe(expected);
  });

  it('a body with styles still goes through the URL and depth checks', () => {
    expect(prepareBody('<p style="text-align:center"><a href="javascript:x">x</a></p>').problem).toMatchObject({
      reason: 'UNSAFE_URL',
    });
    expect(prepareBody('<p class="zq-title">通知</p>').body).toBe('<p class="zq-title">通知</p>');
  });
});
