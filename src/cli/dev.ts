import { access } from 'node:fs/promises';
import type { Config } from '../config.js';
import { generateCerts, serviceNames, writeCerts } from '../tls/generate.js';

/**
 * `serve --dev` (npm start) works on a fresh clone with no cluster: it creates development
 * certificates when the default files are missing, reads namespace labels from
 * --namespace-labels (every namespace unlabelled without it) and prints a command to try.
 */
export async function ensureDevCerts(config: Config, say: (message: string) => void): Promise<void> {
  const files = [config.TLS_CERT_FILE, config.TLS_KEY_FILE];
  const present = await Promise.all(
    files.map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean)) return;
  if (config.TLS_CERT_FILE !== 'certs/tls.crt' || config.TLS_KEY_FILE !== 'certs/tls.key') return;
  const dnsNames = [...serviceNames('sidecar-injector', 'sidecar-injector'), 'localhost'];
  await writeCerts('certs', await generateCerts({ dnsNames, ipAddresses: ['127.0.0.1'] }));
  say('generated a development CA and serving certificate in certs/');
}

/** A curl command that posts a review and prints the answer with its patch decoded. */
export function tryItCommand(config: Config, port: number, review: string | undefined): string {
  const decode =
    `node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).response;` +
    `console.log(JSON.stringify({...r,patch:r.patch&&JSON.parse(Buffer.from(r.patch,"base64"))},null,2))})'`;
  const certDir = config.TLS_CERT_FILE.replace(/[^/]+$/, '');
  const body = review ?? 'REVIEW.json';
  return `\nTry it:\n  curl -sS --cacert ${certDir}ca.crt -H 'Content-Type: application/json' --data-binary @${body} https://localhost:${port}/mutate | ${decode}\n\n`;
}
