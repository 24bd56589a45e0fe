import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);

export const uploadMediaInput = z.object({
  site: z.string().min(1),
  title: text(300).nullish(),
  alt: text(300).nullish(),
  caption: text(1000).nullish(),
  /** The media this upload replaces: a new version; the old one stays for the revisions that pinned it. */
  replaces: z.uuid().nullish(),
});
export type UploadMediaInput = z.input<typeof uploadMediaInput>;

export const updateMediaInput = z.object({
  id: z.uuid(),
  title: text(300).nullish(),
  alt: text(300).nullish(),
  caption: text(1000).nullish(),
});
export type UpdateMediaInput = z.input<typeof updateMediaInput>;

export const mediaLibraryInput = z.object({
  site: z.string().min(1),
  kind: z.enum(['IMAGE', 'DOCUMENT', 'AUDIO', 'VIDEO']).nullish(),
  /** Words of the title or the original file name. */
  query: text(100).nullish(),
  unused: z.boolean().nullish(),
  first: z.number().int().nullish(),
  after: z.string().nullish(),
});
export type MediaLibraryInput = z.input<typeof mediaLibraryInput>;
