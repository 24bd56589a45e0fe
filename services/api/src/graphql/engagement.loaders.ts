import {
  type Interview,
  type InterviewQuestion,
  questionsOf,
  readQuestionAskers,
  type Survey,
  surveyResults,
} from '@zhanqun/core';
import type { GqlContext } from './context.ts';

type Q<T> = { obj: T; params: Record<string, unknown> }[];

/** Interviews' questions, askers (one audited read per request) and surveys' results: one query per level. */
export const engagementLoaders = {
  Interview: {
    async questions(queries: Q<Interview>, { zq }: GqlContext) {
      const byStatus = new Map<string, Interview[]>();
      for (const q of queries) {
        const s = String(q.params.status ?? '');
        byStatus.set(s, [...(byStatus.get(s) ?? []), q.obj]);
      }
      const found = new Map<string, Map<string, InterviewQuestion[]>>();
      for (const [s, list] of byStatus)
        found.set(s, await questionsOf(zq, list, (s || null) as InterviewQuestion['status'] | null));
      return queries.map((q) => found.get(String(q.params.status ?? ''))?.get(q.obj.id) ?? []);
    },
  },
  InterviewQuestion: {
    async asker(queries: Q<InterviewQuestion>, { zq }: GqlContext) {
      const askers = await readQuestionAskers(
        zq,
        queries.map((q) => q.obj),
      );
      return queries.map((q) => askers.get(q.obj.id) ?? null);
    },
  },
  Survey: {
    async results(queries: Q<Survey>, { zq }: GqlContext) {
      const results = await surveyResults(
        zq,
        queries.map((q) => q.obj),
      );
      return queries.map((q) => results.get(q.obj.id) ?? null);
    },
  },
};
