/**
 * Extra bench sections: other bench files (formats, fleet, colour, cold start...) plug into
 * `npm run bench` through one line each in bench/run.ts's EXTRA_SECTIONS. Each is a module under
 * dist/bench/ exporting `run(ctx)`; its Markdown is printed under its title and its goal rows join
 * the goals table.
 */
import type { Server } from './origin.js';
import type { GoalRow } from './goals.js';

/** SectionContext is what a section may use: the running origin and how to start the proxy. */
export interface SectionContext {
  origin: Server;
  /** The proxy CLI script (dist/cli/imageproxy.js or --proxy). */
  proxyScript: string;
  /** Extra proxy flags from --proxy-args. */
  proxyArgs: string[];
  /** The built Go reference binary, when there is one. */
  goBinary?: string;
  /** Whether the run wants the reference engines (false after --no-go, --no-sharp). */
  engines: { go: boolean; sharp: boolean };
  /** The run's --runs: timed repetitions per case, for sections that repeat (each may cap it). */
  runs: number;
  /** Whether the run writes bench/RESULTS.md (false after --no-write). */
  write: boolean;
  /** log writes a progress line to stderr. */
  log(msg: string): void;
  /** note adds a line under "Notes". */
  note(msg: string): void;
}

/** SectionResult is what a section reports. */
export interface SectionResult {
  markdown?: string;
  goals?: GoalRow[];
}

/** SectionModule is the shape of an extra section's module. */
export interface SectionModule {
  run(ctx: SectionContext): Promise<SectionResult>;
}

/** ExtraSection names one extra section: its title and its module, relative to dist/bench/run.js. */
export interface ExtraSection {
  title: string;
  module: string;
}

/**
 * pickSections keeps the sections whose title contains one of the comma-separated, case-insensitive
 * words of `only` (all of them when `only` is empty).
 */
export function pickSections(list: ExtraSection[], only: string): ExtraSection[] {
  const words = only.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
  return words.length === 0 ? list : list.filter((s) => words.some((w) => s.title.toLowerCase().includes(w)));
}

/** runSections imports and runs each section in turn; a failing one becomes a note. */
export async function runSections(list: ExtraSection[], ctx: SectionContext, base: string): Promise<Array<{ title: string } & SectionResult>> {
  const out: Array<{ title: string } & SectionResult> = [];
  for (const s of list) {
    try {
      const mod = (await import(new URL(s.module, base).href)) as SectionModule;
      ctx.log(`section ${s.title}`);
      out.push({ title: s.title, ...(await mod.run(ctx)) });
    } catch (err) {
      ctx.note(`section "${s.title}" failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 300)}`);
    }
  }
  return out;
}
