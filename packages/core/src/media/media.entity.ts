import { defineEntity, p } from '@mikro-orm/core';

export const mediaKinds = ['IMAGE', 'DOCUMENT', 'AUDIO', 'VIDEO'] as const;
export type MediaKind = (typeof mediaKinds)[number];
export const textStatuses = ['NONE', 'PENDING', 'DONE', 'FAILED'] as const;

/**
 * An uploaded file of one site: content-addressed (SHA-256 of the stored bytes), immutable. Editing changes only
 * the descriptive fields; a replaced file is a new row pointing at the one it replaces (2017 §1.2 可追溯).
 */
export const MediaSchema = defineEntity({
  name: 'Media',
  tableName: 'media',
  properties: {
    id: p.uuid().primary(),
    siteId: p.uuid(),
    sha256: p.string(),
    uploadSha256: p.string(),
    size: p.bigint('number'),
    mediaType: p.string(),
    kind: p.enum(mediaKinds),
    extension: p.string(),
    originalName: p.string(),
    title: p.string().nullable(),
    alt: p.string().nullable(),
    caption: p.string().nullable(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    animated: p.boolean(),
    placeholder: p.string().nullable(),
    previousId: p.uuid().nullable(),
    textStatus: p.enum(textStatuses),
    extractedText: p.text().nullable().lazy(),
    createdBy: p.uuid().nullable(),
    createdByName: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    deletedAt: p.datetime().nullable(),
  },
});
export class Media extends MediaSchema.class {}
MediaSchema.setClass(Media);

/** A derived image: one width in one format. */
export const MediaRenditionSchema = defineEntity({
  name: 'MediaRendition',
  tableName: 'media_rendition',
  primaryKeys: ['mediaId', 'name'],
  properties: {
    mediaId: p.uuid().primary(),
    name: p.string().primary(),
    siteId: p.uuid(),
    sha256: p.string(),
    size: p.bigint('number'),
    mediaType: p.string(),
    width: p.integer(),
    height: p.integer(),
    createdAt: p.datetime(),
  },
});
export class MediaRendition extends MediaRenditionSchema.class {}
MediaRenditionSchema.setClass(MediaRendition);

export const mediaRoles = ['IMAGE', 'ATTACHMENT', 'INLINE'] as const;
export type MediaRole = (typeof mediaRoles)[number];

/** Revision → media it uses, with the hash it pinned. Written with the revision; never changed. */
export const MediaReferenceSchema = defineEntity({
  name: 'MediaReference',
  tableName: 'media_reference',
  primaryKeys: ['revisionId', 'mediaId', 'role'],
  properties: {
    revisionId: p.uuid().primary(),
    mediaId: p.uuid().primary(),
    role: p.enum(mediaRoles).primary(),
    itemId: p.uuid(),
    siteId: p.uuid(),
    sha256: p.string(),
  },
});
export class MediaReference extends MediaReferenceSchema.class {}
MediaReferenceSchema.setClass(MediaReference);
