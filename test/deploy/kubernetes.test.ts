// The Kubernetes manifests in deploy/kubernetes/ checked against the code: every variable they set
// is a real flag (or a variable the cache reads) with a valid value, every port and path they
// name is served, and the shutdown, memory and scaling arithmetic holds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { envName, FLAGS, parseFlags } from '../../bin/flags.js';
import { start, type Running } from '../../bin/imageproxy.js';
import { CACHE_ENV_VARS, parseCacheSpecs } from '../../lib/cache/index.js';
import { parseAddr } from '../../lib/server.js';
import { workersFor } from '../../lib/pool/cpus.js';
import { ROOT } from '../helpers/paths.js';

const DIR = path.join(ROOT, 'deploy', 'kubernetes');
/** SHUTDOWN_MARGIN_S is what termination needs beyond preStop and -shutdownGrace: closing the pool and the cache. */
const SHUTDOWN_MARGIN_S = 5;
/** SERVER_BASE_MIB is the memory of the server itself (Node, code, sockets) beside caches, bodies and workers. */
const SERVER_BASE_MIB = 256;

// The manifests are untyped YAML; these are the few shapes the checks walk through.
type Obj = Record<string, any>;

interface Manifest {
  file: string;
  doc: Obj;
}

function loadManifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8'))) {
      assert.deepEqual(d.errors.map(String), [], `${file} does not parse`);
      out.push({ file, doc: d.toJS() as Obj });
    }
  }
  return out;
}

const manifests = loadManifests();
const one = (kind: string): Obj => {
  const found = manifests.filter((m) => m.doc.kind === kind);
  assert.equal(found.length, 1, `manifests of kind ${kind} = ${found.length}, want 1`);
  return found[0].doc;
};
const deployment = one('Deployment');
const configMap = one('ConfigMap');
const secret = one('Secret');
const service = one('Service');
const hpa = one('HorizontalPodAutoscaler');
const pdb = one('PodDisruptionBudget');
const pod = deployment.spec.template.spec as Obj;
const container = (pod.containers as Obj[])[0];

/** env is every variable the container gets: its envFrom sources, then its own env entries. */
function containerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of (container.envFrom ?? []) as Obj[]) {
    if (from.configMapRef) {
      assert.equal(from.configMapRef.name, configMap.metadata.name, `envFrom names ConfigMap ${from.configMapRef.name}, which is not in the manifests`);
      Object.assign(env, configMap.data);
    } else if (from.secretRef) {
      assert.equal(from.secretRef.name, secret.metadata.name, `envFrom names Secret ${from.secretRef.name}, which is not in the manifests`);
      Object.assign(env, secret.stringData);
    } else {
      assert.fail(`envFrom entry ${JSON.stringify(from)} is neither a ConfigMap nor a Secret`);
    }
  }
  for (const e of (container.env ?? []) as Obj[]) env[e.name] = String(e.value ?? '');
  return env;
}

/** quantity converts a Kubernetes quantity ("2Gi", "500m", "1") into bytes or cores. */
function quantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  assert.ok(m, `quantity ${JSON.stringify(q)} is not one this test reads`);
  const unit: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * unit[m[2] ?? ''];
}

const env = containerEnv();
/** flags parses the container's variables as the CLI does (throwing a UsageError for a bad value). */
const flags = () => parseFlags([], env);

test('deploy/kubernetes manifests', async (suite) => {
  await suite.test('parse, and each has an apiVersion, a kind and a name', () => {
    for (const { file, doc } of manifests) {
      assert.ok(doc.apiVersion && doc.kind, `${file}: apiVersion ${doc.apiVersion}, kind ${doc.kind}; want both`);
      if (doc.kind !== 'Kustomization') assert.ok(doc.metadata?.name, `${file}: ${doc.kind} has no metadata.name`);
    }
  });

  await suite.test('the kustomization lists every manifest', () => {
    const listed = [...(one('Kustomization').resources as string[])].sort();
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    assert.deepEqual(listed, files, `kustomization resources = ${listed}, want ${files}`);
  });

  await suite.test('sets only real flags (IMAGEPROXY_*) and variables the cache reads', () => {
    const known = new Set([...FLAGS.map((f) => envName(f.name)), ...CACHE_ENV_VARS]);
    const unknown = Object.keys(env).filter((k) => !known.has(k));
    assert.deepEqual(unknown, [], `variables that are no flag and no cache variable: ${unknown}`);
    assert.ok(Object.keys(configMap.data).every((k) => k.startsWith('IMAGEPROXY_')), 'the ConfigMap holds a variable that is not IMAGEPROXY_*');
  });

  await suite.test('gives every flag a valid value, and a cache the server can parse', () => {
    assert.doesNotThrow(flags, 'the variables are not a valid command line');
    assert.ok(flags().cacheSpecs.length > 0, 'the ConfigMap configures no cache');
    const specs = parseCacheSpecs(flags().cacheSpecs);
    assert.equal(specs[0].kind, 'memory', `first cache tier = ${specs[0].kind}, want a memory tier in each replica`);
    assert.ok(specs.some((s) => s.kind.startsWith('redis')), `cache tiers = ${specs.map((s) => s.kind)}, want a shared Redis tier`);
    assert.ok((flags().config.signatureKeys ?? []).length > 0, 'the Secret gives no signature key');
    assert.ok(!('IMAGEPROXY_SIGNATUREKEY' in configMap.data) && !('REDIS_PASSWORD' in configMap.data), 'a key is in the ConfigMap instead of the Secret');
  });

  await suite.test('opens the port -addr listens on, and the Service and probes point at it', () => {
    const target = parseAddr(flags().addr);
    assert.ok('port' in target && target.host === '', `-addr = ${flags().addr}, want :PORT (every interface of the pod)`);
    const ports = container.ports as Obj[];
    assert.deepEqual(ports.map((p) => p.containerPort), [target.port], `container ports = ${ports.map((p) => p.containerPort)}, want [${target.port}]`);
    const byName = (ref: string | number) => ports.find((p) => p.name === ref || p.containerPort === ref);
    for (const sp of service.spec.ports as Obj[]) {
      assert.ok(byName(sp.targetPort), `Service targetPort ${sp.targetPort} is not a container port`);
    }
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      assert.ok(byName(container[probe].httpGet.port), `${probe} port ${container[probe].httpGet.port} is not a container port`);
    }
  });

  await suite.test('selects the pods it means (Service, PodDisruptionBudget, HPA target)', () => {
    const labels = deployment.spec.template.metadata.labels as Obj;
    const matches = (sel: Obj) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    assert.ok(matches(deployment.spec.selector.matchLabels), 'the Deployment selector does not match its pods');
    assert.ok(matches(service.spec.selector), 'the Service selector does not match the pods');
    assert.ok(matches(pdb.spec.selector.matchLabels), 'the PodDisruptionBudget selector does not match the pods');
    assert.deepEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], ['Deployment', deployment.metadata.name]);
  });

  await suite.test('outlasts the preStop pause and -shutdownGrace before Kubernetes kills the pod', () => {
    const pause = container.lifecycle.preStop.sleep.seconds as number;
    const grace = flags().shutdownGraceMs / 1000;
    const termination = pod.terminationGracePeriodSeconds as number;
    assert.ok(pause > 0, `preStop pause = ${pause} s, want > 0 (load balancers drop a terminating pod late)`);
    assert.ok(termination >= pause + grace + SHUTDOWN_MARGIN_S,
      `terminationGracePeriodSeconds = ${termination}, want >= preStop ${pause} + shutdownGrace ${grace} + ${SHUTDOWN_MARGIN_S}`);
  });

  await suite.test('runs as non-root on a read-only root file system, writing only to emptyDir volumes', () => {
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0, 'runAsUser is root');
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name, v]));
    for (const m of (container.volumeMounts ?? []) as Obj[]) {
      assert.ok(volumes.get(m.name)?.emptyDir, `volume mount ${m.mountPath} is not an emptyDir`);
    }
  });

  await suite.test('requests and limits CPU and memory, and the memory limit covers caches, bodies and workers', () => {
    const { requests, limits } = container.resources as Obj;
    for (const r of ['cpu', 'memory']) {
      assert.ok(requests?.[r] && limits?.[r], `resources for ${r}: request ${requests?.[r]}, limit ${limits?.[r]}; want both`);
      assert.ok(quantity(requests[r]) <= quantity(limits[r]), `${r} request ${requests[r]} is above its limit ${limits[r]}`);
    }
    const workers = flags().config.workers || workersFor(Number.MAX_SAFE_INTEGER, quantity(limits.cpu));
    const memoryTier = parseCacheSpecs(flags().cacheSpecs).reduce((n, s) => n + (s.kind === 'memory' ? s.maxBytes : 0), 0);
    const need = memoryTier + (flags().config.maxSourceMemory ?? 0) + workers * (flags().config.workerMemoryMb ?? 0) * 2 ** 20 + SERVER_BASE_MIB * 2 ** 20;
    assert.ok(quantity(limits.memory) >= need,
      `memory limit ${limits.memory} < ${(need / 2 ** 20).toFixed(0)} MiB (memory tier + maxSourceMemory + ${workers} workers x workerMemory + ${SERVER_BASE_MIB} MiB)`);
  });

  await suite.test('scales on CPU and keeps replicas through disruptions', () => {
    const metric = (hpa.spec.metrics as Obj[])[0];
    assert.deepEqual([metric.type, metric.resource.name], ['Resource', 'cpu']);
    const min = hpa.spec.minReplicas as number;
    assert.ok(min >= 2 && hpa.spec.maxReplicas > min, `HPA replicas ${min}..${hpa.spec.maxReplicas}, want at least 2 and room to grow`);
    const unavailable = pdb.spec.maxUnavailable ?? min - pdb.spec.minAvailable;
    assert.ok(unavailable >= 1 && unavailable < min, `the PDB lets ${unavailable} of ${min} replicas go, want 1..${min - 1} (0 would block node drains)`);
  });
});

test('deploy/kubernetes against the server', async (suite) => {
  let running: Running;
  suite.before(async () => {
    // The ConfigMap's settings, except for the cache (whose hosts exist only in the cluster) and
    // the address (a free loopback port instead of every interface).
    const local = { ...env, IMAGEPROXY_CACHE: 'memory', IMAGEPROXY_ADDR: '127.0.0.1:0' };
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const r = await start([], local, { stdout: () => {}, stderr: () => {}, logger: quiet });
    assert.ok(typeof r !== 'number', `the server did not start with the manifests' settings (exit ${String(r)})`);
    running = r;
  });
  suite.after(async () => {
    await running?.shutdown();
  });

  await suite.test('answers 200 on every path the probes name', async () => {
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const p = container[probe].httpGet.path as string;
      const res = await fetch(`http://${running.addr}${p}`);
      assert.equal(res.status, 200, `GET ${p} (${probe}) = ${res.status}, want 200`);
    }
  });
});
