import {
  AppError,
  acceptLetter,
  assignLetter,
  closeLetterUnhandleable,
  type CreateMailboxInput,
  createMailbox,
  draftLetterReply,
  extendLetter,
  findItem,
  followLetter,
  getLetter,
  type Letter,
  type LetterTransfer,
  letterStats,
  type ListLettersArgs,
  listLetters,
  listMailboxes,
  type Mailbox,
  markLetterInvalid,
  replyToLetter,
  type SubmitLetterInput,
  submitLetter,
  transferLetter,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

type Args<T> = (_: unknown, args: T, ctx: GqlContext) => unknown;
const siteCode = (ctx: GqlContext, id: string) => ctx.zq.directory.byId(id)?.code ?? null;

export const interactionResolvers = {
  Query: {
    altchaChallenge: ((_, __, { zq }) => {
      if (!zq.proofOfWork) throw new Error('proof-of-work port missing');
      return zq.proofOfWork.challenge();
    }) as Args<unknown>,
    mailboxes: ((_, args, { zq }) => listMailboxes(zq, args.site)) as Args<{ site: string }>,
    followLetter: (async (_, args, { zq }) => {
      const l = await followLetter(zq, args);
      return { ...l, transferred: l.transfers.length > 0 };
    }) as Args<{ trackingCode: string; secret: string }>,
    letters: (async (_, args, { zq }) => connection(await listLetters(zq, args))) as Args<ListLettersArgs>,
    letter: ((_, args, { zq }) => getLetter(zq, args.id)) as Args<{ id: string }>,
    letterStats: ((_, args, { zq }) => letterStats(zq, args)) as Args<{ site: string; from: string; to: string }>,
  },
  Mutation: {
    submitLetter: ((_, args, { zq }) => submitLetter(zq, args.input)) as Args<{ input: SubmitLetterInput }>,
    createMailbox: ((_, args, { zq }) => createMailbox(zq, args.input)) as Args<{ input: CreateMailboxInput }>,
    acceptLetter: ((_, args, { zq }) => acceptLetter(zq, args.id)) as Args<{ id: string }>,
    markLetterInvalid: ((_, args, { zq }) => markLetterInvalid(zq, args)) as Args<{ id: string; reason: string }>,
    assignLetter: ((_, args, { zq }) => assignLetter(zq, args)) as Args<{ id: string; handler: string }>,
    extendLetter: ((_, args, { zq }) => extendLetter(zq, args)) as Args<{ id: string; reason: string }>,
    transferLetter: ((_, args, { zq }) => transferLetter(zq, args.input)) as Args<{
      input: { id: string; toSite: string; toMailbox?: string | null; reason: string };
    }>,
    replyToLetter: ((_, args, { zq }) => replyToLetter(zq, args)) as Args<{
      id: string;
      reply: string;
      answeringBody: string;
    }>,
    closeLetterUnhandleable: ((_, args, { zq }) => closeLetterUnhandleable(zq, args)) as Args<{
      id: string;
      explanation: string;
    }>,
    // Like the item mutations: the caller sees the item's working version.
    draftLetterReply: (async (_, args, { zq }) => {
      const item = await draftLetterReply(zq, args.id);
      return (await findItem(zq, item.id)) ?? new AppError('NOT_FOUND');
    }) as Args<{ id: string }>,
  },
  Mailbox: {
    site: (m: Mailbox, _: unknown, ctx: GqlContext) => siteCode(ctx, m.siteId),
  },
  Letter: {
    site: (l: Letter, _: unknown, ctx: GqlContext) => siteCode(ctx, l.siteId),
    attachments: (l: Letter) => (l.attachments ?? []).map((a) => ({ ...a, url: `/media/${a.mediaId}/original` })),
  },
  LetterTransfer: {
    fromSite: (t: LetterTransfer, _: unknown, ctx: GqlContext) => siteCode(ctx, t.fromSiteId),
    toSite: (t: LetterTransfer, _: unknown, ctx: GqlContext) => siteCode(ctx, t.toSiteId),
  },
};
