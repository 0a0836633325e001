/** The `Time` scalar: parses API times to exact epoch ns (bigint), prints RFC 3339. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { type EpochNs, formatTime, parseTime } from '../../query/time.js';

function parseOrThrow(v: unknown): EpochNs {
  const t = typeof v === 'string' ? parseTime(v) : undefined;
  if (t === undefined) {
    throw new GraphQLError(
      `Invalid Time ${JSON.stringify(v)}: expected RFC 3339 with up to 9 fractional digits, or epoch nanoseconds`,
      { extensions: { code: 'PT_INVALID_TIME' } },
    );
  }
  return t;
}

/** `scalar Time`: input RFC 3339 or epoch-ns digits → bigint epoch ns; output string. */
export const TimeScalar = new GraphQLScalarType<EpochNs, string>({
  name: 'Time',
  description: 'RFC 3339 with nanoseconds (output always UTC, 9 fractional digits); input also epoch ns digits',
  serialize(v: unknown): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'bigint') return formatTime(v);
    throw new GraphQLError('Time cannot represent a non-time value');
  },
  parseValue: parseOrThrow,
  parseLiteral(ast: ValueNode): EpochNs {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseOrThrow(ast.value);
    throw new GraphQLError('Time must be a string', { nodes: [ast], extensions: { code: 'PT_INVALID_TIME' } });
  },
});
