import { AuditCheckpoint } from '../audit/audit-checkpoint.entity.ts';
import { AuditRecord } from '../audit/audit-record.entity.ts';
import { ApiToken } from '../auth/token.entities.ts';
import { Column } from '../columns/column.entity.ts';
import { Redirect } from '../delivery/redirect.entity.ts';
import { ImportRecord, ImportRun, ImportSignOff, LegacySite } from '../import/import.entities.ts';
import { DisclosureRequest } from '../interaction/disclosure/disclosure-request.entity.ts';
import { Interview, InterviewQuestion } from '../interaction/interviews/interview.entity.ts';
import { Letter, Mailbox } from '../interaction/mailbox/mailbox.entity.ts';
import { PublicUpload } from '../interaction/public-upload.entity.ts';
import { Survey, SurveyResponse } from '../interaction/surveys/survey.entity.ts';
import { Item, ItemLink, ItemPlacement, ItemRevision, SignOff } from '../items/item.entity.ts';
import { ItemListing } from '../items/item-listing.entity.ts';
import { Media, MediaReference, MediaRendition } from '../media/media.entity.ts';
import { Membership } from '../people/membership.entity.ts';
import { SearchChange } from '../search/search-change.entity.ts';
import { Site, SiteDomain } from '../sites/site.entity.ts';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../webhooks/webhook.entity.ts';

export const SITE_FILTER = 'site';

export interface SiteFilterArgs {
  siteIds: string[];
  userId?: string;
  platform?: boolean;
}

/**
 * The application layer of tenant isolation: every ORM read, update and delete of a site-owned entity is limited
 * to the fork's sites, in the same terms as the row-level-security policies that back it (migration 0001/0002).
 * A fork without a scope cannot query these entities at all: the filter refuses to run without its arguments.
 */
export const siteFilter = {
  name: SITE_FILTER,
  default: true,
  entity: [
    Site,
    SiteDomain,
    Column,
    Membership,
    ApiToken,
    AuditRecord,
    AuditCheckpoint,
    Item,
    ItemRevision,
    ItemPlacement,
    SignOff,
    ItemLink,
    SearchChange,
    Media,
    MediaRendition,
    MediaReference,
    ItemListing,
    Mailbox,
    Letter,
    DisclosureRequest,
    Interview,
    InterviewQuestion,
    Survey,
    SurveyResponse,
    PublicUpload,
    Redirect,
    WebhookEndpoint,
    WebhookEvent,
    WebhookDelivery,
    LegacySite,
    ImportRun,
    ImportRecord,
    ImportSignOff,
  ],
  cond: (args: SiteFilterArgs, _type: string, _em: unknown, _options: unknown, entityName?: string) => {
    if (!args || !Array.isArray(args.siteIds)) throw new Error('site filter without its scope: use a scoped fork');
    const inScope = { $in: args.siteIds };
    if (entityName === 'Site') return { id: inScope };
    if (entityName === 'Membership' && args.userId) return { $or: [{ siteId: inScope }, { userId: args.userId }] };
    if ((entityName === 'AuditRecord' || entityName === 'AuditCheckpoint') && args.platform)
      return { $or: [{ siteId: inScope }, { siteId: null }] };
    return { siteId: inScope };
  },
};
