import {
  type DisclosureRequest,
  disclosureDocuments,
  type Letter,
  readDisclosureApplicants,
  readLetterContacts,
} from '@zhanqun/core';
import type { GqlContext } from './context.ts';

type Q<T> = { obj: T; params: Record<string, unknown> }[];

/** Letter.contact: one audited read for every letter of the request (one audit record per site). */
export const interactionLoaders = {
  Letter: {
    async contact(queries: Q<Letter>, { zq }: GqlContext) {
      const contacts = await readLetterContacts(
        zq,
        queries.map((q) => q.obj.id),
      );
      return queries.map((q) => contacts.get(q.obj.id) ?? null);
    },
  },
  DisclosureRequest: {
    async applicant(queries: Q<DisclosureRequest>, { zq }: GqlContext) {
      const applicants = await readDisclosureApplicants(
        zq,
        queries.map((q) => q.obj),
      );
      return queries.map((q) => applicants.get(q.obj.id) ?? null);
    },
    async answerDocument(queries: Q<DisclosureRequest>, { zq }: GqlContext) {
      const docs = await disclosureDocuments(
        zq,
        queries.map((q) => q.obj),
      );
      return queries.map((q) => docs.get(q.obj.id) ?? null);
    },
  },
};
