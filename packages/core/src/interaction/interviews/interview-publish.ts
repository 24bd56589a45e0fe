import { AppError } from '../../errors/app-error.ts';
import type { Item } from '../../items/item.entity.ts';
import { createItem } from '../../items/item.service.ts';
import { Media } from '../../media/media.entity.ts';
import type { Ctx } from '../../shared/context.ts';
import { parseInput } from '../../shared/validation.ts';
import { chinaTime } from '../interaction-shared.ts';
import { maskPersonalData } from '../mailbox/letter-publish.ts';
import { escapeHtml } from '../public-write-guard.ts';
import type { Interview } from './interview.entity.ts';
import { draftTranscriptInput } from './interview.inputs.ts';
import {
  INTERVIEW_KIND,
  INTERVIEW_NOTICE_KIND,
  interviewStep,
  questionsOf,
  requireInterviewToHandle,
} from './interview.service.ts';

const paragraphs = (text: string) =>
  text
    .split('\n')
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');
const guestList = (i: Interview) => i.guests.map((g) => (g.title ? `${g.title} ${g.name}` : g.name)).join('、');
const siteOf = (ctx: Ctx, i: Interview) => ctx.directory.byId(i.siteId);

/**
 * 提前做好预告 (2015 §4): drafts the interview's announcement — topic, time, guests, description — as an item of
 * its column, to go through the three-level review like any publication. Once it is published the interview is
 * public and takes questions.
 */
export async function draftInterviewAnnouncement(ctx: Ctx, id: string): Promise<Item> {
  const i = await requireInterviewToHandle(ctx, id);
  if (i.announcementItemId) throw new AppError('CONFLICT', 'The announcement is already drafted', { field: 'id' });
  if (i.status !== 'ANNOUNCED') throw new AppError('INVALID_INTERVIEW_STATE');
  const when = i.endsAt ? `${chinaTime(i.startsAt)} 至 ${chinaTime(i.endsAt).slice(11)}` : chinaTime(i.startsAt);
  const item = await createItem(ctx, {
    site: siteOf(ctx, i)?.code ?? '',
    column: i.columnId,
    kind: INTERVIEW_NOTICE_KIND,
    title: `访谈预告：${i.topic}`,
    summary: `${when}，${guestList(i)}做客在线访谈`,
    body: [
      `<p>访谈主题：${escapeHtml(i.topic)}</p>`,
      `<p>访谈时间：${escapeHtml(when)}（北京时间）</p>`,
      `<p>访谈嘉宾：${escapeHtml(guestList(i))}</p>`,
      paragraphs(i.description),
      '<p>欢迎广大网友在访谈前和访谈中踊跃提问。</p>',
    ].join(''),
    source: siteOf(ctx, i)?.name ?? null,
    note: `interview ${i.id}`,
  });
  await interviewStep(ctx, i.id, 'draftAnnouncement', (locked) => {
    if (locked.announcementItemId) throw new AppError('CONFLICT', 'The announcement is already drafted');
    locked.announcementItemId = item.id;
    return { itemId: item.id };
  });
  return item;
}

/**
 * After the interview (ENDED): drafts the transcript — the introduction, every approved question with the
 * guest's answer (askers shown as 网友, their details masked out of the text), the interview's media (images
 * and video or documents from the media pipeline, by id, of the same site) — as an item of its column. An
 * interview that interprets policy documents (2015 §3: 政策解读 by 在线访谈) becomes an INTERPRETATION linked to
 * them. It goes through the three-level review; completeInterview then marks the interview PUBLISHED.
 */
export async function draftInterviewTranscript(
  ctx: Ctx,
  raw: { id: string; media?: string[] | null; summary?: string | null },
): Promise<Item> {
  const input = parseInput(draftTranscriptInput, raw);
  const i = await requireInterviewToHandle(ctx, input.id);
  if (i.status !== 'ENDED') throw new AppError('INVALID_INTERVIEW_STATE', 'The transcript follows the interview');
  if (i.transcriptItemId) throw new AppError('CONFLICT', 'The transcript is already drafted', { field: 'id' });
  const mediaIds = [...new Set(input.media ?? [])];
  const media = mediaIds.length
    ? await ctx.em.find(Media, { id: { $in: mediaIds }, siteId: i.siteId, deletedAt: null })
    : [];
  if (media.length !== mediaIds.length) throw new AppError('NOT_FOUND', 'Media not found', { field: 'media' });
  const questions = ((await questionsOf(ctx, [i], 'APPROVED')).get(i.id) ?? []).filter((q) => q.answer);
  const qa = questions.map((q) => {
    const asked = maskPersonalData(q.body, {
      name: q.asker.name,
      phone: q.asker.phone,
      email: q.asker.email,
      address: null,
    });
    return `<p><strong>网友：</strong>${escapeHtml(asked)}</p><p><strong>${escapeHtml(q.answeredBy ?? '')}：</strong>${escapeHtml(q.answer ?? '')}</p>`;
  });
  const images = media.filter((m) => m.kind === 'IMAGE');
  const files = media.filter((m) => m.kind !== 'IMAGE');
  const item = await createItem(ctx, {
    site: siteOf(ctx, i)?.code ?? '',
    column: i.columnId,
    kind: i.interprets.length ? 'INTERPRETATION' : INTERVIEW_KIND,
    interprets: i.interprets.length ? i.interprets : undefined,
    title: `在线访谈：${i.topic}`,
    summary: `${guestList(i)}做客在线访谈，回答网友提问 ${questions.length} 个`,
    body: [
      `<p>访谈时间：${escapeHtml(chinaTime(i.liveAt ?? i.startsAt))}（北京时间）</p>`,
      `<p>访谈嘉宾：${escapeHtml(guestList(i))}</p>`,
      paragraphs(input.summary ?? i.description),
      ...qa,
    ].join(''),
    occurredAt: i.liveAt ?? i.startsAt,
    endedAt: i.endedAt ?? undefined,
    images: images.map((m) => ({ mediaId: m.id, alt: m.alt ?? m.title ?? i.topic, caption: m.caption })),
    attachments: files.map((m) => ({ mediaId: m.id, name: m.title ?? m.originalName })),
    source: siteOf(ctx, i)?.name ?? null,
    note: `interview ${i.id}`,
  });
  await interviewStep(ctx, i.id, 'draftTranscript', (locked) => {
    if (locked.transcriptItemId) throw new AppError('CONFLICT', 'The transcript is already drafted');
    locked.transcriptItemId = item.id;
    locked.media = mediaIds;
    return { itemId: item.id, questions: questions.length, media: mediaIds };
  });
  return item;
}
