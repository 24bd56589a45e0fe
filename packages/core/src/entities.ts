import { AuditRecordSchema } from './audit/audit-record.entity.ts';
import { ApiTokenSchema, LoginThrottleSchema, RefreshTokenSchema } from './auth/token.entities.ts';
import { RedirectSchema } from './delivery/redirect.entity.ts';
import { ColumnSchema } from './columns/column.entity.ts';
import { SearchChangeSchema } from './search/search-change.entity.ts';
import {
  ItemLinkSchema,
  ItemPlacementSchema,
  ItemRevisionSchema,
  ItemSchema,
  SignOffSchema,
} from './items/item.entity.ts';
import { ItemListingSchema } from './items/item-listing.entity.ts';
import { MembershipSchema } from './people/membership.entity.ts';
import { UserSchema } from './people/user.entity.ts';
import { SiteDomainSchema, SiteSchema } from './sites/site.entity.ts';

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
  ItemSchema,
  ItemRevisionSchema,
  ItemPlacementSchema,
  SignOffSchema,
  ItemLinkSchema,
  SearchChangeSchema,
  RedirectSchema,
  ItemListingSchema,
];
