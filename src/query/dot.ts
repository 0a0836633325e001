/** Graphviz DOT rendering of process graphs. */
import type { BootNs } from '../events/types.js';
import type { ProcessNode } from '../caches/process-model.js';
import { executableAt, nameAt } from './process-view.js';

/** Quote a string as a DOT ID (escapes quotes and backslashes, keeps newlines as `\n`). */
export function dotQuote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n') + '"';
}

function label(node: ProcessNode, at: BootNs): string {
  const path = executableAt(node, at)?.path ?? '';
  return `${node.pid} ${nameAt(node, at)}` + (path === '' ? '' : `\n${path}`);
}

/**
 * A lineage (process first, oldest ancestor last) as a DOT digraph with parent → child
 * edges, the oldest ancestor at the top. The queried process is drawn bold.
 */
export function lineageToDot(chain: readonly ProcessNode[], at: BootNs): string {
  const lines = ['digraph lineage {', '  rankdir=TB;', '  node [shape=box, fontname="monospace"];'];
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i] as ProcessNode;
    const style = i === 0 ? ', style=bold' : '';
    lines.push(`  ${dotQuote(n.key)} [label=${dotQuote(label(n, at))}${style}];`);
  }
  for (let i = chain.length - 1; i > 0; i--) {
    lines.push(`  ${dotQuote((chain[i] as ProcessNode).key)} -> ${dotQuote((chain[i - 1] as ProcessNode).key)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
