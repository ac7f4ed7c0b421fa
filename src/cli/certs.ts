import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCerts, serviceNames, writeCerts } from '../tls/generate.js';

/**
 * `sidecar-injector certs`: a CA and a serving certificate for <service>.<namespace>.svc, written
 * to certs/ where the kustomization picks them up (Secret and caBundle) with no hand editing.
 */
export async function runCerts(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string', default: 'certs' },
      service: { type: 'string', default: 'sidecar-injector' },
      namespace: { type: 'string', default: 'sidecar-injector' },
      days: { type: 'string', default: '365' },
      'reuse-ca': { type: 'boolean', default: false },
    },
  });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    process.stderr.write('sidecar-injector certs: --days must be a whole number from 1 to 3650\n');
    return 2;
  }
  const dnsNames = [...serviceNames(values.service, values.namespace), 'localhost'];
  // --reuse-ca rotates only the serving certificate, so the caBundle already installed stays valid.
  const ca = values['reuse-ca']
    ? {
        cert: await readFile(join(values.out, 'ca.crt'), 'utf8'),
        key: await readFile(join(values.out, 'ca.key'), 'utf8'),
      }
    : undefined;
  const certs = await generateCerts({ dnsNames, ipAddresses: ['127.0.0.1'], days, ...(ca ? { ca } : {}) });
  await writeCerts(values.out, certs);
  process.stdout.write(`wrote ${values.out}/{ca.crt,ca.key,tls.crt,tls.key} for ${dnsNames[0]} (valid ${days} days)\n`);
  return 0;
}
