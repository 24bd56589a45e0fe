/**
 * Runs the examples of docs/api.md so they cannot drift from the code (docs/api.md, "Examples are tested").
 *
 * Convention, read from the Markdown:
 * - every ```sh block runs, in document order, in ONE bash session (variables and functions carry over);
 * - `<!-- not-run: why -->` on the line before a block skips it (a block for another machine, a long wait);
 * - `<!-- expect-errors: REASON … -->` before a block allows GraphQL errors with those reasons (or codes) in
 *   it: a refusal the text demonstrates. Any other GraphQL error in any answer fails the block, even when
 *   the example hides it (`| jq .data`): every curl answer is checked on its way through;
 * - a ```json block right after a ```sh block is the shown answer: the last JSON value the block printed must
 *   have at least its keys, recursively (values differ from run to run: ids, times). `…` in a shown answer
 *   (an elision) skips the comparison.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  skip?: string;
  /** Reasons or codes of GraphQL errors the block provokes on purpose. */
  expectErrors: string[];
  /** The ```json block shown right after it, if any. */
  shown?: string;
  /** The line index where that ```json block would open (after blank lines). */
  shownAfterLine?: number;
}

export function extractBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (fence[1] === 'json' && blocks.at(-1)?.shownAfterLine === start) {
      blocks.at(-1)!.shown = body.join('\n');
      continue;
    }
    if (fence[1] !== 'sh') continue;
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marker = lines[before] ?? '';
    const skip = /<!--\s*not-run(?::\s*(.*?))?\s*-->/.exec(marker);
    const expect = /<!--\s*expect-errors:\s*(.*?)\s*-->/.exec(marker);
    // The shown answer may follow after a blank line only.
    let next = i + 1;
    while (next < lines.length && lines[next]!.trim() === '') next++;
    blocks.push({
      line: start + 1,
      code: body.join('\n'),
      skip: skip ? skip[1] || 'marked not-run' : undefined,
      expectErrors: expect ? expect[1]!.split(/[\s,]+/).filter(Boolean) : [],
      shownAfterLine: next,
    });
  }
  return blocks;
}

/**
 * `curl` is wrapped: each answer goes through unchanged, and one that is a GraphQL response with errors whose
 * reasons the current block does not expect is recorded in $ZQ_DOCS_DIR/failures.
 */
const preamble = String.raw`
set -o pipefail
# Name the command that stopped a block (set -e), in the block's stderr.
trap 'echo "docs-examples: exit $? from: $BASH_COMMAND" >&2' ERR
ZQ_BLOCK=0
ZQ_EXPECT=' '
curl() {
  local out rc=0
  out=$(command curl "$@") || rc=$?
  local bad=''
  [[ $out == *'"errors"'* ]] && bad=$(jq -r --arg ok "$ZQ_EXPECT" '
      select(type == "object") | select(.errors | type == "array")
      | .errors[] | (.extensions.reason // .extensions.code // "?") as $r
      | select(($ok | contains(" " + $r + " ")) | not)
      | "\($r): \(.message)"' <<<"$out" 2>/dev/null) || true
  if [[ -n $bad ]]; then printf 'docs/api.md:%s: unexpected GraphQL error %s\n' "$ZQ_BLOCK" "$bad" >>"$ZQ_DOCS_DIR/failures"; fi
  printf '%s\n' "$out"
  return $rc
}
`;

/**
 * Runs bash asynchronously: the API under test lives in this very process, so a synchronous child would
 * block the event loop that has to answer it.
 */
export function bash(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 240_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Killed (exit 124 like timeout(1)) rather than left running after a failed test.
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 124 : 1), stdout, stderr }));
  });
}

export interface BlockRun {
  block: Block;
  stdout: string;
  stderr: string;
}

export interface DocsRun {
  exitCode: number;
  failures: string[];
  runs: BlockRun[];
  /** The block that was running when bash stopped (its line), if it stopped early. */
  stoppedAt?: number;
}

/** Runs every block in one bash session; stops at the first failing command (set -e), naming the block. */
export async function runBlocks(blocks: Block[], env: Record<string, string>): Promise<DocsRun> {
  const dir = mkdtempSync(join(tmpdir(), 'zq-docs-'));
  const parts = [preamble];
  const run = blocks.filter((b) => !b.skip);
  for (const [n, b] of run.entries()) {
    const allowed = ` ${b.expectErrors.join(' ')} `;
    parts.push(
      `ZQ_BLOCK=${b.line}; ZQ_EXPECT='${allowed}'; echo ${b.line} >"$ZQ_DOCS_DIR/current"`,
      `exec >"$ZQ_DOCS_DIR/${n}.out" 2>"$ZQ_DOCS_DIR/${n}.err"`,
      'set -e',
      b.code,
      'set +e',
    );
  }
  parts.push('exit 0');
  const script = join(dir, 'api-md.sh');
  writeFileSync(script, parts.join('\n'));
  const { code: exitCode } = await bash([script], { ...env, ZQ_DOCS_DIR: dir }, 540_000);
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const current = Number(read('current').trim()) || undefined;
  return {
    exitCode,
    failures: read('failures').split('\n').filter(Boolean),
    runs: run.map((block, n) => ({ block, stdout: read(`${n}.out`), stderr: read(`${n}.err`) })),
    stoppedAt: exitCode === 0 ? undefined : current,
  };
}

/** The last JSON value in a block's output (jq -s), or undefined when it printed none. */
export function lastJson(stdout: string): unknown {
  try {
    const all = JSON.parse(execFileSync('jq', ['-cs', '.'], { input: stdout, encoding: 'utf8' })) as unknown[];
    return all.at(-1);
  } catch {
    return undefined;
  }
}

/** Key paths of the shown answer that the actual answer lacks (arrays: the shape of their first element). */
export function missingKeys(shown: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return [`${path} (an array)`];
    if (shown.length === 0 || actual.length === 0) return [];
    return missingKeys(shown[0], actual[0], `${path}[0]`);
  }
  if (shown && typeof shown === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path} (an object)`];
    return Object.entries(shown).flatMap(([k, v]) =>
      k in actual ? missingKeys(v, (actual as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}`],
    );
  }
  return [];
}
