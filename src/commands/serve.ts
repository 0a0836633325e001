/** `proctrail serve`: trace the host and serve REST + GraphQL until SIGINT/SIGTERM. */
import { CliError, intOption, parse, strOption } from './args.js';
import { startService, type SourceMode } from '../service/service.js';

const HELP = `Usage: proctrail serve [options]

Trace this host and serve its process history over REST (/v1/...) and GraphQL (/graphql,
GraphiQL at /graphiql). Stops cleanly on SIGINT/SIGTERM, detaching every BPF program.

Options:
  --host <addr>               listen address (default 127.0.0.1; env PROCTRAIL_HOST)
  --port <n>                  listen port (default 7421; env PROCTRAIL_PORT)
  --source <auto|ebpf|procfs> live source (default auto: eBPF when possible, else procfs polling)
  --poll-interval-ms <n>      procfs polling interval for the fallback (default 1000)
  --process-cache-size <n>    processes kept, live ones never evicted (default 10928)
  --thread-cache-size <n>     threads kept (default 21856)
  --changelog-size <n>        history entries per attribute (default 3)
  --no-dns                    do not capture DNS packets (no /v1/dns answers)
  --log-level <level>         fatal|error|warn|info|debug (default info)
  --state-dir <dir>           container snapshot directory (default /var/lib/proctrail; '' disables)
  --container-grace-ms <n>    keep a removed container's cgroups resolvable this long (default 30000)
  --cgroup-hierarchy <h>      auto|unified|<v1 controller>: where task cgroup ids come from (default auto)
  --docker-socket <path>      Docker API socket (default /var/run/docker.sock; '' disables)
  --podman-socket <path>      podman API socket (default /run/podman/podman.sock; '' disables)
  --crio-socket <path>        CRI-O socket (default /var/run/crio/crio.sock; '' disables)
  --containerd-socket <path>  containerd gRPC socket (default /run/containerd/containerd.sock; '' disables)
  --no-enrich                 do not query runtime APIs for container names and images
  -h, --help                  this help
`;

const SOURCES: readonly SourceMode[] = ['auto', 'ebpf', 'procfs'];

/** Runs the command; resolves when the server has stopped. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(argv, {
    host: { type: 'string' }, port: { type: 'string' }, source: { type: 'string' },
    'poll-interval-ms': { type: 'string' }, 'process-cache-size': { type: 'string' },
    'thread-cache-size': { type: 'string' }, 'changelog-size': { type: 'string' }, 'log-level': { type: 'string' },
    'state-dir': { type: 'string' }, 'container-grace-ms': { type: 'string' }, 'cgroup-hierarchy': { type: 'string' },
    'docker-socket': { type: 'string' }, 'podman-socket': { type: 'string' }, 'crio-socket': { type: 'string' },
    'containerd-socket': { type: 'string' },
    'no-enrich': { type: 'boolean' },
    'no-dns': { type: 'boolean' },
  }, HELP);
  if (!p) return 0;
  const v = p.values;
  const source = strOption(v, 'source', 'auto') as SourceMode;
  if (!SOURCES.includes(source)) throw new CliError(`--source must be one of ${SOURCES.join(', ')}`);
  const host = strOption(v, 'host', process.env.PROCTRAIL_HOST ?? '127.0.0.1');
  const port = intOption({ port: v.port ?? process.env.PROCTRAIL_PORT }, 'port', 7421, 0, 65535);
  const level = strOption(v, 'log-level', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)) throw new CliError(`unknown --log-level ${level}`);

  const svc = await startService({
    source,
    pollIntervalMs: intOption(v, 'poll-interval-ms', 1000, 50, 3_600_000),
    processCacheSize: intOption(v, 'process-cache-size', 10928, 16),
    threadCacheSize: intOption(v, 'thread-cache-size', 21856, 16),
    changelogSize: intOption(v, 'changelog-size', 3, 1, 1000),
    logger: { level },
    dns: v['no-dns'] !== true,
    ...(strOption(v, 'state-dir', '/var/lib/proctrail') !== '' && { stateDir: strOption(v, 'state-dir', '/var/lib/proctrail') }),
    containerDeleteGraceMs: intOption(v, 'container-grace-ms', 30_000, 0, 86_400_000),
    cgroupHierarchy: strOption(v, 'cgroup-hierarchy', 'auto'),
    runtimeSockets: {
      ...(typeof v['docker-socket'] === 'string' && { docker: v['docker-socket'] }),
      ...(typeof v['podman-socket'] === 'string' && { podman: v['podman-socket'] }),
      ...(typeof v['crio-socket'] === 'string' && { crio: v['crio-socket'] }),
      ...(typeof v['containerd-socket'] === 'string' && { containerd: v['containerd-socket'] }),
    },
    enrich: v['no-enrich'] !== true,
  });
  const stop = async (sig: string) => {
    process.stderr.write(`proctrail: ${sig}: stopping (detaching BPF programs)\n`);
    await svc.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    await svc.app.listen({ host, port });
  } catch (e) {
    await svc.close();
    throw new CliError(`cannot listen on ${host}:${port}: ${(e as Error).message}`, 1);
  }
  process.stderr.write(`proctrail: serving on http://${host}:${port} (REST /v1, GraphiQL /graphiql, source ${svc.mode.live})\n`);
  await new Promise(() => undefined); // until a signal
  return 0;
}
