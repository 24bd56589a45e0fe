import {
  answerDisclosureRequest,
  type DisclosureRequest,
  disclosureYearReport,
  extendDisclosureRequest,
  type ListDisclosureArgs,
  listDisclosureRequests,
  type RegisterDisclosureRequestInput,
  recordDisclosureCorrection,
  recordThirdPartyConsultation,
  registerDisclosureRequest,
  requestDisclosureCorrection,
  type SubmitDisclosureRequestInput,
  submitDisclosureRequest,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

type Args<T> = (_: unknown, args: T, ctx: GqlContext) => unknown;

export const disclosureResolvers = {
  Query: {
    disclosureRequests: (async (_, a, { zq }) =>
      connection(await listDisclosureRequests(zq, a))) as Args<ListDisclosureArgs>,
    disclosureYearReport: ((_, a, { zq }) => disclosureYearReport(zq, a)) as Args<{ site: string; year: number }>,
  },
  Mutation: {
    submitDisclosureRequest: ((_, a, { zq }) => submitDisclosureRequest(zq, a.input)) as Args<{
      input: SubmitDisclosureRequestInput;
    }>,
    registerDisclosureRequest: ((_, a, { zq }) => registerDisclosureRequest(zq, a.input)) as Args<{
      input: RegisterDisclosureRequestInput;
    }>,
    requestDisclosureCorrection: ((_, a, { zq }) => requestDisclosureCorrection(zq, a)) as Args<{
      id: string;
      note: string;
    }>,
    recordDisclosureCorrection: ((_, a, { zq }) => recordDisclosureCorrection(zq, a)) as Args<{
      id: string;
      correctedOn: string;
    }>,
    extendDisclosureRequest: ((_, a, { zq }) => extendDisclosureRequest(zq, a)) as Args<{
      id: string;
      approver: string;
      reason: string;
    }>,
    recordThirdPartyConsultation: ((_, a, { zq }) => recordThirdPartyConsultation(zq, a.input)) as Args<{
      input: { id: string; from: string; to: string; party: string };
    }>,
    answerDisclosureRequest: ((_, a, { zq }) => answerDisclosureRequest(zq, a)) as Args<{
      id: string;
      type: string;
      answer: string;
      document?: string | null;
    }>,
  },
  DisclosureRequest: {
    site: (r: DisclosureRequest, _: unknown, ctx: GqlContext) => ctx.zq.directory.byId(r.siteId)?.code ?? null,
    thirdPartyConsultations: (r: DisclosureRequest) => r.pauses,
  },
};
