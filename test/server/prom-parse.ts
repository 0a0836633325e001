/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line
 * must be a HELP, a TYPE, or a sample of a declared family; names, label syntax, escapes
 * and values are checked; histograms must have cumulative buckets ending in +Inf that equal
 * `_count`. Throws with the line number on anything else.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}
export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value ${s}`);
  return Number(s);
}

function parseLabels(body: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: bad labels`);
    const key = body.slice(i, eq);
    if (!LABEL.test(key) || key in out) throw new Error(`line ${line}: bad or repeated label name ${key}`);
    if (body[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const c = body[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = body[j + 1];
        if (n === 'n') v += '\n';
        else if (n === '\\' || n === '"') v += n;
        else throw new Error(`line ${line}: bad escape`);
        j += 2;
      } else {
        v += c;
        j++;
      }
    }
    out[key] = v;
    i = j + 1;
    if (body[i] === ',') i++;
    else if (i !== body.length) throw new Error(`line ${line}: expected , between labels`);
  }
  return out;
}

/** Parse an exposition into families by name. */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('exposition must end with a newline');
  lines.forEach((raw, idx) => {
    const n = idx + 1;
    if (raw === '') return;
    if (raw.startsWith('# HELP ')) {
      const [, , fname = '', ...rest] = raw.split(' ');
      if (!NAME.test(fname) || families.has(fname)) throw new Error(`line ${n}: bad or repeated HELP ${fname}`);
      families.set(fname, { name: fname, type: 'untyped', help: rest.join(' '), samples: [] });
      return;
    }
    if (raw.startsWith('# TYPE ')) {
      const [, , fname, type] = raw.split(' ');
      const f = families.get(fname as string);
      if (f === undefined || !TYPES.has(type as string) || f.samples.length > 0) throw new Error(`line ${n}: TYPE must follow HELP before samples: ${raw}`);
      (f as { type: string }).type = type as string;
      return;
    }
    if (raw.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (m === null) throw new Error(`line ${n}: not a sample: ${raw}`);
    const name = m[1] as string;
    const fam =
      families.get(name) ??
      [...families.values()].find((f) => (f.type === 'histogram' || f.type === 'summary') && /_(bucket|sum|count)$/.test(name) && name.replace(/_(bucket|sum|count)$/, '') === f.name);
    if (fam === undefined) throw new Error(`line ${n}: sample of undeclared family ${name}`);
    const s: Sample = { name, labels: parseLabels(m[2] ?? '', n), value: parseValue(m[3] as string, n) };
    if (fam.type === 'counter' && !(s.value >= 0)) throw new Error(`line ${n}: negative counter`);
    fam.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const groups = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const k = JSON.stringify(rest);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  for (const [k, ss] of groups) {
    const buckets = ss.filter((s) => s.name.endsWith('_bucket'));
    const count = ss.find((s) => s.name.endsWith('_count'));
    if (buckets.at(-1)?.labels.le !== '+Inf') throw new Error(`${f.name} ${k}: last bucket is not +Inf`);
    for (let i = 1; i < buckets.length; i++) if ((buckets[i] as Sample).value < (buckets[i - 1] as Sample).value) throw new Error(`${f.name} ${k}: buckets not cumulative`);
    if (count === undefined || count.value !== buckets.at(-1)?.value) throw new Error(`${f.name} ${k}: _count differs from +Inf bucket`);
  }
}

/** The value of the sample `name{labels}` (exact label match), or undefined. */
export function valueOf(fams: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of fams.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(labels);
      if (keys.every((k) => s.labels[k] === labels[k]) && Object.keys(s.labels).length === keys.length) return s.value;
    }
  }
  return undefined;
}
