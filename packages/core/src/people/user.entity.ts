import { defineEntity, p } from '@mikro-orm/core';

/** A person who signs in. Platform-wide; what they may do on a site comes from memberships. */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p.uuid().primary(),
    email: p.string(),
    name: p.string(),
    passwordHash: p.string().hidden(),
    disabled: p.boolean(),
    platformAdmin: p.boolean(),
    /** Bumped when a password changes or the user is disabled: access tokens of an older version stop at once. */
    sessionVersion: p.integer().default(0),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
