/**
 * Streaming renderers of a lineage report: JSON, Graphviz DOT and Markdown. Each yields
 * the document piece by piece (one piece per process) and `chunked` batches pieces into
 * ~64 KiB strings, so a 100 000-process report never exists as one string: the HTTP
 * route pipes the chunks into the socket, the CLI into stdout.
 */
import type { ContainerReader } from './container-view.js';
import type { LineageReport, ReportFormat } from './report.js';
import { type ReportProcessDto, reportProcessDto } from './report-dto.js';
import { type Clock, formatBoot } from './time.js';
import { dotQuote } from './dot.js';

/** The filters as the user wrote them (echoed in every format). */
export interface ReportFilterEcho {
  root: string | null;
  container: string | null;
  name: string | null;
}

/** Everything a renderer needs. */
export interface RenderInput {
  readonly report: LineageReport;
  readonly clock: Clock;
  readonly filters: ReportFilterEcho;
  readonly containers?: ContainerReader;
}

/** Content type of each format. */
export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = Object.freeze({
  json: 'application/json; charset=utf-8',
  dot: 'text/vnd.graphviz; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
});

/** Render `input` in `format`, piece by piece. */
export function renderReport(format: ReportFormat, input: RenderInput): Generator<string> {
  switch (format) {
    case 'json': return renderJson(input);
    case 'dot': return renderDot(input);
    case 'md': return renderMarkdown(input);
  }
}

/** Batch small pieces into strings of at least `size` characters (the last may be shorter). */
export function* chunked(pieces: Iterable<string>, size = 65536): Generator<string> {
  let buf: string[] = [];
  let len = 0;
  for (const p of pieces) {
    buf.push(p);
    len += p.length;
    if (len >= size) {
      yield buf.join('');
      buf = [];
      len = 0;
    }
  }
  if (len > 0) yield buf.join('');
}

function* dtos(input: RenderInput): Generator<ReportProcessDto> {
  const to = input.report.selection.to;
  for (const e of input.report.entries()) yield reportProcessDto(input.clock, e, to, input.containers);
}

interface Tally {
  exited: number;
  reparented: number;
}

function tally(t: Tally, d: ReportProcessDto): void {
  if (d.exitTime !== null) t.exited++;
  if (d.parents.length > 1) t.reparented++;
}

function rangeEcho(input: RenderInput): { from: string; fromNs: string; to: string; toNs: string } {
  const { from, to } = input.report.selection;
  const off = input.clock.bootToEpochNs;
  return { from: formatBoot(input.clock, from), fromNs: (from + off).toString(), to: formatBoot(input.clock, to), toNs: (to + off).toString() };
}

/**
 * JSON (schema `LineageReport` in openapi.yaml): the header fields, `processes` in forest
 * order (each item one line), then `summary`.
 */
export function* renderJson(input: RenderInput): Generator<string> {
  const head = { ...rangeEcho(input), filters: input.filters };
  yield JSON.stringify(head).slice(0, -1) + ',"processes":[';
  const t: Tally = { exited: 0, reparented: 0 };
  let first = true;
  for (const d of dtos(input)) {
    tally(t, d);
    yield (first ? '\n' : ',\n') + JSON.stringify(d);
    first = false;
  }
  const summary = { processes: input.report.size, roots: input.report.roots, exited: t.exited, reparented: t.reparented };
  yield `\n],"summary":${JSON.stringify(summary)}}\n`;
}

/** Time of day with ns, for compact labels (the date is in the graph label). */
function clockTime(iso: string): string {
  return iso.slice(11);
}

const MAX_LABEL_EXECS = 4;

/**
 * Graphviz DOT: one box per process (exited ones grey and dashed), a solid edge to the
 * parent it hangs under, a dashed labelled edge for each later parent (re-parenting).
 * Edges to processes outside the report are left out.
 */
export function* renderDot(input: RenderInput): Generator<string> {
  const r = rangeEcho(input);
  const f = input.filters;
  const filt = [f.root && `root=${f.root}`, f.container && `container=${f.container}`, f.name && `name=${f.name}`].filter(Boolean).join(' ');
  yield 'digraph lineage {\n';
  yield `  graph [rankdir=LR, labelloc=t, fontname="monospace", label=${dotQuote(`proctrail lineage [${r.from}, ${r.to})${filt ? ' ' + filt : ''}`)}];\n`;
  yield '  node [shape=box, fontname="monospace", fontsize=10];\n';
  yield '  edge [fontname="monospace", fontsize=9];\n';
  for (const d of dtos(input)) {
    const lines = [`${d.pid} ${d.name}`];
    if (d.executable !== null) lines.push(d.executable);
    lines.push(`start ${clockTime(d.startTime)}`);
    if (d.exitTime !== null) {
      const how = d.exitSignal !== null ? `signal ${d.exitSignal}` : d.exitCode !== null ? `code ${d.exitCode}` : 'status ?';
      lines.push(`exit ${clockTime(d.exitTime)} ${how}`);
    }
    if (d.container !== null) lines.push(`container ${d.container.name ?? d.container.id.slice(0, 12)}`);
    const execs = d.execs.slice(-MAX_LABEL_EXECS);
    if (d.execs.length > execs.length) lines.push(`(${d.execs.length - execs.length} earlier execs)`);
    for (const x of execs) lines.push(`exec ${clockTime(x.time)} ${x.path}`);
    const style = d.exitTime !== null ? ', style=dashed, color=gray40, fontcolor=gray40' : '';
    let out = `  ${dotQuote(d.key)} [label=${dotQuote(lines.join('\n'))}${style}];\n`;
    d.parents.forEach((p, i) => {
      if (!input.report.has(p.key)) return;
      out += i === 0
        ? `  ${dotQuote(p.key)} -> ${dotQuote(d.key)};\n`
        : `  ${dotQuote(p.key)} -> ${dotQuote(d.key)} [style=dashed, label=${dotQuote(`re-parented ${clockTime(p.since)}`)}];\n`;
    });
    yield out;
  }
  yield '}\n';
}

/** Escape Markdown inline specials in plain text. */
export function mdText(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]/g, '\\$&');
}

/** A Markdown code span that survives backticks and newlines in the text. */
export function mdCode(s: string): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ');
  if (flat === '') return '``';
  let fence = '`';
  while (flat.includes(fence)) fence += '`';
  const pad = flat.startsWith('`') || flat.endsWith('`') || fence.length > 1 ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Nesting deeper than this is flattened (with an explicit depth) so lines stay short. */
const MAX_MD_INDENT = 32;

/** Markdown: a heading with the range, then the forest as a nested bullet list. */
export function* renderMarkdown(input: RenderInput): Generator<string> {
  const r = rangeEcho(input);
  const f = input.filters;
  const filt = [f.root && `root=${mdCode(f.root)}`, f.container && `container=${mdCode(f.container)}`, f.name && `name=${mdCode(f.name)}`]
    .filter(Boolean)
    .join(', ');
  yield '# Process lineage\n\n';
  yield `- **From:** ${r.from}\n- **To:** ${r.to} (exclusive)\n- **Filters:** ${filt || 'none'}\n`;
  yield `- **Processes:** ${input.report.size} in ${input.report.roots} tree${input.report.roots === 1 ? '' : 's'}\n\n`;
  const t: Tally = { exited: 0, reparented: 0 };
  for (const d of dtos(input)) {
    tally(t, d);
    const indent = '  '.repeat(Math.min(d.depth, MAX_MD_INDENT));
    const deep = d.depth > MAX_MD_INDENT ? ` (depth ${d.depth})` : '';
    const parts: string[] = [];
    const cmd = d.argv.length > 0 ? d.argv.join(' ') : d.executable;
    let line = `${indent}- **${d.pid} ${mdText(d.name)}**${deep}${cmd ? ' ' + mdCode(cmd) : ''}`;
    parts.push(`key ${mdCode(d.key)}`);
    if (d.depth === 0 && d.parentKey !== null) parts.push(`parent ${mdCode(d.parentKey)}${d.parentInReport ? '' : ' (not in report)'}`);
    parts.push(`started ${d.startTime}`);
    if (d.exitTime !== null) {
      const how = d.exitSignal !== null ? `signal ${d.exitSignal}` : d.exitCode !== null ? `code ${d.exitCode}` : 'status unknown';
      parts.push(`exited ${d.exitTime} (${how})`);
    } else parts.push('alive at end');
    if (d.container !== null) parts.push(`container ${mdText(d.container.name ?? '')}${d.container.name ? ' ' : ''}${mdCode(d.container.id.slice(0, 12))}`);
    for (const p of d.parents.slice(1)) parts.push(`re-parented to ${mdCode(p.key)} at ${p.since}`);
    if (d.execs.length > 0) parts.push('execs: ' + d.execs.map((x) => `${mdCode(x.path)} at ${x.time}`).join(', '));
    line += ' — ' + parts.join(' · ') + '\n';
    yield line;
  }
  if (input.report.size === 0) yield '_No process was alive in this range._\n';
  yield `\n${t.exited} exited in the range, ${t.reparented} re-parented.\n`;
}
