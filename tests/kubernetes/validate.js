#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline (tests/kubernetes/validate-manifests runs it):
//  - every object against the OpenAPI schema of its apiVersion and kind (npm kubernetes-models;
//    KEDA's from @kubernetes-models/keda); an unknown kind fails;
//  - strictly: a field its schema does not define fails, as `kubectl apply --validate=strict`;
//  - rules the API server enforces that the schemas do not say: a container needs an image,
//    a workload's selector must match its pod labels, a volume mount needs its volume, a Job's
//    restart policy, unique names;
//  - across the objects of one rendering: no duplicates, Services, PodDisruptionBudgets and the
//    ScaledObject find their pods or Deployment, ConfigMaps referred to are there (kustomize
//    renames generated ones), every container runs one image (ramify's).
// First a self-check: broken objects must be refused, or the validator itself is broken.
// Usage: node validate.js NODE_MODULES_PARENT LABEL=FILE...   Exit 1 on any failure, one line each.
'use strict';
const path = require('path');
const fs = require('fs');
const { createRequire } = require('module');

const [modulesDir, ...inputs] = process.argv.slice(2);
if (!modulesDir || inputs.length === 0) {
  console.error('usage: node validate.js NODE_MODULES_PARENT LABEL=FILE...');
  process.exit(2);
}
const load = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
const YAML = load('yaml');
const SCHEMA_PACKAGES = ['kubernetes-models', '@kubernetes-models/keda'];

function modelOf(apiVersion, kind) {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  for (const pkg of SCHEMA_PACKAGES) {
    try {
      const Model = load(`${pkg}/${apiVersion}/${kind}`)[kind];
      if (Model && Model.apiVersion === apiVersion && Model.kind === kind) return Model;
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
    }
  }
  return null;
}

// null is "not set" to the API server: drop it (kubectl writes creationTimestamp: null).
function withoutNulls(value) {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

// Strictness: the generated validators read every property their schema defines (`data.name`),
// and enumerate maps. A proxy records what they read; a key of an object they read from but
// never read is a field the schema does not know. (An object they never touch is free-form.)
function tracked(value, where, records) {
  if (value === null || typeof value !== 'object') return value;
  const record = { where, target: value, read: new Set(), enumerated: false };
  records.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return v;
      record.read.add(key);
      if (v === null || typeof v !== 'object') return v;
      if (!children.has(key)) children.set(key, tracked(v, Array.isArray(target) ? `${where}[${key}]` : `${where}${where ? '.' : ''}${key}`, records));
      return children.get(key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function schemaErrors(object) {
  const Model = modelOf(object.apiVersion, object.kind);
  if (!Model) return [`no schema for apiVersion ${object.apiVersion}, kind ${object.kind}`];
  const records = [];
  try {
    Model.prototype.validate.call(tracked(object, '', records));
  } catch (e) {
    return [e.message.replace(/data\//g, '').replace(/\//g, '.')];
  }
  const unknown = [];
  for (const r of records) {
    if (Array.isArray(r.target) || r.enumerated || r.read.size === 0) continue;
    for (const key of Object.keys(r.target)) if (!r.read.has(key)) unknown.push(`${r.where}${r.where ? '.' : ''}${key}: unknown field`);
  }
  return unknown;
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];
function podSpecOf(o) {
  if (WORKLOADS.includes(o.kind)) return o.spec && o.spec.template && o.spec.template.spec;
  if (o.kind === 'CronJob') return o.spec && o.spec.jobTemplate && o.spec.jobTemplate.spec.template.spec;
  if (o.kind === 'Pod') return o.spec;
  return undefined;
}
function podLabelsOf(o) {
  if (o.kind === 'Pod') return (o.metadata && o.metadata.labels) || {};
  return (o.spec && o.spec.template && o.spec.template.metadata && o.spec.template.metadata.labels) || {};
}
const matches = (selector, labels) => Object.entries(selector || {}).every(([k, v]) => labels[k] === v);
const duplicates = (names) => names.filter((n, i) => names.indexOf(n) !== i);

// What the API server would refuse in one object although its schema allows it.
function apiErrors(o) {
  const errors = [];
  const spec = podSpecOf(o);
  if (!spec) return errors;
  const base = o.kind === 'Pod' ? 'spec' : o.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
  const containers = [...(spec.initContainers || []), ...(spec.containers || [])];
  if (!(spec.containers || []).length) errors.push(`${base}.containers: required`);
  const volumes = (spec.volumes || []).map((v) => v.name);
  const claims = o.kind === 'StatefulSet' ? (o.spec.volumeClaimTemplates || []).map((c) => c.metadata && c.metadata.name) : [];
  for (const name of duplicates(volumes)) errors.push(`${base}.volumes: duplicate name ${name}`);
  for (const name of duplicates(containers.map((c) => c.name))) errors.push(`${base}: duplicate container name ${name}`);
  for (const c of containers) {
    if (!c.image) errors.push(`${base}: container ${c.name}: image: required`);
    for (const m of c.volumeMounts || [])
      if (!volumes.includes(m.name) && !claims.includes(m.name)) errors.push(`${base}: container ${c.name}: volume mount ${m.name}: no such volume`);
    for (const p of c.ports || [])
      if (p.name && !/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p.name)) errors.push(`${base}: container ${c.name}: port name ${p.name}: at most 15 lowercase letters, digits and '-'`);
  }
  const restart = spec.restartPolicy;
  if (o.kind === 'Job' || o.kind === 'CronJob') {
    if (restart !== 'Never' && restart !== 'OnFailure') errors.push(`${base}.restartPolicy: must be Never or OnFailure for a ${o.kind}`);
    const job = o.kind === 'Job' ? o.spec : o.spec.jobTemplate.spec;
    if (job.podFailurePolicy && restart !== 'Never') errors.push(`${base}.restartPolicy: must be Never with a podFailurePolicy`);
    if (job.completionMode === 'Indexed' && job.completions === undefined) errors.push('spec.completions: required for an Indexed Job');
    if (job.selector && !job.manualSelector) errors.push('spec.selector: a Job makes its own (or set manualSelector)');
  } else if (restart !== undefined && restart !== 'Always' && o.kind !== 'Pod') {
    errors.push(`${base}.restartPolicy: must be Always for a ${o.kind}`);
  }
  if (WORKLOADS.includes(o.kind) && o.kind !== 'Job') {
    const selector = o.spec.selector && o.spec.selector.matchLabels;
    if (!selector || !Object.keys(selector).length) errors.push('spec.selector.matchLabels: required');
    else if (!matches(selector, podLabelsOf(o))) errors.push('spec.selector: does not match the pod template labels');
  }
  return errors;
}

// Rules across the objects of one rendering. Returns [errors, what it needs from outside].
function renderingErrors(objects) {
  const errors = [];
  const id = (o) => `${o.kind}/${o.metadata && o.metadata.name}`;
  const named = (kind, name) => objects.some((o) => o.kind === kind && o.metadata && o.metadata.name === name);
  for (const dup of duplicates(objects.map((o) => `${id(o)}@${(o.metadata && o.metadata.namespace) || ''}`))) errors.push(`${dup.split('@')[0]}: defined twice`);
  const pods = objects.filter((o) => podSpecOf(o));
  const needs = new Set();
  const images = new Set();
  for (const o of pods) {
    const spec = podSpecOf(o);
    for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) if (c.image) images.add(c.image);
    for (const v of spec.volumes || []) {
      const sources = v.projected ? v.projected.sources || [] : [v];
      for (const s of sources) {
        if (s.configMap && !s.configMap.optional && !named('ConfigMap', s.configMap.name)) errors.push(`${id(o)}: volume ${v.name}: ConfigMap ${s.configMap.name} is not in the rendering`);
        if (s.secret) needs.add(`secret/${s.secret.secretName || s.secret.name}`);
      }
      if (v.persistentVolumeClaim && !named('PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) needs.add(`pvc/${v.persistentVolumeClaim.claimName}`);
    }
  }
  if (images.size > 1) errors.push(`the containers run ${images.size} images (${[...images].join(', ')}): set the image in every kustomization that adds containers`);
  for (const o of objects) {
    if (o.kind === 'Service' && o.spec.selector) {
      const selected = pods.filter((p) => matches(o.spec.selector, podLabelsOf(p)));
      if (!selected.length) errors.push(`${id(o)}: its selector matches no pod of the rendering`);
      const portNames = selected.flatMap((p) => podSpecOf(p).containers.flatMap((c) => (c.ports || []).map((port) => port.name)));
      for (const port of o.spec.ports || [])
        if (typeof port.targetPort === 'string' && selected.length && !portNames.includes(port.targetPort)) errors.push(`${id(o)}: targetPort ${port.targetPort}: no container port of that name`);
    }
    if (o.kind === 'PodDisruptionBudget' && !pods.some((p) => matches(o.spec.selector && o.spec.selector.matchLabels, podLabelsOf(p)))) errors.push(`${id(o)}: its selector matches no pod of the rendering`);
    if (o.kind === 'StatefulSet' && !named('Service', o.spec.serviceName)) errors.push(`${id(o)}: serviceName ${o.spec.serviceName}: no such Service`);
    if (o.kind === 'ScaledObject' && !named(o.spec.scaleTargetRef.kind || 'Deployment', o.spec.scaleTargetRef.name)) errors.push(`${id(o)}: scaleTargetRef ${o.spec.scaleTargetRef.name}: not in the rendering`);
  }
  return [errors, [...needs].sort()];
}

function objectErrors(raw) {
  const o = withoutNulls(raw);
  return [...schemaErrors(o), ...apiErrors(o)];
}

// ---- the self-check: each broken object must be refused, and the good one accepted ----
function selfCheck() {
  const good = () => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'probe' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'probe' } },
      template: { metadata: { labels: { app: 'probe' } }, spec: { containers: [{ name: 'c', image: 'ramify:latest' }] } } },
  });
  const broken = {
    'replicas: "three"': (d) => { d.spec.replicas = 'three'; },
    'an unknown field spec.replicaz': (d) => { d.spec.replicaz = 3; },
    'an unknown field in a container': (d) => { d.spec.template.spec.containers[0].imagePullPolicyy = 'Always'; },
    'a container without an image': (d) => { delete d.spec.template.spec.containers[0].image; },
    'a selector that misses the pod labels': (d) => { d.spec.selector.matchLabels.app = 'other'; },
    'an unknown kind': (d) => { d.kind = 'Deplyment'; },
  };
  const failures = [];
  const accepted = objectErrors(good());
  if (accepted.length) failures.push(`a valid Deployment was refused: ${accepted[0]}`);
  for (const [what, breakIt] of Object.entries(broken)) {
    const d = good();
    breakIt(d);
    if (!objectErrors(d).length) failures.push(`a Deployment with ${what} was accepted`);
  }
  return failures;
}

let failed = false;
for (const failure of selfCheck()) {
  console.error(`validate.js: self-check: ${failure}: the validator is broken`);
  failed = true;
}
if (failed) process.exit(1);

for (const input of inputs) {
  const eq = input.indexOf('=');
  const label = input.slice(0, eq);
  const file = input.slice(eq + 1);
  const objects = [];
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      console.error(`FAIL ${label}: ${file}: ${doc.errors[0].message.split('\n')[0]}`);
      failed = true;
      continue;
    }
    const o = doc.toJS();
    if (o !== null && o !== undefined) objects.push(o);
  }
  let bad = 0;
  for (const o of objects) {
    for (const error of objectErrors(o)) {
      console.error(`FAIL ${label}: ${o.kind}/${o.metadata && o.metadata.name}: ${error}`);
      bad++;
    }
  }
  const [errors, needs] = renderingErrors(objects.map(withoutNulls));
  for (const error of errors) console.error(`FAIL ${label}: ${error}`);
  bad += errors.length;
  if (!objects.length) {
    console.error(`FAIL ${label}: no object`);
    bad++;
  }
  if (bad) failed = true;
  else console.log(`ok   ${label}: ${objects.length} objects valid${needs.length ? `; needs ${needs.join(', ')}` : ''}`);
}
process.exit(failed ? 1 : 0);
