import t from 'tap';
import { existsSync } from 'node:fs';
import { LAYOUT, assertLayout, layoutDifferences } from '../../src/events/layout.js';
import { DEFAULT_ADDON_PATH, loadAddon } from '../../src/sources/ebpf.js';
import { skipUnless } from '../helpers/capability.js';

const skip = skipUnless(existsSync(DEFAULT_ADDON_PATH), `addon not built (${DEFAULT_ADDON_PATH}); run scripts/build-native`);

t.test('addon layout() equals the TypeScript offsets', { skip }, async (t) => {
  const actual = loadAddon().layout();
  t.same(layoutDifferences(actual), []);
  t.doesNotThrow(() => assertLayout(actual));
});

t.test('drift is reported field by field', async (t) => {
  const drifted = JSON.parse(JSON.stringify(LAYOUT)) as { pt_exec: { sizeof: number; offsets: Record<string, number> } };
  drifted.pt_exec.offsets.argv = 400;
  drifted.pt_exec.sizeof = 912;
  const diffs = layoutDifferences(drifted);
  t.match(diffs, ['pt_exec: sizeof addon 912, TypeScript 904', 'pt_exec.argv: offset addon 400, TypeScript 392']);
  t.throws(() => assertLayout(drifted), /disagree/);
  t.throws(() => assertLayout({}), /pt_header: missing/);
});

t.test('every struct is 8-byte aligned', async (t) => {
  for (const [name, s] of Object.entries(LAYOUT)) {
    if (name === 'constants') continue;
    t.equal((s as { sizeof: number }).sizeof % 8, 0, name);
  }
});
