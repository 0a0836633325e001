/** Option parsing shared by the commands: node's parseArgs plus typed, validated getters. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A user error: printed without a stack, exit code 2 by default. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed options: values by long name, and positionals. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Parse argv with `options`; `--help` prints `help` and returns undefined. */
export function parse(argv: readonly string[], options: OptionSpec, help: string, positionals = false): Parsed | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${help}`);
  }
  if (parsed.values.help) {
    process.stdout.write(help);
    return undefined;
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** A non-negative integer option (or the default), with a clear error otherwise. */
export function intOption(values: Record<string, unknown>, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v) || n < min || n > max) throw new CliError(`--${name} must be an integer between ${min} and ${max}, got '${String(v)}'`);
  return n;
}

/** A string option (or the default). */
export function strOption(values: Record<string, unknown>, name: string, dflt: string): string {
  const v = values[name];
  return typeof v === 'string' ? v : dflt;
}
