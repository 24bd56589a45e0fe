import { defineEntity, p } from '@mikro-orm/core';

/** A file a citizen uploaded (a letter's attachment): site media that is not public, claimed by one letter. */
export const PublicUploadSchema = defineEntity({
  name: 'PublicUpload',
  tableName: 'public_upload',
  properties: {
    mediaId: p.uuid().primary(),
    siteId: p.uuid(),
    uploadedAt: p.datetime(),
    letterId: p.uuid().nullable(),
    claimedAt: p.datetime().nullable(),
  },
});
export class PublicUpload extends PublicUploadSchema.class {}
PublicUploadSchema.setClass(PublicUpload);
