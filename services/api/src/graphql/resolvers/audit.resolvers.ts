import { type AuditLogArgs, type AuditRecord, listAuditLog, verifyAuditChain } from '@zhanqun/core';
import { connection, type GqlContext } from '../context.ts';

export const auditResolvers = {
  Query: {
    auditLog: async (_: unknown, args: AuditLogArgs & { site?: string }, { zq }: GqlContext) =>
      connection(await listAuditLog(zq, { ...args, siteCode: args.site })),
    verifyAuditChain: (_: unknown, args: { site?: string }, { zq }: GqlContext) => verifyAuditChain(zq, args.site),
  },
  AuditRecord: {
    siteCode: (r: AuditRecord, _: unknown, { zq }: GqlContext) =>
      r.siteId ? (zq.directory.byId(r.siteId)?.code ?? null) : null,
    actor: (r: AuditRecord) => ({ type: r.actorType, id: r.actorId, name: r.actorName }),
  },
};
