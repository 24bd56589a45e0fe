import { describe, expect, it } from 'vitest';
import { normaliseContent } from '../items/item.content.ts';
import { prepublishProblems } from '../items/prepublish.policy.ts';
import { inlineMediaIds } from './media-refs.ts';

const base = { kind: 'ARTICLE', columnStatus: 'OPEN', interpretedPolicies: 0 };
const VIDEO = '11111111-1111-4111-8111-111111111111';
const PDF = '22222222-2222-4222-8222-222222222222';
const IMG = '33333333-3333-4333-8333-333333333333';
const content = (patch: Record<string, unknown>) =>
  normaliseContent(null, { title: '标题', body: '<p>正文</p>', source: '县政府办', ...patch });
const reasons = (input: Parameters<typeof prepublishProblems>[0]) => prepublishProblems(input).map((p) => p.reason);

describe('level-3 checks on uploaded files (2015 §11)', () => {
  const video = { url: `/media/${VIDEO}/original`, name: '访谈.mp4', mediaType: 'video/mp4', mediaId: VIDEO };
  const pdf = { url: `/media/${PDF}/original`, name: '文字实录.pdf', mediaType: 'application/pdf', mediaId: PDF };
  const media = (caption: string | null, text: string | null = null) => [
    { id: VIDEO, kind: 'VIDEO', caption, text: null },
    { id: PDF, kind: 'DOCUMENT', caption: null, text },
  ];

  it('needs a caption or an attached transcript for audio and video', () => {
    expect(reasons({ ...base, content: content({ attachments: [video] }), media: media(null) })).toEqual([
      'MEDIA_CAPTION_MISSING',
    ]);
    expect(reasons({ ...base, content: content({ attachments: [video] }), media: media('字幕') })).toEqual([]);
    expect(reasons({ ...base, content: content({ attachments: [video, pdf] }), media: media(null) })).toEqual([]);
  });

  it('reads the text of attached files for ID and mobile numbers', () => {
    const withPdf = content({ attachments: [pdf] });
    expect(reasons({ ...base, content: withPdf, media: media(null, '联系电话 13812345678') })).toEqual([
      'PERSONAL_DATA_FOUND',
    ]);
    expect(
      reasons({
        ...base,
        content: withPdf,
        media: media(null, '联系电话 13812345678'),
        personalDataReason: '公示需要',
      }),
    ).toEqual([]);
  });

  it('refuses an uploaded image without alt, listed or inline', () => {
    const listed = content({ images: [{ url: `/media/${IMG}/original`, mediaId: IMG, alt: null }] });
    expect(reasons({ ...base, content: listed })).toEqual(['IMAGE_ALT_MISSING']);
    const inline = content({ body: `<p><img src="/media/${IMG}/w640.webp"></p>` });
    expect(reasons({ ...base, content: inline })).toEqual(['IMAGE_ALT_MISSING']);
    expect(inlineMediaIds(inline.body)).toEqual([IMG]);
  });
});
