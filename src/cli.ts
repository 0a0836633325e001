/**
 * `proctrail` command line: serve | record | replay | lineage | report | stats. Each command lives in
 * src/commands/; this file only dispatches and prints help.
 */
import { CliError } from './commands/args.js';

const COMMANDS = {
  serve: () => import('./commands/serve.js'),
  record: () => import('./commands/record.js'),
  replay: () => import('./commands/replay.js'),
  lineage: () => import('./commands/lineage.js'),
  report: () => import('./commands/report.js'),
  stats: () => import('./commands/stats.js'),
} as const;

const HELP = `proctrail — process, container and DNS history for this Linux host

Usage: proctrail <command> [options]

Commands:
  serve     trace the host (eBPF, or procfs polling when eBPF is unavailable) and serve
            REST (/v1/...), GraphQL (/graphql, GraphiQL at /graphiql) on 127.0.0.1:7421
  record    write the live event stream to an NDJSON file (docs/events.md)
  replay    load an NDJSON recording into the caches and serve or summarize it
  lineage   print the ancestor chain of a pid as an indented tree
  report    lineage report over a time range (Markdown, JSON or Graphviz DOT)
  stats     cache monitor: hit rates, sizes, events and losses (--watch: every second)

Run 'proctrail <command> --help' for the options of a command.
`;

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write('proctrail 0.1.0\n');
    return 0;
  }
  const load = (COMMANDS as Record<string, (() => Promise<{ run(args: readonly string[]): Promise<number> }>) | undefined>)[cmd];
  if (!load) {
    process.stderr.write(`proctrail: unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`proctrail ${cmd}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
