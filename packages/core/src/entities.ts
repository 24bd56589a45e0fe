import { AuditCheckpointSchema } from './audit/audit-checkpoint.entity.ts';
import { AuditRecordSchema } from './audit/audit-record.entity.ts';
import { ApiTokenSchema, LoginThrottleSchema, RefreshTokenSchema } from './auth/token.entities.ts';
import { ColumnSchema } from './columns/column.entity.ts';
import { RedirectSchema } from './delivery/redirect.entity.ts';
import {
  ImportRecordSchema,
  ImportRunSchema,
  ImportSignOffSchema,
  LegacySiteSchema,
} from './import/import.entities.ts';
import { DisclosureRequestSchema } from './interaction/disclosure/disclosure-request.entity.ts';
import { InterviewQuestionSchema, InterviewSchema } from './interaction/interviews/interview.entity.ts';
import { LetterSchema, MailboxSchema } from './interaction/mailbox/mailbox.entity.ts';
import { PublicUploadSchema } from './interaction/public-upload.entity.ts';
import { SurveyResponseSchema, SurveySchema } from './interaction/surveys/survey.entity.ts';
import {
  ItemLinkSchema,
  ItemPlacementSchema,
  ItemRevisionSchema,
  ItemSchema,
  SignOffSchema,
} from './items/item.entity.ts';
import { ItemListingSchema } from './items/item-listing.entity.ts';
import { MediaReferenceSchema, MediaRenditionSchema, MediaSchema } from './media/media.entity.ts';
import { MembershipSchema } from './people/membership.entity.ts';
import { UserSchema } from './people/user.entity.ts';
import { SearchChangeSchema } from './search/search-change.entity.ts';
import { SiteDomainSchema, SiteSchema } from './sites/site.entity.ts';
import { WebhookDeliverySchema, WebhookEndpointSchema, WebhookEventSchema } from './webhooks/webhook.entity.ts';

/** Every entity, passed explicitly to MikroORM (folder discovery breaks under ESM test runners). */
export const entities = [
  SiteSchema,
  SiteDomainSchema,
  ColumnSchema,
  UserSchema,
  MembershipSchema,
  RefreshTokenSchema,
  ApiTokenSchema,
  LoginThrottleSchema,
  AuditRecordSchema,
  AuditCheckpointSchema,
  ItemSchema,
  ItemRevisionSchema,
  ItemPlacementSchema,
  SignOffSchema,
  ItemLinkSchema,
  SearchChangeSchema,
  MediaSchema,
  MediaRenditionSchema,
  MediaReferenceSchema,
  RedirectSchema,
  ItemListingSchema,
  MailboxSchema,
  LetterSchema,
  DisclosureRequestSchema,
  InterviewSchema,
  InterviewQuestionSchema,
  SurveySchema,
  SurveyResponseSchema,
  PublicUploadSchema,
  WebhookEndpointSchema,
  WebhookEventSchema,
  WebhookDeliverySchema,
  LegacySiteSchema,
  ImportRunSchema,
  ImportRecordSchema,
  ImportSignOffSchema,
];
