import { auditResolvers } from './resolvers/audit.resolvers.ts';
import { authResolvers } from './resolvers/auth.resolvers.ts';
import { calendarResolvers } from './resolvers/calendar.resolvers.ts';
import { deliveryResolvers } from './resolvers/delivery.resolvers.ts';
import { columnResolvers } from './resolvers/columns.resolvers.ts';
import { disclosureResolvers } from './resolvers/disclosure.resolvers.ts';
import { engagementResolvers } from './resolvers/engagement.resolvers.ts';
import { interactionResolvers } from './resolvers/interaction.resolvers.ts';
import { importResolvers } from './resolvers/import.resolvers.ts';
import { itemResolvers } from './resolvers/items.resolvers.ts';
import { mediaResolvers } from './resolvers/media.resolvers.ts';
import { peopleResolvers } from './resolvers/people.resolvers.ts';
import { searchResolvers } from './resolvers/search.resolvers.ts';
import { scalars } from './resolvers/scalars.ts';
import { siteResolvers } from './resolvers/sites.resolvers.ts';
import { webhookResolvers } from './resolvers/webhooks.resolvers.ts';

type ResolverMap = Record<string, Record<string, unknown>>;

/** Merges the per-feature resolver maps (each feature owns its .graphql file and its resolvers). */
export function resolvers(): Record<string, unknown> {
  const out: ResolverMap = {};
  const parts = [
    authResolvers,
    siteResolvers,
    columnResolvers,
    peopleResolvers,
    auditResolvers,
    itemResolvers,
    calendarResolvers,
    searchResolvers,
    interactionResolvers,
    disclosureResolvers,
    engagementResolvers,
    mediaResolvers,
    deliveryResolvers,
    webhookResolvers,
    importResolvers,
  ];
  for (const part of parts as ResolverMap[]) {
    for (const [type, fields] of Object.entries(part)) out[type] = { ...(out[type] ?? {}), ...fields };
  }
  return { ...scalars, ...out };
}
