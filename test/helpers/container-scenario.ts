/**
 * Shared steps of the container end-to-end scenarios (podman, dockerd, containerd): a
 * proctrail service with a state dir, REST/GraphQL helpers over inject, the wait for a
 * container attributed and enriched with its two sleeps, the restart from the snapshot,
 * and the assertions every runtime makes the same way. What differs per runtime (names,
 * images, labels, how containers are removed) stays in each test file.
 */
import type { Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerView } from '../../src/caches/container-model.js';
import type { RuntimeSockets } from '../../src/runtimes/enricher.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { waitFor } from './capability.js';
import { mountsUnder, pidsMentioning } from './daemon-cleanup.js';

/** A container as process DTOs and GraphQL refer to it. */
export interface ContainerRef { id: string; name: string | null; image: string | null; runtime: string }
/** `GET /v1/containers/{id}` (the fields the scenarios read). */
export interface ContainerJson extends ContainerRef {
  imageDigest: string | null;
  alive: boolean;
  enriched: boolean;
  createdAtNs: string;
  removedAtNs: string | null;
  labels: Record<string, string>;
  pod: { name: string; namespace: string; uid: string; sandbox: boolean } | null;
  cgroups: Array<{ hierarchyId: number; cgroupId: string; path: string }>;
  processCount: number;
}
/** `GET /v1/processes/{pid}` (the fields the scenarios read). */
export interface ProcessJson { pid: number; key: string; name: string; argv: string[]; startTimeNs: string; container: ContainerRef | null }
/** `GET /v1/containers/{id}/processes`. */
export interface ProcessesJson { items: Array<{ key: string; pid: number; process: ProcessJson | null }> }

/** A proctrail service (eBPF source, no start-up scan) persisting containers into a temp state dir. */
export interface ScenarioService {
  readonly stateDir: string;
  /** The service running now (a new one after startFromSnapshot). */
  readonly svc: RunningService;
  /** GET over inject: status and parsed body. */
  get<T>(url: string): Promise<{ status: number; body: T }>;
  /** A GraphQL query over inject; asserts on the scenario's test that it had no errors. */
  gql<T>(query: string): Promise<T>;
  /** Wait until container `id` is enriched and holds two `sleep`s; on timeout, comment what was there. */
  waitEnrichedWithTwoSleeps(id: string, timeoutMs: number, what: string): Promise<ContainerView>;
  /** The containers in the state dir's snapshot file. */
  snapshot(): { format: string; containers: Array<{ id: string }> };
  /** Start again from the state dir, without enrichment (names and images only from the snapshot). */
  startFromSnapshot(): Promise<void>;
  /** Close the running service (teardown then leaves it alone). */
  stop(): Promise<void>;
}

/** Start the service with these runtime sockets; temp dir and service are torn down with `t`. */
export async function startScenarioService(t: Test, runtimeSockets: RuntimeSockets): Promise<ScenarioService> {
  const stateDir = mkdtempSync(join(tmpdir(), 'proctrail-state-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  let svc: RunningService = await startService({
    source: 'ebpf', scan: false, stateDir, runtimeSockets, containerDeleteGraceMs: 300, log: () => undefined,
  });
  let closed = false;
  t.teardown(() => (closed ? undefined : svc.close()));

  const argv0sIn = (id: string): Array<string | undefined> =>
    svc.pipeline.containers.processesOf(id).map((e) => svc.pipeline.tree.getProcess(e.processKey)?.execHistory.at(-1)?.argv[0]);
  return {
    stateDir,
    get svc() {
      return svc;
    },
    async get<T>(url: string) {
      const res = await svc.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as T };
    },
    async gql<T>(query: string) {
      const res = await svc.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
      const body = res.json() as { data: T; errors?: unknown };
      t.notOk(body.errors, `no GraphQL errors in ${query.slice(0, 40)}`);
      return body.data;
    },
    waitEnrichedWithTwoSleeps(id, timeoutMs, what) {
      return waitFor(() => {
        const res = svc.pipeline.containers.containerAt(id);
        if (!res?.enriched) return undefined;
        return argv0sIn(id).filter((n) => n === 'sleep').length >= 2 ? res : undefined;
      }, timeoutMs, what).catch((e: Error) => {
        const cv = svc.pipeline.containers.containerAt(id);
        t.comment(`known=${cv !== undefined} enriched=${cv?.enriched} processes=[${argv0sIn(id).join(',')}] enrichment=${JSON.stringify(svc.containers.stats().enrichment ?? null)}`);
        throw e;
      });
    },
    snapshot() {
      return JSON.parse(readFileSync(join(stateDir, 'containers.json'), 'utf8')) as { format: string; containers: Array<{ id: string }> };
    },
    async startFromSnapshot() {
      svc = await startService({ source: 'ebpf', scan: false, stateDir, enrich: false, log: () => undefined });
      closed = false;
    },
    async stop() {
      await svc.close();
      closed = true;
    },
  };
}

/** After removal: still found by id, not alive, with a removal time. */
export async function assertRemovedButFound(t: Test, s: ScenarioService, id: string): Promise<void> {
  const now = await s.get<ContainerJson>(`/v1/containers/${id}`);
  t.equal(now.status, 200, 'still found by id');
  t.notOk(now.body.alive);
  t.ok(now.body.removedAtNs !== null);
}

/** After a restart from the snapshot: the still running container is live again, found by name. */
export async function assertLiveAgain(t: Test, s: ScenarioService, name: string, id: string, image: string): Promise<void> {
  const live = await s.get<ContainerJson>(`/v1/containers/${name}`);
  t.equal(live.status, 200, 'the running container is live again, by name');
  t.equal(live.body.id, id);
  t.ok(live.body.alive);
  t.ok(live.body.enriched);
  t.equal(live.body.image, image);
}

/** After a private daemon's close(): no mount, temp dir or process naming its dir is left. */
export function assertNothingLeft(t: Test, dir: string, processes: string): void {
  t.same(mountsUnder(dir), [], 'no mount left under the test dir');
  t.notOk(existsSync(dir), 'temp dir removed');
  t.same(pidsMentioning(dir), [], processes);
}
