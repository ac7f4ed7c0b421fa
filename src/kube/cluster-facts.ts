import type { KubeConfig } from '@kubernetes/client-node';

/** What the webhook needs to know about the cluster it serves, beyond namespaces. */
export interface ServerVersion {
  major: number;
  minor: number;
  gitVersion: string;
}

/**
 * Native sidecars (init containers with restartPolicy Always) are on by default from 1.29, which
 * every supported Kubernetes release is past. So an unknown version (no cluster to ask, or no
 * answer) means native, and a Job's pod completes; only a cluster that says it is older gets
 * classic sidecars.
 */
export function supportsNativeSidecars(version: ServerVersion | undefined): boolean {
  if (version === undefined || !Number.isInteger(version.major) || !Number.isInteger(version.minor)) return true;
  return version.major > 1 || (version.major === 1 && version.minor >= 29);
}

/** The API server's version, or undefined when it cannot be asked within the timeout. */
export async function serverVersion(kubeConfig: KubeConfig, timeoutMs = 5_000): Promise<ServerVersion | undefined> {
  const { VersionApi } = await import('@kubernetes/client-node');
  const request = kubeConfig.makeApiClient(VersionApi).getCode();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    const info = await Promise.race([request, timeout]);
    if (!info) return undefined;
    return {
      major: Number.parseInt(info.major, 10),
      minor: Number.parseInt(info.minor, 10),
      gitVersion: info.gitVersion,
    };
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The native-sidecar mode and whether the cluster can run it at all (`supported`: known only when
 * auto asked the cluster). NATIVE_SIDECARS: true/false as set; auto asks the cluster, and without
 * an answer means native (every supported Kubernetes release has native sidecars).
 */
export interface NativeSidecars {
  native: boolean;
  supported?: boolean;
  version?: ServerVersion;
}

export async function nativeSidecars(
  setting: 'auto' | 'true' | 'false',
  kubeConfig: KubeConfig | undefined,
): Promise<NativeSidecars> {
  if (setting !== 'auto') return { native: setting === 'true' };
  const version = kubeConfig ? await serverVersion(kubeConfig) : undefined;
  if (!version) return { native: true };
  return { native: supportsNativeSidecars(version), supported: supportsNativeSidecars(version), version };
}

/**
 * The cluster only when one is configured: in-cluster, KUBECONFIG or ~/.kube/config that exists,
 * never the client's localhost:8080 guess. The client (~75 MB resident) is loaded only then.
 */
export async function loadKubeConfig(env: NodeJS.ProcessEnv, home: string): Promise<KubeConfig | undefined> {
  const { existsSync } = await import('node:fs');
  const kubeconfig = env['KUBECONFIG'] || `${home}/.kube/config`;
  const inCluster = Boolean(env['KUBERNETES_SERVICE_HOST']);
  if (!inCluster && !kubeconfig.split(':').some((f) => f && existsSync(f))) return undefined;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}
