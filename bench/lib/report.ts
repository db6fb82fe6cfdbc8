/**
 * Report helpers: the machine description, target verdicts, Markdown tables, and updating the
 * marked sections of bench/RESULTS.md.
 */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** loadAverage formats the 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' / ');
}

/** machineInfo describes the machine a run happened on, as Markdown bullet lines. */
export function machineInfo(root: string): string[] {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    commit = git('rev-parse', '--short', 'HEAD');
    if (git('status', '--porcelain', '--untracked-files=no', '--', 'lib', 'bin')) commit += ' (with uncommitted changes in lib/ or bin/)';
  } catch {
    // Not a git checkout.
  }
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'} — ${cpus.length} logical cores (available parallelism ${os.availableParallelism()})`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `- Node: ${process.version}`,
    `- Load average at the start (1/5/15 min; other work on this machine skews timings): ${loadAverage()}`,
    `- Commit: ${commit}`,
  ];
}

/** Verdict is whether a target was met. */
export type Verdict = 'met' | 'not met' | 'n/a';

/**
 * verdict compares value against limit: `atLeast` means value >= limit is met, otherwise
 * value <= limit (or < when strict) is met; a missing or non-finite value or limit gives n/a.
 */
export function verdict(value: number, limit: number, kind: 'atLeast' | 'atMost' | 'below'): Verdict {
  if (!Number.isFinite(value) && value !== Infinity) return 'n/a';
  if (!Number.isFinite(limit)) return 'n/a';
  if (kind === 'atLeast') return value >= limit ? 'met' : 'not met';
  if (kind === 'atMost') return value <= limit ? 'met' : 'not met';
  return value < limit ? 'met' : 'not met';
}

/** table renders a Markdown table from a header row and body rows. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * replaceSection returns doc with the text between `<!-- name:begin -->` and `<!-- name:end -->`
 * replaced by body; when the markers are missing, the section is appended (under `heading` if given).
 */
export function replaceSection(doc: string, name: string, body: string, heading?: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  const block = `${begin}\n${body.trim()}\n${end}`;
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  const sep = doc.length === 0 || doc.endsWith('\n\n') ? '' : doc.endsWith('\n') ? '\n' : '\n\n';
  return `${doc}${sep}${heading ? `${heading}\n\n` : ''}${block}\n`;
}

/**
 * prependHistory adds line at the top of the `history` section (newest first), creating the
 * section if needed; earlier lines are kept.
 */
export function prependHistory(doc: string, line: string): string {
  const begin = '<!-- history:begin -->';
  const end = '<!-- history:end -->';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) {
    const old = doc.slice(i + begin.length, j).trim();
    return replaceSection(doc, 'history', old ? `${line}\n${old}` : line);
  }
  return replaceSection(doc, 'history', line, '## History');
}

/** RESULTS_HEADER starts a fresh RESULTS.md. */
const RESULTS_HEADER = `# Benchmark results

Written by \`npm run bench\` (section "Latest benchmark") and \`npm run load\` (section "Latest load
test"); each run replaces its section and adds one line to the history. See bench/README.md for
what each number means and how it is measured.
`;

/** updateResults rewrites the named section of the results file and prepends a history line. */
export function updateResults(file: string, section: 'bench' | 'load', body: string, historyLine: string): void {
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : RESULTS_HEADER;
  // Keep the order bench, load, history when sections are created for the first time.
  if (!doc.includes('<!-- bench:begin -->')) doc = replaceSection(doc, 'bench', '(not run yet)', '## Latest benchmark');
  if (!doc.includes('<!-- load:begin -->')) doc = replaceSection(doc, 'load', '(not run yet)', '## Latest load test');
  if (!doc.includes('<!-- history:begin -->')) doc = replaceSection(doc, 'history', '', '## History');
  doc = replaceSection(doc, section, body);
  doc = prependHistory(doc, historyLine);
  writeFileSync(file, doc);
}
