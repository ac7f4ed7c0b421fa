import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import type { Cluster } from './cluster.js';

interface ClientConfig {
  url?: string;
  service?: { name?: string; namespace?: string };
}

/**
 * When the serving certificate expires: read from the webhook itself when the configuration
 * points at a URL, else from the Secret the Deployment mounts. An expired certificate stops pod
 * creation in labelled namespaces (failurePolicy Fail), so explain always says.
 */
export async function servingCertificateExpiry(
  cluster: Cluster,
  clientConfig: ClientConfig | undefined,
  secret: { name: string; namespace: string },
  now: Date,
): Promise<string> {
  try {
    const validTo = clientConfig?.url ? await expiryAtUrl(clientConfig.url) : await expiryInSecret(cluster, secret);
    const days = Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
    return `${validTo.toISOString()} (${days >= 0 ? `in ${days} days` : `EXPIRED ${-days} days ago`})`;
  } catch (error) {
    return `unknown: ${(error as Error).message.split('\n')[0]}`;
  }
}

function expiryAtUrl(url: string): Promise<Date> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    // Only the certificate is read; nothing is sent, so its chain need not be trusted here.
    const socket = tlsConnect({ host: hostname, port: Number(port || 443), rejectUnauthorized: false, timeout: 3000 });
    socket.once('secureConnect', () => {
      const validTo = socket.getPeerCertificate().valid_to;
      socket.end();
      resolve(new Date(validTo));
    });
    socket.once('timeout', () => socket.destroy(new Error(`${url}: no TLS handshake within 3 s`)));
    socket.once('error', reject);
  });
}

async function expiryInSecret(cluster: Cluster, secret: { name: string; namespace: string }): Promise<Date> {
  const object = await cluster.read<{ data?: Record<string, string> } & { kind?: string }>(
    'v1',
    'Secret',
    secret.name,
    secret.namespace,
  );
  const pem = object.data?.['tls.crt'];
  if (!pem) throw new Error(`Secret ${secret.namespace}/${secret.name} has no tls.crt`);
  return new Date(new X509Certificate(Buffer.from(pem, 'base64')).validTo);
}
