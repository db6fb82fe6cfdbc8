/**
 * The goals table of issue #15 (performance close to libvips): each goal as a ratio measured in
 * one run, with its status. Extra bench sections may add their own rows (see sections.ts).
 */
import { ratio, fmt } from './stats.js';
import { verdict, table, type Verdict } from './report.js';

/** GoalRow is one goal: its measured value, the limit and how they compare, and how to show it. */
export interface GoalRow {
  /** The case, e.g. `JPEG 1024x683 → 500w, median latency`. */
  name: string;
  value: number;
  limit: number;
  kind: 'atLeast' | 'atMost' | 'below';
  /** The measured figure as shown, e.g. `1.21× sharp (17.0 vs 14.0 ms)`. */
  show: string;
  /** The goal as shown, e.g. `≤ 1.3× sharp`. */
  goal: string;
}

/** CaseFigures is what the goals need from one engine's case. */
export interface CaseFigures {
  median?: number;
  bytes?: number;
  psnr?: number;
}

/** GoalInputs are the figures the issue's goals are computed from (undefined = not measured). */
export interface GoalInputs {
  proxy: Partial<Record<'jpeg1024' | 'jpeg4000' | 'png1024' | 'gif640', CaseFigures>>;
  sharp: Partial<Record<'jpeg1024' | 'jpeg4000' | 'png1024' | 'gif640', CaseFigures>>;
  go: Partial<Record<'jpeg1024' | 'jpeg4000' | 'png1024' | 'gif640', CaseFigures>>;
  rps: { proxy?: number; sharp?: number };
  cache: { proxy?: number; bare?: number; connections: number };
  gifSourceBytes: number;
  peakRssBytes?: number;
}

function times(a: number | undefined, b: number | undefined, unit: string, who: string, digits = 2): string {
  const r = ratio(a, b);
  return `${fmt(r, digits)}× ${who} (${fmt(a)} vs ${fmt(b)} ${unit})`;
}

/**
 * issueGoals returns the rows of issue #15's goals table that the engines' run measures, in the
 * issue's order; the first-answer row comes from the cold-start section (firstAnswerGoal).
 */
export function issueGoals(g: GoalInputs): GoalRow[] {
  const rows: GoalRow[] = [];
  const lat = (name: string, p?: number, ref?: number, limit = 1, who = 'sharp') =>
    rows.push({ name, value: ratio(p, ref), limit, kind: 'atMost', show: times(p, ref, 'ms', who), goal: `≤ ${limit}× ${who}` });
  lat('JPEG 1024x683 → 500w, median latency', g.proxy.jpeg1024?.median, g.sharp.jpeg1024?.median, 1.3);
  lat('JPEG 4000x2667 → 500w, median latency', g.proxy.jpeg4000?.median, g.sharp.jpeg4000?.median, 1.5);
  rows.push({
    name: 'JPEG 1024 → 300..700w, throughput at c=4', value: ratio(g.rps.proxy, g.rps.sharp), limit: 0.8, kind: 'atLeast',
    show: `${fmt(ratio(g.rps.proxy, g.rps.sharp), 2)}× sharp (${fmt(g.rps.proxy, 1)} vs ${fmt(g.rps.sharp, 1)} req/s)`, goal: '≥ 0.8× sharp',
  });
  lat('PNG 1024 → 500w (PNG out), median latency', g.proxy.png1024?.median, g.go.png1024?.median, 1.0, 'Go');
  lat('PNG 1024 → 500w (PNG out), median latency', g.proxy.png1024?.median, g.sharp.png1024?.median, 2);
  lat('animated GIF 640x427 ×5 → 500w, median latency', g.proxy.gif640?.median, g.go.gif640?.median, 1.0, 'Go');
  const gb = g.proxy.gif640?.bytes;
  rows.push({
    name: 'animated GIF 640x427 ×5 → 500w, bytes', value: ratio(gb, g.sharp.gif640?.bytes), limit: 1.1, kind: 'atMost',
    show: times(gb, g.sharp.gif640?.bytes, 'B', 'sharp', 3).replace(/(\d+)\.0 vs (\d+)\.0 B/, '$1 vs $2 B'), goal: '≤ 1.1× sharp',
  });
  rows.push({
    name: 'animated GIF 640x427 ×5 → 500w, bytes', value: ratio(gb, g.gifSourceBytes), limit: 1, kind: 'below',
    show: `${fmt(ratio(gb, g.gifSourceBytes), 3)}× the source (${gb ?? 'n/a'} vs ${g.gifSourceBytes} B)`, goal: '< the source',
  });
  rows.push({
    name: `cache hits, ${g.cache.connections} connections`, value: ratio(g.cache.proxy, g.cache.bare), limit: 0.85, kind: 'atLeast',
    show: `${fmt(ratio(g.cache.proxy, g.cache.bare), 2)}× bare (${fmt(g.cache.proxy, 0)} vs ${fmt(g.cache.bare, 0)} req/s)`, goal: '≥ 0.85× bare node:http',
  });
  const pb = g.proxy.jpeg1024?.bytes, gob = g.go.jpeg1024?.bytes;
  rows.push({ name: 'JPEG 1024 → 500w output bytes (kept)', value: ratio(pb, gob), limit: 1.1, kind: 'atMost', show: `${fmt(ratio(pb, gob), 3)}× Go (${pb ?? 'n/a'} vs ${gob ?? 'n/a'} B)`, goal: '≤ 1.1× Go' });
  const pp = g.proxy.jpeg1024?.psnr, gp = g.go.jpeg1024?.psnr;
  rows.push({ name: 'JPEG 1024 → 500w PSNR (kept)', value: (pp ?? NaN) - (gp ?? NaN), limit: 0, kind: 'atLeast', show: `${fmt(pp, 2)} vs Go ${fmt(gp, 2)} dB`, goal: '≥ Go' });
  const mib = (g.peakRssBytes ?? NaN) / 2 ** 20;
  rows.push({ name: 'peak RSS (uncached bench run; `npm run load` has its own)', value: mib, limit: 512, kind: 'below', show: `${fmt(mib, 0)} MiB`, goal: '< 512 MiB' });
  return rows;
}

/** FIRST_ANSWER_GOAL is the issue's cold-start goal: the first transform within 2x the Go reference's first answer. */
export const FIRST_ANSWER_GOAL = 2;
/** FIRST_ANSWER_NAME is the first-answer row's case, as the issue names it. */
export const FIRST_ANSWER_NAME = 'first transform answered after start';

/**
 * firstAnswerGoal is the goal row of the first transform answered after start: proxyMs and goMs
 * are each engine's median over fresh processes measured in one run (undefined = not measured).
 */
export function firstAnswerGoal(proxyMs: number | undefined, goMs: number | undefined): GoalRow {
  return {
    name: FIRST_ANSWER_NAME, value: ratio(proxyMs, goMs), limit: FIRST_ANSWER_GOAL, kind: 'atMost',
    show: proxyMs === undefined ? `not measured (Go ${fmt(goMs, 0)} ms)` : `${fmt(ratio(proxyMs, goMs), 2)}× Go (${fmt(proxyMs, 0)} vs ${fmt(goMs, 0)} ms)`,
    goal: `≤ ${FIRST_ANSWER_GOAL}× Go`,
  };
}

/**
 * ISSUE_ORDER lists the goal cases in the order of issue #15's table; orderGoals puts rows from
 * the engines and from the sections into it.
 */
const ISSUE_ORDER = [
  'JPEG 1024x683 → 500w', 'JPEG 4000x2667 → 500w', 'JPEG 1024 → 300..700w', 'PNG 1024 → 500w', 'animated GIF',
  FIRST_ANSWER_NAME, 'cache hits', 'JPEG 1024 → 500w output bytes', 'JPEG 1024 → 500w PSNR', 'peak RSS',
];

/**
 * orderGoals returns rows sorted into the issue's order (ISSUE_ORDER, matched by the start of the
 * case), keeping the given order among equals; rows of other goals (formats, colour, fleet) follow.
 */
export function orderGoals(rows: GoalRow[]): GoalRow[] {
  const rank = (r: GoalRow): number => {
    const i = ISSUE_ORDER.findIndex((p) => r.name.startsWith(p));
    return i < 0 ? ISSUE_ORDER.length : i;
  };
  return rows.map((r, i) => ({ r, i, k: rank(r) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r);
}

/** goalsTable renders rows as Markdown with a status column, and counts the goals met. */
export function goalsTable(rows: GoalRow[]): { markdown: string; met: number; total: number } {
  const verdicts: Verdict[] = rows.map((r) => verdict(r.value, r.limit, r.kind));
  const met = verdicts.filter((v) => v === 'met').length;
  const md = table(['case', 'measured', 'goal', 'status'], rows.map((r, i) => [r.name, r.show, r.goal, `**${verdicts[i]}**`]));
  return { markdown: `${md}\n\n${met} of ${rows.length} goals met (n/a = an engine was skipped or failed).`, met, total: rows.length };
}
