import { AppError } from '../errors/app-error.ts';
import type { SiteKind, SiteStatus } from './site.entity.ts';

/** 网站标识码: ten digits (administrative division + sequence) or `bm` + eight digits for State Council bodies. */
export const SITE_ID_CODE = /^(\d{10}|bm\d{8})$/;
export const SITE_CODE = /^[a-z][a-z0-9-]{1,31}$/;

/** Names that denote a township-level government or a sub-district office. */
const TOWNSHIP_NAME = /(乡|镇|街道)(人民政府|办事处)?$|街道办事处$/;

/**
 * Where a new site may sit in the cluster (2015 §9): the city portal is the root; county portals and city
 * departments sit under it. Township sites are closed and county departments have no sites of their own:
 * both publish as columns of the county portal.
 */
export function checkSitePlacement(input: { kind: string; name: string; parentKind: SiteKind | null }): void {
  if (input.kind === 'TOWNSHIP' || TOWNSHIP_NAME.test(input.name.trim())) {
    throw new AppError('TOWNSHIP_SITE_NOT_ALLOWED', undefined, { field: input.kind === 'TOWNSHIP' ? 'kind' : 'name' });
  }
  switch (input.kind as SiteKind) {
    case 'CITY_PORTAL':
      if (input.parentKind !== null) {
        throw new AppError('INVALID_PARENT_SITE', 'The city portal is the root of the cluster: it has no parent', {
          field: 'parentCode',
        });
      }
      return;
    case 'COUNTY_PORTAL':
    case 'DEPARTMENT':
      if (input.kind === 'DEPARTMENT' && input.parentKind === 'COUNTY_PORTAL') {
        throw new AppError('COUNTY_DEPARTMENT_SITE_NOT_ALLOWED', undefined, { field: 'parentCode' });
      }
      if (input.parentKind !== 'CITY_PORTAL') {
        throw new AppError('INVALID_PARENT_SITE', 'County portals and city departments sit under the city portal', {
          field: 'parentCode',
        });
      }
      return;
    default:
      throw new AppError('INVALID_INPUT', `Unknown site kind ${input.kind}`, { field: 'kind' });
  }
}

/**
 * Site status machine. PREPARING → ONLINE → CLOSING → ARCHIVED; a closing can be called off (CLOSING → ONLINE);
 * a site that never went online can be archived directly. ARCHIVED is final and read-only.
 */
const transitions: Record<SiteStatus, readonly SiteStatus[]> = {
  PREPARING: ['ONLINE', 'ARCHIVED'],
  ONLINE: ['CLOSING'],
  CLOSING: ['ONLINE', 'ARCHIVED'],
  ARCHIVED: [],
};

/** gov-standards ARC-02: a closing notice stays on the home page for at least a month before the site goes. */
export const CLOSING_NOTICE_DAYS = 30;

export function checkStatusTransition(from: SiteStatus, to: SiteStatus, statusChangedAt: Date, now: Date): void {
  if (from === 'ARCHIVED') throw new AppError('SITE_ARCHIVED');
  if (!transitions[from].includes(to)) {
    throw new AppError('INVALID_STATUS_TRANSITION', `A site cannot go from ${from} to ${to}`, { field: 'status' });
  }
  if (from === 'CLOSING' && to === 'ARCHIVED') {
    const days = (now.getTime() - statusChangedAt.getTime()) / 86_400_000;
    if (days < CLOSING_NOTICE_DAYS) {
      throw new AppError('CLOSING_NOTICE_PERIOD', undefined, {
        details: { closingSince: statusChangedAt.toISOString(), daysRemaining: Math.ceil(CLOSING_NOTICE_DAYS - days) },
      });
    }
  }
}

/** The short name used in template column names: 米易县人民政府 → 米易县. */
export function shortSiteName(name: string): string {
  return name.replace(/人民政府$/, '') || name;
}
