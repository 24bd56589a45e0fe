import { AppError } from '@zhanqun/core';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { GqlContext } from './context.ts';

/**
 * Deny by default: every root field needs a signed-in person unless it is listed here. A field added later
 * without an entry is therefore closed, not open. Public fields only ever return public content (core decides
 * what is public). API tokens reach only the fields that name one of their scopes.
 */
type Access = 'public' | { apiTokenScopes: string[] };

export const rootFieldAccess: Record<string, Access> = {
  'Query.me': 'public',
  'Query.site': 'public',
  'Query.sites': 'public',
  // The working-day calendar is published information (national, and regional rows of sites that are public).
  'Query.workdayCalendar': 'public',
  'Query.addWorkdays': 'public',
  'Mutation.login': 'public',
  'Mutation.refreshSession': 'public',
  'Mutation.logout': 'public',
  'Query.item': 'public',
  'Query.items': 'public',
  'Query.search': 'public',
  'Query.searchKey': 'public',
  // Interaction (2015 §4): the public writes and follows letters without an account. Public writes are
  // throttled per address and contact and need a solved ALTCHA challenge (core: public-write-guard).
  'Query.altchaChallenge': 'public',
  'Query.mailboxes': 'public',
  'Query.followLetter': 'public',
  'Mutation.submitLetter': 'public',
  // 依申请公开: the online request form (条例 2019 §29), guarded like letters.
  'Mutation.submitDisclosureRequest': 'public',
  // Interviews and surveys (2015 §4): the public reads what is announced or open, asks and answers; core shows
  // only what is public (announced interviews, approved questions, non-draft surveys, published results).
  'Query.interviews': 'public',
  'Query.interview': 'public',
  'Query.surveys': 'public',
  'Query.survey': 'public',
  'Mutation.submitInterviewQuestion': 'public',
  'Mutation.submitSurveyResponse': 'public',
  // Issue 12: a theme renders any page by host and path; only public content comes back (core decides).
  'Query.route': 'public',
  // Migration scripts record the legacy URLs of the content they import.
  'Mutation.recordRedirects': { apiTokenScopes: ['IMPORT'] },
  // Issue 11: one-click migration runs, and the register of legacy sites (signing stays with people).
  'Query.importRun': { apiTokenScopes: ['IMPORT'] },
  'Query.importRuns': { apiTokenScopes: ['IMPORT'] },
  'Query.legacySites': { apiTokenScopes: ['IMPORT'] },
  'Mutation.startImport': { apiTokenScopes: ['IMPORT'] },
  'Mutation.commitImport': { apiTokenScopes: ['IMPORT'] },
  'Mutation.cancelImport': { apiTokenScopes: ['IMPORT'] },
  'Mutation.upsertLegacySite': { apiTokenScopes: ['IMPORT'] },
  // Migration scripts write content with a MANAGE_CONTENT token; signing stays with people.
  'Mutation.createItem': { apiTokenScopes: ['MANAGE_CONTENT'] },
  'Mutation.updateItem': { apiTokenScopes: ['MANAGE_CONTENT'] },
  'Mutation.restoreRevision': { apiTokenScopes: ['MANAGE_CONTENT'] },
  'Mutation.submitItem': { apiTokenScopes: ['MANAGE_CONTENT'] },
  // Media (issue 8): migration scripts upload with the same token (POST /media) and may read and describe files.
  'Query.media': { apiTokenScopes: ['MANAGE_CONTENT', 'IMPORT'] },
  'Query.mediaLibrary': { apiTokenScopes: ['MANAGE_CONTENT', 'IMPORT'] },
  'Mutation.updateMedia': { apiTokenScopes: ['MANAGE_CONTENT', 'IMPORT'] },
};

export function checkRootAccess(coordinate: string, ctx: GqlContext): void {
  const access = rootFieldAccess[coordinate];
  if (access === 'public') return;
  const actor = ctx.zq.actor;
  if (actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED');
  if (actor.kind === 'apiToken' && !access?.apiTokenScopes.some((s) => actor.scopes.includes(s as never))) {
    throw new AppError('API_TOKEN_SCOPE', `An API token cannot call ${coordinate.split('.')[1]}`);
  }
}

/** Wraps every Query and Mutation field of the built schema with the access check. */
export function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      field.resolve = (parent, args, ctx: GqlContext, info) => {
        checkRootAccess(coordinate, ctx);
        return resolve(parent, args, ctx, info);
      };
    }
  }
  return schema;
}
