import { describe, expect, it } from 'vitest';
import { loggableError } from './errors.ts';

describe('loggableError', () => {
  it('keeps the shape of a database error, never the values it quotes', () => {
    const err = Object.assign(
      new Error(
        'insert into "letter" ("contact") values (\'{"name":"王小明","phone":"13800138000"}\') - duplicate key',
      ),
      {
        name: 'UniqueConstraintViolationException',
        code: '23505',
        detail: 'Key (tracking_code)=(ABCD-EFGH-JKMN) already exists.',
        constraint: 'letter_tracking_code_key',
        table: 'letter',
      },
    );
    const logged = JSON.stringify(loggableError(err));
    expect(logged).not.toContain('王小明');
    expect(logged).not.toContain('13800138000');
    expect(logged).not.toContain('ABCD-EFGH-JKMN');
    expect(loggableError(err)).toMatchObject({
      code: '23505',
      constraint: 'letter_tracking_code_key',
      table: 'letter',
    });
  });
  it('passes other errors through', () => {
    const err = new TypeError('x is not a function');
    expect(loggableError(err)).toBe(err);
  });
});
