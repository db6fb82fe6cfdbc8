import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { cgroupCpuLimit, defaultWorkers, parseCfsQuota, parseCpuMax, parseProcCgroup, workersFor } from '../../../lib/pool/cpus.js';

test('parseCpuMax', () => {
  const cases: Array<[string, number | undefined]> = [
    ['max 100000\n', undefined],
    ['max', undefined],
    ['200000 100000\n', 2],
    ['150000 100000', 1.5],
    ['50000 100000', 0.5],
    ['100000', 1],
    ['400000 200000', 2],
    ['0 100000', undefined],
    ['100000 0', undefined],
    ['-1 100000', undefined],
    ['', undefined],
    ['lots', undefined],
    ['1e6 100000', undefined],
    ['99999999999999999999 1', undefined],
  ];
  for (const [input, want] of cases) {
    const got = parseCpuMax(input);
    assert.equal(got, want, `parseCpuMax(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('parseCfsQuota', () => {
  const cases: Array<[string, string, number | undefined]> = [
    ['-1\n', '100000\n', undefined],
    ['200000\n', '100000\n', 2],
    ['50000', '100000', 0.5],
    ['250000', '100000', 2.5],
    ['0', '100000', undefined],
    ['100000', '0', undefined],
    ['abc', '100000', undefined],
    ['100000', '', undefined],
  ];
  for (const [quota, period, want] of cases) {
    const got = parseCfsQuota(quota, period);
    assert.equal(got, want, `parseCfsQuota(${JSON.stringify(quota)}, ${JSON.stringify(period)}) = ${got}, want ${want}`);
  }
});

test('parseProcCgroup', () => {
  const cases: Array<{ name: string; text: string; want: unknown }> = [
    { name: 'cgroup v2 in a container', text: '0::/\n', want: { unified: '/' } },
    { name: 'cgroup v2 under systemd', text: '0::/system.slice/imageproxy.service\n', want: { unified: '/system.slice/imageproxy.service' } },
    {
      name: 'cgroup v1 (Docker)',
      text: '12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:cpuset:/docker/abc\n1:name=systemd:/docker/abc\n',
      want: { cpu: { controllers: 'cpu,cpuacct', path: '/docker/abc' } },
    },
    {
      name: 'hybrid v1 and v2',
      text: '1:cpu:/\n0::/user.slice\n',
      want: { unified: '/user.slice', cpu: { controllers: 'cpu', path: '/' } },
    },
    { name: 'cpuacct alone is not cpu', text: '2:cpuacct:/x\n', want: {} },
    { name: 'garbage', text: 'not a cgroup file\n::\n', want: {} },
  ];
  for (const c of cases) {
    const got = parseProcCgroup(c.text);
    assert.deepEqual(got, c.want, `parseProcCgroup(${JSON.stringify(c.text)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('cgroupCpuLimit', () => {
  const cases: Array<{ name: string; files: Record<string, string>; want: number | undefined }> = [
    { name: 'Kubernetes, cgroup v2, limits.cpu 2', files: { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '200000 100000\n' }, want: 2 },
    { name: 'cgroup v2 without a limit', files: { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' }, want: undefined },
    {
      name: 'cgroup v2, the limit on a parent (systemd slice)',
      files: {
        '/proc/self/cgroup': '0::/system.slice/imageproxy.service\n',
        '/sys/fs/cgroup/system.slice/imageproxy.service/cpu.max': 'max 100000\n',
        '/sys/fs/cgroup/system.slice/cpu.max': '150000 100000\n',
      },
      want: 1.5,
    },
    {
      name: 'cgroup v2, the tighter of a service and its slice',
      files: {
        '/proc/self/cgroup': '0::/a/b\n',
        '/sys/fs/cgroup/a/b/cpu.max': '50000 100000\n',
        '/sys/fs/cgroup/a/cpu.max': '300000 100000\n',
      },
      want: 0.5,
    },
    {
      name: 'Docker, cgroup v1, --cpus 3 (the container sees its cgroup at the mount root)',
      files: {
        '/proc/self/cgroup': '4:cpu,cpuacct:/docker/abc\n',
        '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '300000\n',
        '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      },
      want: 3,
    },
    {
      name: 'cgroup v1 on a host, the limit at the named path',
      files: {
        '/proc/self/cgroup': '4:cpu:/batch\n',
        '/sys/fs/cgroup/cpu/batch/cpu.cfs_quota_us': '100000\n',
        '/sys/fs/cgroup/cpu/batch/cpu.cfs_period_us': '100000\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      },
      want: 1,
    },
    {
      name: 'cgroup v1 without a quota',
      files: {
        '/proc/self/cgroup': '1:cpu:/\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      },
      want: undefined,
    },
    {
      name: 'hybrid: no cpu controller in v2, the v1 quota counts',
      files: {
        '/proc/self/cgroup': '1:cpu:/\n0::/\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      },
      want: 2,
    },
    { name: 'no /proc (not Linux)', files: {}, want: undefined },
    { name: 'unreadable cgroup files', files: { '/proc/self/cgroup': '0::/\n' }, want: undefined },
  ];
  for (const c of cases) {
    const got = cgroupCpuLimit((p) => c.files[p]);
    assert.equal(got, c.want, `cgroupCpuLimit(${c.name}) = ${got}, want ${c.want}`);
  }
});

test('workersFor', () => {
  const cases: Array<[number, number | undefined, number]> = [
    [64, 2, 2],
    [64, 1.5, 1],
    [64, 0.5, 1],
    [2, 4, 2],
    [8, undefined, 8],
    [0, undefined, 1],
    [4, 3.999, 3],
  ];
  for (const [cores, limit, want] of cases) {
    const got = workersFor(cores, limit);
    assert.equal(got, want, `workersFor(${cores}, ${limit}) = ${got}, want ${want}`);
  }
});

test('defaultWorkers is the cores capped by this machine’s quota, the same on every call', () => {
  const first = defaultWorkers();
  const cores = os.availableParallelism();
  assert.ok(first >= 1 && first <= cores, `defaultWorkers() = ${first}, want 1..${cores}`);
  assert.equal(defaultWorkers(), first, 'defaultWorkers() changed between calls');
});
