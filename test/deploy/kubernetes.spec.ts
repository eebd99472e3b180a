// The Kubernetes manifests as `kubectl kustomize` renders them, offline: every object valid
// against the Kubernetes schemas, and what running several replicas relies on actually there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { repoRoot, tempDir } from '../helpers.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function render(folder: string): K8sObject[] {
  const output = execFileSync('kubectl', ['kustomize', path.join(repoRoot, folder)], { encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => document.toJS() as K8sObject);
}

/** The kubernetes-models class of an object's apiVersion and kind. */
async function modelOf({ apiVersion, kind }: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const module = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

/** The settings in .env.example, set or commented out. */
function documentedSettings(): Set<string> {
  const text = fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#? ?([A-Za-z][A-Za-z0-9_]*)=/gm)].map((match) => match[1]!));
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.startsWith(name));
  assert.ok(found, `${kind} ${name} is rendered`);
  return found;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('Kubernetes manifests (deploy/kubernetes)', function () {
  this.timeout(60_000);
  before(function () {
    if (!kubectl) {
      console.log('    (kubectl is not installed: the manifests are not rendered)');
      this.skip();
    }
  });

  for (const folder of ['deploy/kubernetes', 'deploy/kubernetes/overlays/postgres-example']) {
    it(`renders ${folder} into objects that are valid against the Kubernetes schemas`, async () => {
      const objects = render(folder);
      assert.ok(objects.length >= 12);
      for (const object of objects) {
        const Model = await modelOf(object);
        assert.doesNotThrow(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`);
      }
      for (const container of objects.flatMap((o) => podSpec(o)?.containers ?? [])) {
        assert.doesNotMatch(container.image, /:latest$|^[^:]+$/, `${container.name} runs a pinned image`);
      }
    });
  }

  it('runs at least two bot replicas that are probed, bounded, unprivileged and on a read-only filesystem, behind a Service and a disruption budget', () => {
    const objects = render('deploy/kubernetes');
    const bot = find(objects, 'Deployment', 'groundwork');
    assert.ok(bot.spec.replicas >= 2);
    const pod = bot.spec.template.spec;
    const labels = bot.spec.template.metadata.labels;
    const [container] = pod.containers;
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    for (const mount of ['/tmp', '/data']) assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === mount), `${mount} is writable`);
    assert.ok(selects(find(objects, 'Service', 'groundwork').spec.selector, labels));
    const budget = find(objects, 'PodDisruptionBudget', 'groundwork');
    assert.ok(selects(budget.spec.selector.matchLabels, labels) && budget.spec.minAvailable >= 1);
    const configMap = find(objects, 'ConfigMap', 'groundwork-config');
    assert.ok(container.envFrom.some((e: { configMapRef?: { name: string } }) => e.configMapRef?.name === configMap.metadata.name), 'the settings reach the bot');
  });

  it('syncs from a CronJob, one run at a time, with the bot\'s settings', () => {
    const objects = render('deploy/kubernetes');
    const cron = find(objects, 'CronJob', 'groundwork-sync');
    assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
    const [container] = cron.spec.jobTemplate.spec.template.spec.containers;
    assert.deepEqual(container.args.slice(-2), ['dist/cli.js', 'sync']);
    assert.deepEqual(container.envFrom, find(objects, 'Deployment', 'groundwork').spec.template.spec.containers[0].envFrom);
  });

  it('runs Qdrant as a three-node cluster that only the bot reaches, and the collection is sharded and replicated across it', () => {
    const objects = render('deploy/kubernetes');
    const qdrant = find(objects, 'StatefulSet', 'qdrant');
    assert.equal(qdrant.spec.replicas, 3);
    const env = Object.fromEntries(qdrant.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env.QDRANT__CLUSTER__ENABLED, 'true');
    assert.ok(find(objects, 'Service', 'qdrant-headless').spec.clusterIP === 'None');
    const settings = find(objects, 'ConfigMap', 'groundwork-config').data!;
    assert.equal(settings.QDRANT_URL, 'http://qdrant:6333');
    assert.ok(Number(settings.QDRANT_SHARD_NUMBER) >= 3 && Number(settings.QDRANT_REPLICATION_FACTOR) >= 2);
    const policy = find(objects, 'NetworkPolicy', 'qdrant');
    assert.deepEqual(policy.spec.podSelector.matchLabels, qdrant.spec.selector.matchLabels);
  });

  it('mirrors .env.example: every setting given is documented there, and the bot accepts them all', () => {
    const objects = render('deploy/kubernetes');
    const settings = find(objects, 'ConfigMap', 'groundwork-config').data!;
    const secret = parseAllDocuments(fs.readFileSync(path.join(repoRoot, 'deploy/kubernetes/secret.example.yaml'), 'utf8'))[0]!.toJS() as { stringData: Record<string, string> };
    const documented = documentedSettings();
    for (const key of [...Object.keys(settings), ...Object.keys(secret.stringData)]) assert.ok(documented.has(key), `${key} is in .env.example`);
    const config = loadConfig({ ...settings, ...secret.stringData, GROUNDWORK_DATA_DIR: tempDir() }, tempDir());
    assert.equal(config.qdrant?.url, 'http://qdrant:6333');
    assert.deepEqual(
      config.sources.map((s) => s.kind),
      ['folder', 'confluence', 'sharepoint'],
    );
  });
});

function podSpec(object: K8sObject): { containers: Array<{ name: string; image: string }> } | undefined {
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template.spec;
  return object.spec?.template?.spec;
}
