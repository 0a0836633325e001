/**
 * Container id and runtime from a cgroup path, with Tracee's rules
 * (`pkg/containers` `parseContainerIdFromCgroupPath`) plus the formats the runtimes on
 * this project's hosts really write:
 *
 * | runtime    | systemd cgroup manager                          | cgroupfs manager                          |
 * |------------|-------------------------------------------------|-------------------------------------------|
 * | docker     | `/system.slice/docker-<id>.scope`               | `/docker/<id>`                            |
 * | podman     | `/machine.slice/libpod-<id>.scope`              | `/libpod_parent/libpod-<id>`              |
 * | crio       | `/kubepods.slice/…/crio-<id>.scope`             | `/kubepods/besteffort/pod<uid>/crio-<id>` |
 * | containerd | `/kubepods.slice/…/cri-containerd-<id>.scope`   | `/kubepods/burstable/pod<uid>/<id>`, `/<namespace>/<id>` (ctr) |
 * | containerd | `…/kubepods-pod<uid>.slice:cri-containerd:<id>` (v1, containerd ≥1.5 with systemd) | |
 * | garden     | `…/<8-4-4-4-4 hex>` (Cloud Foundry)             |                                           |
 *
 * Rules, in Tracee's order, applied to path components from the innermost outwards
 * (the innermost match wins, so a container nested in a container yields the inner one):
 * 1. components shorter than 28 characters are skipped (Garden ids, the shortest, are 28);
 * 2. a `.scope` suffix is dropped;
 * 3. prefixes `docker-`, `crio-`, `cri-containerd-`, the infix `:cri-containerd:` and the
 *    prefix `libpod-` name the runtime; the rest is the id;
 * 4. otherwise a 64-hex component is an id: runtime docker under `docker` or `actions_job`,
 *    containerd under a `pod…` directory (kubepods cgroupfs layout), else unknown;
 * 5. otherwise a Garden-shaped id (`^[0-9a-f]{8}(-[0-9a-f]{4}){4}$`) is a Garden container.
 *
 * Deviations from Tracee, each because Tracee reports something that is not a container:
 * * `crio-conmon-<id>` and `libpod-conmon-<id>` are the runtimes' monitor processes
 *   (Tracee returns `conmon-<id>` as a container id); they are skipped, not matched.
 * * A prefix with nothing after it is not a match.
 * * Trailing slashes are ignored (Tracee would report `containerRoot` false for them).
 * Extension: `/<namespace>/<id>` for a configured containerd namespace (default
 * `default`, what `ctr run` uses with the cgroupfs manager): runtime containerd, and the
 * id may be any containerd identifier (ctr ids are chosen by the user, often short).
 */

/** Runtime that created a container cgroup, as far as the path tells. */
export type ContainerRuntime = 'docker' | 'containerd' | 'crio' | 'podman' | 'garden' | 'unknown';

/** What a cgroup path says about the container it belongs to. */
export interface CgroupPathInfo {
  /** The container id as written in the path (full 64 hex for docker/podman/crio/CRI). */
  readonly containerId: string;
  readonly runtime: ContainerRuntime;
  /** True when the path's last component is the container's own cgroup (not a sub-cgroup). */
  readonly containerRoot: boolean;
}

/** Options of {@link parseCgroupPath}. */
export interface CgroupPathOptions {
  /**
   * containerd namespaces whose top-level directories hold `ctr` containers
   * (`/<namespace>/<id>`). Default `['default']`. Only the component directly under the
   * root is considered, so `/default/x/y` yields `x` (not a root) and nothing else.
   */
  readonly containerdNamespaces?: readonly string[];
}

const MIN_ID_COMPONENT = 28;
const HEX64 = /^[A-Fa-f0-9]{64}$/;
const GARDEN = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){4}$/;
// containerd's identifier rule (pkg/identifiers): alphanumerics separated by . _ -, ≤ 76.
const CONTAINERD_ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const CONTAINERD_ID_MAX = 76;
const CRI_CONTAINERD_INFIX = ':cri-containerd:';
const DEFAULT_NAMESPACES: readonly string[] = ['default'];

const PREFIXES: ReadonlyArray<readonly [string, ContainerRuntime]> = [
  ['docker-', 'docker'],
  ['crio-', 'crio'],
  ['cri-containerd-', 'containerd'],
];

/** Container id, runtime and root flag of a cgroup path (inside its hierarchy); undefined for host cgroups. */
export function parseCgroupPath(path: string, options?: CgroupPathOptions): CgroupPathInfo | undefined {
  if (typeof path !== 'string' || path.length === 0) return undefined;
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* '/' */) end--;
  const parts = (end === path.length ? path : path.slice(0, end)).split('/');
  const last = parts.length - 1;

  for (let i = last; i >= 0; i--) {
    const pc = parts[i]!;
    if (pc.length < MIN_ID_COMPONENT) continue;
    const root = i === last;
    const id = pc.endsWith('.scope') ? pc.slice(0, -6) : pc;

    const prefixed = matchPrefix(pc, id);
    if (prefixed === 'monitor') continue;
    if (prefixed !== undefined) return { containerId: prefixed.id, runtime: prefixed.runtime, containerRoot: root };

    if (i > 0 && HEX64.test(id)) {
      const prev = parts[i - 1]!;
      let runtime: ContainerRuntime = 'unknown';
      if (prev === 'docker' || prev === 'actions_job') runtime = 'docker';
      else if (prev.startsWith('pod')) runtime = 'containerd';
      else if (i === 2 && parts[0] === '' && isContainerdNamespace(prev, options)) runtime = 'containerd';
      return { containerId: id, runtime, containerRoot: root };
    }
    if (GARDEN.test(id)) return { containerId: id, runtime: 'garden', containerRoot: root };
  }

  // ctr containers under a namespace directory may have short, user-chosen ids.
  if (parts.length >= 3 && parts[0] === '' && isContainerdNamespace(parts[1]!, options)) {
    const id = parts[2]!;
    if (id.length <= CONTAINERD_ID_MAX && CONTAINERD_ID.test(id)) {
      return { containerId: id, runtime: 'containerd', containerRoot: last === 2 };
    }
  }
  return undefined;
}

/** Runtime-prefixed component → id, 'monitor' for conmon cgroups, undefined when no prefix. */
function matchPrefix(pc: string, id: string): { id: string; runtime: ContainerRuntime } | 'monitor' | undefined {
  for (const [prefix, runtime] of PREFIXES) {
    if (id.startsWith(prefix)) return finish(id.slice(prefix.length), runtime);
  }
  const infix = pc.lastIndexOf(CRI_CONTAINERD_INFIX);
  if (infix >= 0) return finish(pc.slice(infix + CRI_CONTAINERD_INFIX.length), 'containerd');
  if (id.startsWith('libpod-')) return finish(id.slice(7), 'podman');
  return undefined;
}

function finish(id: string, runtime: ContainerRuntime): { id: string; runtime: ContainerRuntime } | 'monitor' | undefined {
  // conmon (podman, CRI-O) gets its own cgroup next to the container's: not a container.
  if (id.startsWith('conmon-')) return 'monitor';
  if (id.length === 0) return undefined;
  return { id, runtime };
}

function isContainerdNamespace(name: string, options: CgroupPathOptions | undefined): boolean {
  return (options?.containerdNamespaces ?? DEFAULT_NAMESPACES).includes(name);
}
