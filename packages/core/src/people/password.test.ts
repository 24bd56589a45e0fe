import { describe, expect, it } from 'vitest';
import { checkPasswordStrength, hashPassword, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('verifies the right password and rejects others', async () => {
    const h = await hashPassword('Correct-Horse-42');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('Correct-Horse-42', h)).toBe(true);
    expect(await verifyPassword('correct-horse-42', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
  it('salts every hash', async () => {
    expect(await hashPassword('Same-Password-1')).not.toBe(await hashPassword('Same-Password-1'));
  });
  it.each([
    ['short1A!', /10 characters/],
    ['alllowercaseletters', /three of/],
    ['Zhangsan-2026', /e-mail/],
  ])('rejects %s', (pw, msg) => {
    expect(() => checkPasswordStrength(pw, 'zhangsan@example.gov.cn')).toThrow(msg);
  });
  it('accepts a strong one', () => {
    expect(() => checkPasswordStrength('Panzhihua#2026', 'a@b.cn')).not.toThrow();
  });
});
