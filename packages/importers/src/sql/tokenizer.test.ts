import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type SqlEvent, SqlStatementReader, type TokenizerOptions } from './tokenizer.ts';

const gbk = (s: string) => iconv.encode(s, 'gbk');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Runs the reader over bytes cut in chunks of `step` (1 = every byte boundary is a chunk boundary). */
function run(bytes: Uint8Array, opts: Partial<TokenizerOptions> = {}, step = bytes.length || 1): SqlEvent[] {
  const r = new SqlStatementReader({ encoding: 'utf-8', multibyteAware: false, ...opts });
  const out: SqlEvent[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(...r.push(bytes.subarray(i, i + step)));
  out.push(...r.end());
  return out;
}
const rows = (ev: SqlEvent[]) => ev.flatMap((e) => (e.kind === 'row' ? [e.values] : []));

describe('SqlStatementReader', () => {
  it('reads every literal kind', () => {
    const sql = utf8(
      "INSERT INTO `t` VALUES (1,-2,3.5,1e3,'a',\"b\",NULL,TRUE,FALSE,0x4142,X'4344',_binary 'ef',_utf8'政务',b'1',NOW(),'');",
    );
    const [values] = rows(run(sql));
    expect(values!.slice(0, 9)).toEqual([1, -2, 3.5, 1000, 'a', 'b', null, 1, 0]);
    expect(Buffer.from(values![9] as Uint8Array).toString()).toBe('AB');
    expect(Buffer.from(values![10] as Uint8Array).toString()).toBe('CD');
    expect(Buffer.from(values![11] as Uint8Array).toString()).toBe('ef');
    expect(values![12]).toBe('政务');
    expect(values![14]).toBe('NOW');
    expect(values![15]).toBe('');
    expect(values).toHaveLength(16);
  });

  it('keeps integers beyond 2^53 as text', () => {
    expect(rows(run(utf8('INSERT INTO t VALUES (18446744073709551615);')))[0]).toEqual(['18446744073709551615']);
  });

  it('undoes backslash escapes and doubled quotes', () => {
    const sql = utf8(
      String.raw`INSERT INTO t VALUES ('a\'b','c''d','e\\f','g\nh\r\ti','\0','\Z','\%\_','\"q\"','\x');`,
    );
    expect(rows(run(sql))[0]).toEqual(["a'b", "c'd", 'e\\f', 'g\nh\r\ti', '\0', '\x1a', '\\%\\_', '"q"', 'x']);
  });

  it('skips every comment kind and reads /*!40101 … */ versioned comments as SQL', () => {
    const sql = utf8(
      [
        '-- MySQL dump 10.13',
        '--',
        "# a hash comment with a quote ' in it",
        "/* a block comment; with a semicolon and a quote ' */",
        '/*!40101 SET NAMES gbk */;',
        '/*!40000 ALTER TABLE `t` DISABLE KEYS */;',
        'LOCK TABLES `t` WRITE;',
        "INSERT INTO `t` VALUES (1,'-- not a comment','# nor this','/* nor this */');",
        'UNLOCK TABLES;',
        'SELECT 1-1;',
      ].join('\n'),
    );
    const ev = run(sql);
    expect(ev.filter((e) => e.kind === 'charset')).toEqual([{ kind: 'charset', charset: 'gbk' }]);
    expect(rows(ev)).toEqual([[1, '-- not a comment', '# nor this', '/* nor this */']]);
    expect(ev.filter((e) => e.kind === 'warning')).toEqual([]);
  });

  it('reads extended inserts, one-row inserts, column lists, REPLACE and ON DUPLICATE KEY', () => {
    const sql = utf8(
      [
        "INSERT INTO `t` VALUES (1,'a'),(2,'b'),\n(3,'c');",
        "INSERT INTO `t` (`id`, `name`) VALUES\n(4, 'd'),\n(5, 'e');",
        "replace into `db`.`t` values('6','f');",
        "INSERT IGNORE INTO t VALUES (7,'g') ON DUPLICATE KEY UPDATE name=VALUES(name);",
        "INSERT INTO t VALUE (8,'h');",
      ].join('\n'),
    );
    const ev = run(sql).filter((e) => e.kind === 'row');
    expect(ev.map((e) => (e.kind === 'row' ? [e.table, e.columns, e.values] : null))).toEqual([
      ['t', null, [1, 'a']],
      ['t', null, [2, 'b']],
      ['t', null, [3, 'c']],
      ['t', ['id', 'name'], [4, 'd']],
      ['t', ['id', 'name'], [5, 'e']],
      ['t', null, ['6', 'f']],
      ['t', null, [7, 'g']],
      ['t', null, [8, 'h']],
    ]);
  });

  it('learns column names and lengths from CREATE TABLE (TYPE=MyISAM, keys skipped, #@__ prefix)', () => {
    const sql = utf8(
      "CREATE TABLE IF NOT EXISTS `#@__archives` (\n  `id` mediumint(8) unsigned NOT NULL default '0',\n  `title` char(60) NOT NULL default '',\n  `flag` set('c','h') default NULL,\n  `body` mediumtext,\n  PRIMARY KEY  (`id`),\n  KEY `sortrank` (`sortrank`)\n) TYPE=MyISAM;",
    );
    expect(run(sql)).toEqual([
      {
        kind: 'create',
        table: '#@__archives',
        columns: [
          { name: 'id', type: 'mediumint', length: 8 },
          { name: 'title', type: 'char', length: 60 },
          { name: 'flag', type: 'set', length: null },
          { name: 'body', type: 'mediumtext', length: null },
        ],
      },
    ]);
  });

  it('gives the same events whatever the chunk boundaries (every byte a boundary)', () => {
    const sql = gbk(
      "/*!40101 SET NAMES gbk */;\n-- c\nCREATE TABLE `a` (`x` int(1), `y` text);\nINSERT INTO `a` VALUES (1,'政务公开\\'s ''x'' \\\\'),(-2,0x41),(3,NULL);\n# end\n",
    );
    const whole = run(sql, { encoding: 'gb18030', multibyteAware: true });
    expect(rows(whole)).toHaveLength(3);
    expect(rows(whole)[0]).toEqual([1, "政务公开's 'x' \\"]);
    for (const step of [1, 2, 3, 7])
      expect(run(sql, { encoding: 'gb18030', multibyteAware: true }, step)).toEqual(whole);
  });

  describe('the GBK 0x5C trap', () => {
    // In GBK the trail byte of some characters is 0x5C, the backslash: 誠 = D5 5C, 謀 = D6 5C.
    it('knows which characters carry a 0x5C trail byte', () => {
      expect([...gbk('誠')]).toEqual([0xd5, 0x5c]);
      expect([...gbk('謀')]).toEqual([0xd6, 0x5c]);
      expect([...gbk('運')]).toEqual([0xdf, 0x5c]); // 運 is one of the 116 CJK characters with a 0x5C trail in GBK
      expect([...iconv.encode('功', 'big5')]).toEqual([0xa5, 0x5c]);
    });

    it('charset-aware dumps (mysqldump --default-character-set=gbk) do not double it: read multibyte-aware', () => {
      // as the server escapes it: 誠 stays D5 5C, the quote after it is escaped, a real backslash doubled
      const bytes = Buffer.concat([
        gbk("INSERT INTO t VALUES ('"),
        gbk('誠信'),
        gbk("\\'x"),
        gbk('謀'),
        gbk("\\\\','ok');"),
      ]);
      expect(rows(run(bytes, { encoding: 'gb18030', multibyteAware: true }))[0]).toEqual(["誠信'x謀\\", 'ok']);
      // read naively, 5C would eat the next byte: the string and everything after it go wrong
      const naive = rows(run(bytes, { encoding: 'gb18030', multibyteAware: false }))[0];
      expect(naive?.[0]).not.toBe("誠信'x謀運\\");
    });

    it('addslashes dumps (Dede backup, EmpireBak, phpcms bakfile) doubled it: read byte by byte', () => {
      const doubled = Buffer.from([0xd5, 0x5c, 0x5c]); // addslashes(誠)
      const bytes = Buffer.concat([gbk("INSERT INTO t VALUES ('"), doubled, gbk("\\'');")]);
      expect(rows(run(bytes, { encoding: 'gb18030', multibyteAware: false }))[0]).toEqual(["誠'"]);
    });

    it('reads any mix of 0x5C trail bytes, quotes, escapes and markup back exactly, whatever the chunks', () => {
      // Strings built from the characters that trip a reader (a trail byte 0x5C, a quote or backslash right after
      // Chinese text, a doubled quote, markup, line breaks), escaped as the server escapes them, cut at random.
      const pieces = ['誠', '謀', '運', '政务', "'", '\\', '"', '<p>', '</p>', '\r\n', 'a', ' ', '公开信息'];
      const escaped = (v: string) =>
        Buffer.concat(
          [...v].map((ch) =>
            ch === "'"
              ? gbk("\\'")
              : ch === '\\'
                ? gbk('\\\\')
                : ch === '\r'
                  ? gbk('\\r')
                  : ch === '\n'
                    ? gbk('\\n')
                    : gbk(ch),
          ),
        );
      let seed = 7;
      const rand = (k: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % k;
      };
      for (let round = 0; round < 200; round++) {
        const values = Array.from({ length: 1 + rand(4) }, () =>
          Array.from({ length: rand(40) }, () => pieces[rand(pieces.length)]).join(''),
        );
        const bytes = Buffer.concat([
          gbk('INSERT INTO t VALUES ('),
          ...values.flatMap((v, i) => [gbk(i ? ",'" : "'"), escaped(v), gbk("'")]),
          gbk(');'),
        ]);
        const step = 1 + rand(bytes.length + 1);
        expect(rows(run(bytes, { encoding: 'gb18030', multibyteAware: true }, step))).toEqual([values]);
      }
    });

    it('keeps a lead byte at the end of a chunk with its trail in the next one', () => {
      const bytes = Buffer.concat([gbk("INSERT INTO t VALUES ('"), gbk('誠'), gbk("','謀');")]);
      const cut = bytes.indexOf(0xd5) + 1; // chunk ends right after the lead byte
      const r = new SqlStatementReader({ encoding: 'gb18030', multibyteAware: true });
      const ev = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut)), ...r.end()];
      expect(rows(ev)[0]).toEqual(['誠', '謀']);
    });
  });

  it('warns about a truncated dump and drops only the incomplete row', () => {
    const ev = run(utf8("INSERT INTO `t` VALUES (1,'a'),(2,'unterminated"));
    expect(rows(ev)).toEqual([[1, 'a']]);
    const w = ev.find((e) => e.kind === 'warning');
    expect(w).toMatchObject({ kind: 'warning', code: 'SQL_TRUNCATED' });
    expect(w && 'message' in w ? w.message : '').toMatch(/`t`.*byte/);
    const cut = run(utf8("INSERT INTO `t` VALUES (1,'a'),(2,"));
    expect(rows(cut)).toEqual([[1, 'a']]);
    expect(cut.at(-1)).toMatchObject({ code: 'SQL_TRUNCATED' });
  });

  it('reports syntax it cannot read and goes on with the next statement', () => {
    const ev = run(utf8('INSERT INTO t VALUES (1 2);\nINSERT INTO t VALUES (3);'));
    expect(ev.find((e) => e.kind === 'warning')).toMatchObject({ code: 'SQL_SYNTAX' });
    expect(rows(ev)).toEqual([[3]]);
  });

  it('gives the wanted tables the same events whether the others are skipped or read, whatever the chunks', () => {
    // Statements of a wanted and an unwanted table interleaved, with every kind of value and the bytes a skip must
    // not be fooled by: quotes, escapes, `;` and parentheses inside strings, comments, GBK trail bytes 0x5C, negative
    // numbers and exponents, function calls, a quoted identifier, and a dump cut inside an unwanted row.
    const strs = ["'a;b'", "'(x)'", "'誠\\'s'", "'謀運'", "''", "'--'", "'/*'", "'#'", '"q;\\"\\\\"', "'x''y'"];
    const vals = ['1', '-2', '1e-5', 'NULL', '0x41', 'NOW()', "CHAR(65,';')", ...strs];
    let seed = 11;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let round = 0; round < 60; round++) {
      const parts: string[] = ['/*!40101 SET NAMES gbk */;\n', 'CREATE TABLE `b` (`x` int, `y` text);\n'];
      for (let st = 0; st < 6; st++) {
        const table = rand(2) ? 'a' : 'b';
        const rows = Array.from(
          { length: 1 + rand(4) },
          () => `(${Array.from({ length: 1 + rand(4) }, () => vals[rand(vals.length)]).join(',')})`,
        );
        parts.push(`${rand(3) ? '' : '-- a comment; (\n'}INSERT INTO \`${table}\` VALUES ${rows.join(',')};\n`);
        if (!rand(4)) parts.push('/* between; ( */ # more\n');
      }
      if (round % 5 === 0) parts.push("INSERT INTO `b` VALUES (1,'cut");
      else if (round % 5 === 1) parts.push('INSERT INTO `b` VALUES (1,2');
      const bytes = gbk(parts.join(''));
      const opts = { encoding: 'gb18030', multibyteAware: true };
      const step = 1 + rand(bytes.length);
      const all = run(bytes, opts, step).filter((e) => !('table' in e) || e.table === 'a' || e.kind === 'create');
      const skipped = run(bytes, { ...opts, wantTable: (t) => t === 'a' }, step);
      // The same events for `a`, CREATE TABLEs and SET NAMES; a syntax warning about `b` is not given when `b` is
      // skipped, a dump cut inside a row of `b` still is.
      const relevant = (ev: SqlEvent[]) =>
        ev.filter((e) => e.kind !== 'warning' || e.code === 'SQL_TRUNCATED' || /`a`/.test(e.message));
      expect(relevant(skipped)).toEqual(relevant(all));
    }
  });

  it('does not decode or emit rows of unwanted tables', () => {
    const ev = run(utf8("INSERT INTO a VALUES ('x');INSERT INTO b VALUES ('y');"), { wantTable: (t) => t === 'b' });
    expect(ev).toEqual([{ kind: 'row', table: 'b', columns: null, values: ['y'] }]);
  });
});
