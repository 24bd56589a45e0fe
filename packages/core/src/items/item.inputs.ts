import { z } from 'zod';
import { withDefault } from '../shared/validation.ts';
import { contentFields } from './item.content.ts';

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'lower-case letters, digits and hyphens');
const kind = z.string().regex(/^[A-Z][A-Z_]{1,31}$/, 'an item kind such as ARTICLE or POLICY_DOCUMENT');
const ids = z.array(z.uuid()).max(50);

export const createItemInput = z.object({
  site: z.string(),
  /** The home column, by path (/zwdt/yw) or id: the review happens there. */
  column: z.string(),
  kind,
  locale: withDefault(z.string().regex(/^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$/), 'zh-CN'),
  slug: slug.nullish(),
  /** Another item of this site this one translates (2015 §8: foreign-language versions kept in step). */
  translationOf: z.uuid().nullish(),
  /** Other columns of the site where the item also appears. */
  alsoIn: z.array(z.string()).max(20).nullish(),
  /** For interpretations: the policy documents interpreted. */
  interprets: ids.nullish(),
  note: z.string().trim().max(500).nullish(),
  ...contentFields,
});
export type CreateItemInput = z.input<typeof createItemInput>;

export const updateItemInput = z.object({
  id: z.uuid(),
  /** Optimistic check: the revision number the editor started from. */
  baseRevision: z.number().int().min(1).nullish(),
  slug: slug.nullish(),
  alsoIn: z.array(z.string()).max(20).nullish(),
  interprets: ids.nullish(),
  note: z.string().trim().max(500).nullish(),
  ...contentFields,
  title: contentFields.title.optional(),
});
export type UpdateItemInput = z.input<typeof updateItemInput>;
