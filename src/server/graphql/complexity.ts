/**
 * A validation rule bounding the work one GraphQL query can ask for. Each field costs 1;
 * a list field multiplies its selection's cost by its size argument (`first`,
 * `maxDepth`, `limit`: the literal, else the argument's default, else `listSize`).
 * Mercurius' queryDepth bounds nesting; this bounds fan-out (children of children...).
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLNamedType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ASTVisitor,
} from 'graphql';

const SIZE_ARGS = ['first', 'maxDepth', 'limit'];
/** Beyond this nesting the cost is "infinite" (queryDepth rejects such queries anyway). */
const MAX_NESTING = 64;

/** Cost multiplier of a list field from its size argument. */
function listSize(field: FieldNode, defs: ReadonlyArray<{ name: string; defaultValue: unknown }>, fallback: number): number {
  for (const name of SIZE_ARGS) {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (arg !== undefined) {
      if (arg.value.kind === Kind.INT) return Math.max(1, Number(arg.value.value));
      return fallback * 10; // a variable: unknown at validation, assume large
    }
    const def = defs.find((d) => d.name === name);
    if (def !== undefined && typeof def.defaultValue === 'number') return Math.max(1, def.defaultValue);
  }
  return fallback;
}

/** What a cost walk of one operation shares. */
interface Walk {
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly ctx: ValidationContext;
  readonly fallback: number;
  /** Cost of a fragment spread at a nesting level, by `name@nesting`: a fragment spread many times is walked once per level, not once per spread. */
  readonly memo: Map<string, number>;
  /** Fragments being walked on the current path: spreading one again is a cycle. */
  readonly open: Set<string>;
}

function selectionCost(set: SelectionSetNode, type: GraphQLNamedType, w: Walk, nesting: number): number {
  if (nesting > MAX_NESTING) return Infinity;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      cost += 1;
      if (sel.selectionSet === undefined || sel.name.value.startsWith('__')) continue;
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      const def = type.getFields()[sel.name.value];
      if (def === undefined) continue; // unknown fields are reported by the spec rules
      const inner = selectionCost(sel.selectionSet, getNamedType(def.type), w, nesting + 1);
      const n = isListType(getNullableType(def.type)) ? listSize(sel, def.args, w.fallback) : 1;
      cost += inner * n;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const cond = sel.typeCondition === undefined ? type : w.ctx.getSchema().getType(sel.typeCondition.name.value);
      if (cond) cost += selectionCost(sel.selectionSet, cond, w, nesting + 1);
    } else {
      cost += spreadCost(sel.name.value, w, nesting);
    }
    if (cost === Infinity) return cost;
  }
  return cost;
}

/** Cost of spreading fragment `name` at `nesting`; a cycle costs Infinity (the spec rules name it). */
function spreadCost(name: string, w: Walk, nesting: number): number {
  const frag = w.fragments.get(name);
  if (frag === undefined) return 0;
  if (w.open.has(name)) return Infinity;
  const key = `${name}@${nesting}`;
  let cost = w.memo.get(key);
  if (cost === undefined) {
    const cond = w.ctx.getSchema().getType(frag.typeCondition.name.value);
    w.open.add(name);
    cost = cond ? selectionCost(frag.selectionSet, cond, w, nesting + 1) : 0;
    w.open.delete(name);
    w.memo.set(key, cost);
  }
  return cost;
}

/** Build the rule: reject operations costing more than `limit`. */
export function complexityRule(limit: number, fallbackListSize = 10): (ctx: ValidationContext) => ASTVisitor {
  return (ctx) => ({
    OperationDefinition(op) {
      const schema = ctx.getSchema();
      const root =
        op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      if (!root) return;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of ctx.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      const cost = selectionCost(op.selectionSet, root, { fragments, ctx, fallback: fallbackListSize, memo: new Map(), open: new Set() }, 0);
      if (cost > limit) {
        ctx.reportError(
          new GraphQLError(`Query complexity ${cost} exceeds the limit of ${limit}`, {
            nodes: [op],
            extensions: { code: 'PT_GRAPHQL_TOO_COMPLEX' },
          }),
        );
      }
    },
  });
}
