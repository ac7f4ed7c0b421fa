#!/usr/bin/env node
// npm run bench:core: the pure path (decide, render, patch) and the whole request handling
// without HTTP (decode, decide, render, patch, encode), per pod size. JSON.parse of the same body
// is the yardstick: if the injector's cost per KB stays flat as pods grow, it is linear.
import { join } from 'node:path';
import { SIZES, reviewOfSize } from './pods.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const { decide: inject } = await import(join(ROOT, 'dist/core/decide.js'));
const { decodeReview, encodeReview } = await import(join(ROOT, 'dist/core/review.js'));
const { createAdmissionHandler } = await import(join(ROOT, 'dist/admission/handler.js'));
const { loadTemplates } = await import(join(ROOT, 'dist/templates/files.js'));

const { result } = await loadTemplates(join(ROOT, 'templates'));
const settings = { injectorNamespace: 'sidecar-injector', defaultTemplates: ['proxy'], nativeSidecars: false };
const labels = { known: true, labels: { 'istio-injection': 'enabled' } };
const handler = createAdmissionHandler({
  namespaces: { labelsOf: async () => labels },
  templates: { current: () => result.templates },
  settings,
});
/** What /mutate does without HTTP: decode, handle, encode. */
async function admit(body) {
  const decoded = decodeReview(body);
  return encodeReview(decoded.apiVersion, decoded.request.uid, await handler.handle(decoded.request));
}

// BENCH_QUICK=1: the smoke mode the test suite runs through npm (timings too short to mean much).
const BUDGET_MS = process.env.BENCH_QUICK === '1' ? 50 : 1500;

async function timePerOp(fn, budgetMs = BUDGET_MS) {
  for (let i = 0; i < 20; i += 1) await fn();
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < BigInt(budgetMs) * 1_000_000n) {
    for (let i = 0; i < 10; i += 1) await fn();
    iterations += 10;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / iterations / 1000;
}

const rows = [];
for (const size of SIZES) {
  const body = reviewOfSize(size.bytes);
  const decoded = decodeReview(body);
  if (!decoded.ok) throw new Error(decoded.message);
  const object = decoded.request.object;
  const check = inject({ object, namespace: 'bench', namespaceLabels: labels, templates: result.templates, settings });
  if (check.kind !== 'inject') throw new Error(`expected injection, got ${check.kind}`);
  const core = await timePerOp(() =>
    inject({ object, namespace: 'bench', namespaceLabels: labels, templates: result.templates, settings }),
  );
  const whole = await timePerOp(() => admit(body));
  const parse = await timePerOp(() => JSON.parse(body));
  const kb = body.length / 1024;
  rows.push({
    size: size.name,
    bytes: body.length,
    coreUs: core,
    admitUs: whole,
    jsonParseUs: parse,
    corePerKbUs: core / kb,
    admitPerKbUs: whole / kb,
  });
}

const f = (n, d = 1) => n.toFixed(d).padStart(10);
process.stdout.write('size        bytes   core us  core us/KB  request us  request us/KB  JSON.parse us\n');
for (const r of rows) {
  process.stdout.write(
    `${r.size.padEnd(6)} ${String(r.bytes).padStart(10)} ${f(r.coreUs)} ${f(r.corePerKbUs, 3)} ${f(r.admitUs)} ${f(r.admitPerKbUs, 3)}    ${f(r.jsonParseUs)}\n`,
  );
}
const first = rows[0];
const last = rows.at(-1);
const growth = last.admitUs / first.admitUs;
const sizeGrowth = last.bytes / first.bytes;
process.stdout.write(
  `\nsize x${sizeGrowth.toFixed(0)} -> request time x${growth.toFixed(0)} (JSON.parse x${(last.jsonParseUs / first.jsonParseUs).toFixed(0)}): ${growth <= sizeGrowth * 1.5 ? 'linear' : 'SUPERLINEAR'}\n`,
);
