// proctrail lineage page: plain JS, no build step. Talks only to the public GraphQL API
// (/graphql); what it can show beyond processes (containers, DNS) it learns by introspection.
'use strict';

const $ = (id) => document.getElementById(id);
const STEPS = 1000;
const state = {
  input: '', // what was searched
  mode: 'pid', // pid | key | container
  focusKey: null,
  minNs: null, maxNs: null, // slider range (epoch ns, BigInt)
  atNs: null, // null: now
  selected: null,
  schema: { processFields: new Map(), queryFields: new Map(), types: new Map() },
  lastQuery: '', lastVariables: {},
};

const SUMMARY = 'key pid name alive startTime startTimeNs exitTime exitCode executable { path } argv';

async function gql(query, variables) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

function typeName(t) {
  while (t && !t.name) t = t.ofType;
  return t ? t.name : null;
}

/** Learn optional fields (container, DNS) from the schema. */
async function introspect() {
  const d = await gql(`{ __schema { queryType { fields { name args { name } type { kind name ofType { kind name ofType { kind name } } } } }
    types { name kind fields { name args { name type { kind name ofType { kind name } } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`);
  for (const t of d.__schema.types) if (t.fields) state.schema.types.set(t.name, t.fields);
  for (const f of d.__schema.queryType.fields) state.schema.queryFields.set(f.name, f);
  for (const f of state.schema.types.get('Process') || []) state.schema.processFields.set(f.name, f);
}

/** Scalar sub-selection of an object type (one level), for fields we only know by introspection. */
function scalarSelection(type) {
  const fields = state.schema.types.get(type) || [];
  const names = fields.filter((f) => (f.args || []).length === 0 && !state.schema.types.has(typeName(f.type))).map((f) => f.name);
  return names.length ? `{ ${names.slice(0, 12).join(' ')} }` : null;
}

/** Extra Process fields the schema may offer: its container and its DNS questions. */
function optionalProcessSelections() {
  const out = [];
  for (const [name, f] of state.schema.processFields) {
    if ((f.args || []).some((a) => a.type && a.type.kind === 'NON_NULL')) continue;
    const isContainer = /^container$/i.test(name);
    const isDns = /^dns|Dns/.test(name); // not pidNsId
    if (!isContainer && !isDns) continue;
    const t = typeName(f.type);
    if (!state.schema.types.has(t)) out.push({ name, sel: name });
    else {
      const sub = scalarSelection(t);
      if (sub) out.push({ name, sel: `${name} ${sub}` });
    }
  }
  return out;
}

function lineageQuery() {
  return `query Lineage($pid: Int, $key: String, $at: Time) {
  process(pid: $pid, key: $key, at: $at) {
    ${SUMMARY} atNs
    parent { key }
    ancestors(maxDepth: 64) { ${SUMMARY} }
    descendants(maxDepth: 6, first: 300) { ${SUMMARY} parent { key } }
  }
}`;
}

function containerQuery() {
  const q = state.schema.queryFields;
  if (q.has('processes') && q.get('processes').args.some((a) => a.name === 'container')) {
    return `query ContainerProcesses($container: String!, $at: Time) {
  processes(container: $container, at: $at, state: ALL, first: 300) {
    nodes { ${SUMMARY} parent { key } ancestors(maxDepth: 64) { ${SUMMARY} } }
  }
}`;
  }
  return null;
}

function detailQuery() {
  const extra = optionalProcessSelections().map((o) => o.sel).join('\n    ');
  return `query ProcessDetails($key: String!, $at: Time) {
  process(key: $key, at: $at) {
    ${SUMMARY} uid gid cgroupId nsPid origin exitSignal
    parent { key pid name }
    execHistory { time path argv }
    threads { tid name }
    ${extra}
  }
}`;
}

function setStatus(text, error) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!error);
}

function graphiqlHref(query, variables) {
  const p = new URLSearchParams({ query, variables: JSON.stringify(variables, null, 2) });
  return `/graphiql?${p}`;
}

function showQuery(query, variables) {
  state.lastQuery = query;
  state.lastVariables = variables;
  $('query-text').textContent = `${query}\n\nvariables: ${JSON.stringify(variables)}`;
  $('graphiql-link').href = graphiqlHref(query, variables);
}

function fmtNs(ns) {
  const ms = Number(ns / 1000000n);
  const frac = (ns % 1000000000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

function baseName(p) {
  return p ? p.slice(p.lastIndexOf('/') + 1) : '';
}

// --- graph ----------------------------------------------------------------------------

const cy = cytoscape({
  container: $('graph'),
  wheelSensitivity: 0.3,
  style: [
    { selector: 'node', style: {
      'background-color': '#2563eb', label: 'data(label)', color: '#1d232a', 'font-size': 11,
      'text-valign': 'bottom', 'text-margin-y': 4, 'text-wrap': 'wrap', width: 18, height: 18 } },
    { selector: 'node.dead', style: { 'background-color': '#9aa3ad' } },
    { selector: 'node.focus', style: { 'background-color': '#dc2626', width: 26, height: 26, 'font-weight': 'bold' } },
    { selector: 'node.ancestor', style: { shape: 'round-rectangle' } },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#f59e0b' } },
    { selector: 'edge', style: {
      width: 1.5, 'line-color': '#b6bec8', 'target-arrow-color': '#b6bec8', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
  ],
});
window.proctrailUi = { cy, state };

function nodeLabel(p) {
  const exe = p.executable ? baseName(p.executable.path) : '';
  return `${p.name} ${p.pid}` + (exe && exe !== p.name ? `\n${exe}` : '');
}

function draw(nodes, edges, roots) {
  cy.elements().remove();
  const els = [];
  for (const [key, n] of nodes) {
    els.push({ group: 'nodes', data: { id: key, label: nodeLabel(n.p), p: n.p }, classes: n.classes.join(' ') });
  }
  for (const [from, to] of edges) if (nodes.has(from) && nodes.has(to)) els.push({ group: 'edges', data: { id: `${from}>${to}`, source: from, target: to } });
  cy.add(els);
  cy.layout({ name: 'breadthfirst', directed: true, roots: roots.filter((r) => nodes.has(r)), spacingFactor: 1.1, animate: false }).run();
  cy.fit(undefined, 30);
}

function renderList(chain, focusKey, descendants) {
  const ol = $('lineage');
  ol.textContent = '';
  const add = (p, cls, indent) => {
    const li = document.createElement('li');
    li.dataset.key = p.key;
    li.className = cls + (p.alive ? '' : ' dead');
    li.textContent = `${'  '.repeat(indent)}${p.pid} ${p.name} ${p.executable ? p.executable.path : '?'}${p.alive ? '' : ' (exited)'}`;
    li.addEventListener('click', () => select(p.key));
    ol.appendChild(li);
  };
  for (const p of chain) add(p, p.key === focusKey ? 'focus' : 'ancestor', 0);
  for (const d of descendants) add(d, 'descendant', 1);
}

/** Draw what `process(...)` answered: ancestors above, descendants below. */
function renderLineage(proc) {
  const nodes = new Map();
  const edges = [];
  const chain = [...proc.ancestors].reverse(); // root first
  for (const a of chain) nodes.set(a.key, { p: a, classes: ['ancestor', a.alive ? '' : 'dead'] });
  for (let i = 0; i + 1 < chain.length; i++) edges.push([chain[i].key, chain[i + 1].key]);
  nodes.set(proc.key, { p: proc, classes: ['focus', proc.alive ? '' : 'dead'] });
  if (proc.ancestors.length) edges.push([proc.ancestors[0].key, proc.key]);
  for (const d of proc.descendants) {
    nodes.set(d.key, { p: d, classes: [d.alive ? '' : 'dead'] });
    if (d.parent) edges.push([d.parent.key, d.key]);
  }
  draw(nodes, edges, [chain.length ? chain[0].key : proc.key]);
  renderList([...chain, proc].reverse(), proc.key, proc.descendants);
}

function renderContainer(list) {
  const nodes = new Map();
  const edges = [];
  const roots = new Set();
  for (const p of list) {
    const chain = [...p.ancestors].reverse();
    for (const a of chain) if (!nodes.has(a.key)) nodes.set(a.key, { p: a, classes: ['ancestor', a.alive ? '' : 'dead'] });
    if (chain.length) roots.add(chain[0].key); else roots.add(p.key);
    for (let i = 0; i + 1 < chain.length; i++) edges.push([chain[i].key, chain[i + 1].key]);
    nodes.set(p.key, { p, classes: ['focus', p.alive ? '' : 'dead'] });
    if (p.parent) edges.push([p.parent.key, p.key]);
  }
  draw(nodes, edges, [...roots]);
  renderList(list, null, []);
}

// --- details --------------------------------------------------------------------------

function dl(pairs) {
  const d = document.createElement('dl');
  for (const [k, v] of pairs) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v === null || v === undefined ? '—' : String(v);
    d.append(dt, dd);
  }
  return d;
}

function table(headers, rows) {
  const t = document.createElement('table');
  const tr = document.createElement('tr');
  for (const h of headers) { const th = document.createElement('th'); th.textContent = h; tr.appendChild(th); }
  t.appendChild(tr);
  for (const r of rows) {
    const row = document.createElement('tr');
    for (const c of r) { const td = document.createElement('td'); td.textContent = c; row.appendChild(td); }
    t.appendChild(row);
  }
  return t;
}

function flat(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'object') return String(v);
  return Object.entries(v).map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : x}`).join(' ');
}

async function select(key) {
  state.selected = key;
  const variables = { key, at: state.atNs === null ? null : state.atNs.toString() };
  const query = detailQuery();
  let p;
  try {
    p = (await gql(query, variables)).process;
  } catch (e) {
    $('details').textContent = `Error: ${e.message}`;
    return;
  }
  const box = $('details');
  box.textContent = '';
  if (!p) { box.textContent = `No process ${key} at that time.`; return; }
  const h = document.createElement('h2');
  h.textContent = `${p.name} (pid ${p.pid})`;
  box.appendChild(h);
  box.appendChild(dl([
    ['key', p.key], ['executable', p.executable ? p.executable.path : null], ['argv', p.argv.join(' ')],
    ['started', p.startTime], ['exited', p.exitTime], ['exit code', p.exitCode], ['signal', p.exitSignal],
    ['parent', p.parent ? `${p.parent.pid} ${p.parent.name} (${p.parent.key})` : null],
    ['uid/gid', `${p.uid ?? '?'}/${p.gid ?? '?'}`], ['cgroup', p.cgroupId], ['ns pid', p.nsPid], ['origin', p.origin],
    ['threads', p.threads.map((t) => `${t.tid} ${t.name}`).join(', ')],
  ]));
  const eh = document.createElement('h2'); eh.textContent = 'Exec history'; box.appendChild(eh);
  box.appendChild(table(['time', 'path', 'argv'], p.execHistory.map((e) => [e.time.slice(11), e.path, e.argv.join(' ')])));
  for (const o of optionalProcessSelections()) {
    const v = p[o.name];
    const sh = document.createElement('h2'); sh.textContent = o.name; box.appendChild(sh);
    if (Array.isArray(v)) box.appendChild(table(['entry'], v.slice(0, 50).map((x) => [flat(x)])));
    else box.appendChild(dl([[o.name, flat(v)]]));
  }
  const a = document.createElement('a');
  a.href = graphiqlHref(query, variables); a.target = '_blank'; a.textContent = 'this query in GraphiQL';
  box.appendChild(a);
}

// --- search and time ------------------------------------------------------------------

function parseInput(s) {
  s = s.trim();
  if (/^\d+$/.test(s)) return { mode: 'pid', vars: { pid: Number(s) } };
  if (/^\d+@\d+$/.test(s)) return { mode: 'key', vars: { key: s } };
  return { mode: 'container', vars: { container: s } };
}

async function load(resetRange) {
  const parsed = parseInput(state.input);
  state.mode = parsed.mode;
  const at = state.atNs === null ? null : state.atNs.toString();
  if (parsed.mode === 'container') {
    const q = containerQuery();
    if (!q) { setStatus('This server\'s schema has no container queries yet.', true); return; }
    const variables = { ...parsed.vars, at };
    showQuery(q, variables);
    const list = (await gql(q, variables)).processes.nodes;
    if (!list.length) { setStatus(`No processes in container ${parsed.vars.container}.`, true); cy.elements().remove(); return; }
    renderContainer(list);
    if (resetRange) setRange(list.reduce((m, p) => (BigInt(p.startTimeNs) < m ? BigInt(p.startTimeNs) : m), BigInt(list[0].startTimeNs)), BigInt(Date.now()) * 1000000n);
    setStatus(`${list.length} processes in container ${parsed.vars.container}`);
    return;
  }
  // A pid means "the process with this pid at the moment viewed"; after the first search
  // the page follows that process by key, so moving in time keeps the same process.
  const vars = resetRange || !state.focusKey ? parsed.vars : { key: state.focusKey };
  const variables = { ...vars, at };
  const q = lineageQuery();
  showQuery(q, variables);
  const p = (await gql(q, variables)).process;
  if (!p) { setStatus(`No process ${state.input} known.`, true); cy.elements().remove(); $('lineage').textContent = ''; return; }
  state.focusKey = p.key;
  renderLineage(p);
  if (resetRange) setRange(BigInt(p.startTimeNs), BigInt(p.atNs));
  const atText = state.atNs === null ? 'now' : fmtNs(state.atNs);
  setStatus(`${p.name} (pid ${p.pid}, key ${p.key}) at ${atText}: ${p.ancestors.length} ancestors, ${p.descendants.length} descendants`);
  await select(state.selected && cy.getElementById(state.selected).length ? state.selected : p.key);
}

function setRange(minNs, maxNs) {
  if (maxNs <= minNs) maxNs = minNs + 1000000000n;
  state.minNs = minNs;
  state.maxNs = maxNs;
  const s = $('slider');
  s.value = String(STEPS);
  s.dataset.minNs = minNs.toString();
  s.dataset.maxNs = maxNs.toString();
  $('timebar').hidden = false;
  $('at-label').textContent = `${fmtNs(maxNs)} (now)`;
}

/** Slider position → epoch ns (exact BigInt interpolation). */
function sliderNs(v) {
  return state.minNs + ((state.maxNs - state.minNs) * BigInt(v)) / BigInt(STEPS);
}

let pending = null;
function onSlide(final) {
  const v = Number($('slider').value);
  const ns = v >= STEPS ? null : sliderNs(v);
  $('at-label').textContent = ns === null ? `${fmtNs(state.maxNs)} (now)` : fmtNs(ns);
  clearTimeout(pending);
  pending = setTimeout(() => {
    state.atNs = ns;
    load(false).catch((e) => setStatus(e.message, true));
  }, final ? 0 : 150);
}

$('slider').addEventListener('input', () => onSlide(false));
$('slider').addEventListener('change', () => onSlide(true));
$('now').addEventListener('click', () => { $('slider').value = String(STEPS); onSlide(true); });
$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.input = $('q').value;
  state.atNs = null;
  state.focusKey = null;
  state.selected = null;
  history.replaceState(null, '', `?q=${encodeURIComponent(state.input)}`);
  load(true).catch((e) => setStatus(e.message, true));
});
cy.on('tap', 'node', (ev) => select(ev.target.id()));

introspect().then(() => {
  const q = new URLSearchParams(location.search).get('q');
  if (q) { $('q').value = q; $('search').requestSubmit(); }
  document.body.dataset.ready = '1';
}).catch((e) => setStatus(`Cannot reach the GraphQL API: ${e.message}`, true));
