import t from 'tap';
import { parseCgroupPath, type ContainerRuntime } from '../../src/caches/cgroup-path.js';

// Real-shaped ids: 64 hex (docker, podman, CRI-O, CRI), Garden's 28-char handle.
const A = '7a8f1f2a4c0e1b3d5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0';
const B = 'e857a4bf05a69080a759574949d7a0e69572e27647800fa7faff6a05a8332aa1';
const C = '05c48c82caff3be3d7f1e896981dd410e81487538936914f32b624d168de9db0';
const UPPER = '8F5FC244FA3DD18FF8739FCDEFA060D05D0DA4725A6F2BE4F2D40F8934D7151A';
const GARDEN = 'a1b2c3d4-e5f6-a7b8-c9d0-e1f2';
const POD_UID = 'pod87a18a64-b74a-454a-b10b-a4a36059d0a3';
const POD_SLICE = 'kubepods-burstable-pod87a18a64_b74a_454a_b10b_a4a36059d0a3.slice';

type Row = readonly [path: string, id: string | undefined, runtime?: ContainerRuntime, root?: boolean];

const rows: Readonly<Record<string, readonly Row[]>> = Object.freeze({
  'docker cgroupfs': [
    [`/docker/${A}`, A, 'docker', true],
    [`/docker/${A}/`, A, 'docker', true],
    [`/actions_job/${A}`, A, 'docker', true],
    [`/docker/${UPPER}`, UPPER, 'docker', true],
  ],
  'docker systemd': [
    [`/system.slice/docker-${A}.scope`, A, 'docker', true],
    [`/user.slice/user-1000.slice/user@1000.service/docker-${A}.scope`, A, 'docker', true],
    [`/system.slice/docker-${A}.scope/init.scope`, A, 'docker', false],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0086d247_7fe3_4d93_a3fb_976a918797d7.slice/docker-${A}.scope`, A, 'docker', true],
  ],
  'podman': [
    [`/libpod_parent/libpod-${A}`, A, 'podman', true],
    [`/kubepods/besteffort/podX/libpod-${A}`, A, 'podman', true],
    [`/machine.slice/libpod-${A}.scope`, A, 'podman', true],
    [`/machine.slice/libpod-${A}.scope/container`, A, 'podman', false],
    [`/machine.slice/machine-libpod_pod_${B}.slice/libpod-${A}.scope`, A, 'podman', true],
    [`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${A}.scope`, A, 'podman', true],
  ],
  'crio': [
    [`/kubepods.slice/kubepods-burstable.slice/${POD_SLICE}/crio-${A}.scope`, A, 'crio', true],
    [`/kubepods/burstable/${POD_UID}/crio-${A}`, A, 'crio', true],
    [`/crio-${A}.scope`, A, 'crio', true],
    [`/kubepods.slice/kubepods-burstable.slice/${POD_SLICE}/crio-${A}.scope/container`, A, 'crio', false],
  ],
  'containerd': [
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${A}.scope`, A, 'containerd', true],
    [`/system.slice/containerd.service/${POD_SLICE}:cri-containerd:${C}`, C, 'containerd', true],
    [`/kuberuntime/containerd/kubepods-pod872d2066_00ef_48ea_a7d8_51b18b72d739:cri-containerd:${B}`, B, 'containerd', true],
    [`/kubepods/besteffort/${POD_UID}/${A}`, A, 'containerd', true],
    [`/kubepods/burstable/${POD_UID}/${A}`, A, 'containerd', true],
    [`/kubepods/${POD_UID}/${A}`, A, 'containerd', true],
    [`/default/${A}`, A, 'containerd', true],
    [`/default/proctrail-e2e-busybox-1`, 'proctrail-e2e-busybox-1', 'containerd', true],
    [`/default/t1`, 't1', 'containerd', true],
    [`/default/t1/sub`, 't1', 'containerd', false],
  ],
  'garden': [
    [`/garden/${GARDEN}`, GARDEN, 'garden', true],
    [`/system.slice/garden.service/garden/${GARDEN}/child`, GARDEN, 'garden', false],
  ],
  'unknown runtime, 64-hex id': [
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0086d247_7fe3_4d93_a3fb_976a918797d7.slice/${A}`, A, 'unknown', true],
    [`/lxc.payload/${A}`, A, 'unknown', true],
    [`/${A}/x`, A, 'unknown', false],
  ],
  'nested: innermost wins': [
    [`/docker/${A}/docker/${B}`, B, 'docker', true],
    [`/docker/${A}/docker/${B}/sub`, B, 'docker', false],
    [`/system.slice/docker-${A}.scope/kubepods/besteffort/${POD_UID}/${B}`, B, 'containerd', true],
    [`/machine.slice/libpod-${A}.scope/container/libpod_parent/libpod-${B}`, B, 'podman', true],
    [`/kubepods/besteffort/${POD_UID}/${A}/docker/${B}`, B, 'docker', true],
  ],
  'monitors are not containers': [
    [`/machine.slice/libpod-conmon-${A}.scope`, undefined],
    [`/kubepods.slice/kubepods-burstable.slice/${POD_SLICE}/crio-conmon-${A}.scope`, undefined],
    [`/kubepods/burstable/${POD_UID}/crio-conmon-${A}`, undefined],
    // conmon inside a container still belongs to that container
    [`/docker/${A}/libpod_parent/libpod-conmon-${B}`, A, 'docker', false],
  ],
  'too short / not ids': [
    [`/docker/${A.slice(0, 27)}`, undefined],
    [`/docker/${A.slice(0, 63)}`, undefined],
    [`/docker/${A}0`, undefined],
    [`/docker/${A.slice(0, 60)}zzzz`, undefined],
    ['/docker-abc.scope', undefined],
    ['/libpod-0123456789ab', undefined],
    ['/a1b2c3d4-e5f6-a7b8-c9d0-e1f', undefined],
    ['/a1b2c3d4-e5f6-a7b8-c9d0-e1f2-3344', undefined],
    ['/not-a-container-but-quite-a-long-name', undefined],
  ],
  'host cgroups': [
    ['/', undefined],
    ['', undefined],
    ['/docker', undefined],
    ['/libpod_parent', undefined],
    ['/libpod_parent/conmon', undefined],
    ['/system.slice', undefined],
    ['/system.slice/containerd.service', undefined],
    ['/system.slice/docker.service', undefined],
    ['/system.slice/systemd-journald.service', undefined],
    ['/user.slice/user-1000.slice/session-2.scope', undefined],
    ['/kubepods.slice/kubepods-burstable.slice', undefined],
    [`/kubepods.slice/kubepods-burstable.slice/${POD_SLICE}`, undefined],
    [`/kubepods/besteffort/${POD_UID}`, undefined],
    ['/init.scope', undefined],
    ['/k8s.io/short', undefined],
  ],
});

for (const [group, list] of Object.entries(rows)) {
  t.test(group, async (t) => {
    for (const [path, id, runtime, root] of list) {
      const got = parseCgroupPath(path);
      if (id === undefined) {
        t.equal(got, undefined, `host: ${path}`);
      } else {
        t.same(got, { containerId: id, runtime, containerRoot: root }, path);
      }
    }
  });
}

t.test('containerd namespaces are configurable', async (t) => {
  t.same(parseCgroupPath('/k8s.io/t1', { containerdNamespaces: ['k8s.io'] }), { containerId: 't1', runtime: 'containerd', containerRoot: true });
  t.equal(parseCgroupPath('/default/t1', { containerdNamespaces: ['k8s.io'] }), undefined);
  // a namespace only counts directly under the root
  t.equal(parseCgroupPath('/x/default/t1'), undefined);
  t.same(parseCgroupPath(`/moby/${A}`, { containerdNamespaces: ['moby'] }), { containerId: A, runtime: 'containerd', containerRoot: true });
});

t.test('bad input never throws', async (t) => {
  for (const v of [undefined, null, 42, {}, '////', '/'.repeat(10_000)]) {
    t.equal(parseCgroupPath(v as unknown as string), undefined, String(v).slice(0, 20));
  }
});
