import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { generateCerts, serviceNames, writeCerts, type GeneratedCerts } from '../../src/tls/generate.js';
import { parseDocuments } from '../helpers/manifests.js';
import { ROOT, type Json } from '../helpers/pods.js';

export interface RenderedInstall {
  objects: Json[];
  certs: GeneratedCerts;
}

/**
 * Copies the install into a scratch dir, runs the certs step there, adds `files` (an overlay of
 * one's own, say), and renders `target` with `kubectl kustomize`, exactly as a user would.
 */
export async function renderInstall(
  kubectl: string,
  target = 'manifests',
  files: Record<string, string> = {},
): Promise<RenderedInstall> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-install-'));
  for (const folder of ['manifests', 'templates']) cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
  cpSync(join(ROOT, 'certs/kustomization.yaml'), join(dir, 'certs/kustomization.yaml'));
  const certs = await generateCerts({ dnsNames: serviceNames('sidecar-injector', 'sidecar-injector') });
  await writeCerts(join(dir, 'certs'), certs);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const { stdout } = await promisify(execFile)(kubectl, ['kustomize', join(dir, target)], { maxBuffer: 16 << 20 });
  return { objects: parseDocuments(stdout).map(unwrapBase64), certs };
}

/**
 * kustomize wraps base64 values at 70 columns. The API server's Go decoder ignores those
 * newlines; the OpenAPI "byte" format does not, so they are joined before validation.
 */
function unwrapBase64(object: Json): Json {
  const join = (value: unknown): unknown => (typeof value === 'string' ? value.replace(/\s/g, '') : value);
  if (object['kind'] === 'Secret' && object['data']) {
    object['data'] = Object.fromEntries(Object.entries(object['data'] as Json).map(([k, v]) => [k, join(v)]));
  }
  if (object['kind'] === 'MutatingWebhookConfiguration') {
    for (const webhook of (object['webhooks'] ?? []) as Json[]) {
      const clientConfig = webhook['clientConfig'] as Json;
      if (clientConfig['caBundle'] !== undefined) clientConfig['caBundle'] = join(clientConfig['caBundle']);
    }
  }
  return object;
}
