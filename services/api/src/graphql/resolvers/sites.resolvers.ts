import {
  conacMarkUrl,
  findSite,
  type ListSitesArgs,
  listSites,
  type ProvisionSiteInput,
  provisionSite,
  type Site,
  setSiteStatus,
  takeSiteDown,
  type UpdateSiteInput,
  updateSite,
} from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

export const siteResolvers = {
  Query: {
    site: async (_: unknown, args: { code?: string | null; host?: string | null }, { zq }: GqlContext) => {
      if (args.code) return findSite(zq, args.code);
      const code = args.host ? (await zq.directory.fresh()).byHost(args.host)?.code : null;
      return code ? findSite(zq, code) : null;
    },
    sites: async (_: unknown, args: ListSitesArgs, { zq }: GqlContext) => connection(await listSites(zq, args)),
  },
  Mutation: {
    provisionSite(_: unknown, args: { input: ProvisionSiteInput }, ctx: GqlContext) {
      return provisionSite(ctx.zq, args.input);
    },
    updateSite(_: unknown, args: { input: UpdateSiteInput }, ctx: GqlContext) {
      return updateSite(ctx.zq, args.input);
    },
    setSiteStatus(_: unknown, args: { code: string; status: string; reason?: string }, ctx: GqlContext) {
      return setSiteStatus(ctx.zq, args.code, args.status, args.reason);
    },
    takeSiteDown(_: unknown, args: { code: string; reason: string; notice: string }, ctx: GqlContext) {
      return takeSiteDown(ctx.zq, args);
    },
  },
  Site: {
    organisation: (s: Site) => ({ name: s.organisationName, code: s.organisationCode ?? null }),
    footer: (s: Site) => ({
      ...s,
      organisation: s.organisationName,
      conacMarkUrl: s.conacMarkId ? conacMarkUrl(s.conacMarkId) : null,
    }),
    // Public knowledge: an old host answers every request with a redirect anyway.
    legacyHosts: (s: Site, _: unknown, { zq }: GqlContext) => zq.directory.byId(s.id)?.legacyHosts ?? [],
    corsOrigins: (s: Site) => s.corsOrigins ?? [],
  },
};
