/**
 * DNS asked from inside a real podman container: the container joins a network namespace
 * made here (never the default bridge), asks a dnsmasq on the host side of the veth, and
 * proctrail's DNS graph names the asking process *and its container*.
 */
import t from 'tap';
import { startService } from '../../src/service/service.js';
import { ebpfMissing, hasCommand, skipUnless } from '../helpers/capability.js';
import { createNetns, startDnsmasq } from '../helpers/dns-server.js';
import { MINI_IMAGE, podmanMissing, startPodman } from '../helpers/podman.js';

const missing = ebpfMissing() ?? podmanMissing() ?? (hasCommand('dnsmasq') ? undefined : 'dnsmasq not installed (dnsmasq-base)') ??
  (hasCommand('ip') ? undefined : 'ip not installed (iproute2)');
const skip = skipUnless(missing === undefined, missing ?? '');

interface Asker { pid: number; name: string | null; containerId: string | null; key: string | null }

t.test('a DNS answer received in a container is attributed to the process and the container', { skip, timeout: 90_000 }, async (t) => {
  const svc = await startService({ source: 'ebpf', dns: true, enrich: false, log: () => undefined });
  t.teardown(() => svc.close());
  const netns = createNetns(`dc${process.pid % 1000}`, 150 + (process.pid % 40));
  t.teardown(() => netns.destroy());
  const dns = await startDnsmasq({ address: netns.hostAddress, zone: 'ctr.test', records: ['host-record=svc.ctr.test,10.98.0.7'], ttl: 30, probe: 'svc.ctr.test' });
  t.teardown(() => dns.stop());
  const podman = await startPodman();
  t.teardown(() => podman.close());

  const name = `pt-dns-${process.pid}`;
  const run = await podman.podman(['run', '-d', '--name', name, '--network', `ns:/run/netns/${netns.name}`, MINI_IMAGE,
    'sh', '-c', `busybox nslookup svc.ctr.test ${netns.hostAddress}; sleep 2`]);
  t.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  t.teardown(async () => { await podman.podman(['rm', '-f', name]); });
  t.match(id, /^[0-9a-f]{64}$/);

  let body: { addresses: Array<{ value: string }>; askers: Asker[] } | undefined;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = await svc.app.inject({ method: 'GET', url: '/v1/dns/svc.ctr.test' });
    if (res.statusCode === 200) {
      body = res.json() as typeof body;
      if (body!.askers.some((a) => a.containerId === id)) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!body) return t.fail('svc.ctr.test never reached the DNS graph');
  t.same(body.addresses.map((a) => a.value), ['10.98.0.7']);
  const asker = body.askers.find((a) => a.containerId === id);
  t.ok(asker, `an asker in container ${id.slice(0, 12)} (askers: ${JSON.stringify(body.askers)})`);
  const proc = await svc.app.inject({ method: 'GET', url: `/v1/processes/by-key/${encodeURIComponent(asker?.key ?? '')}` });
  t.equal(proc.statusCode, 200, 'the asker resolves to a process');
  // busybox's shell runs applets by exec'ing /proc/self/exe, so comm is "exe": argv tells.
  t.same((proc.json() as { argv: string[] }).argv.slice(0, 2), ['busybox', 'nslookup'], 'the asking process is busybox nslookup');
  t.equal(asker?.pid, (proc.json() as { pid: number }).pid);
  t.equal((proc.json() as { container: { id: string } | null }).container?.id, id, 'and that process carries the container');
});
