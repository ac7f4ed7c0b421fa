import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kubectl } from '../e2e/kubectl.js';
import type { Binaries } from './binaries.js';
import { startNodes } from './nodes.js';
import { controlPlanePki, httpsGet, kubeconfig, type ControlPlanePki } from './pki.js';
import { freePort, ProcessGroup, waitFor } from './processes.js';

export interface ControlPlane {
  server: string;
  kubeconfig: string;
  kubectl: Kubectl;
  version: string;
  caFile: string;
  processes: ProcessGroup;
}

async function startEtcd(processes: ProcessGroup, bin: Binaries, dir: string): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  processes.start('etcd', bin.path('etcd'), [
    '--name=etcd0',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=etcd0=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync', // a throwaway test store: durability buys nothing, fsync costs seconds
    '--log-level=warn',
  ]);
  await waitFor('etcd /health', 30_000, async () => {
    const res = await fetch(`${url}/health`);
    return res.ok ? true : undefined;
  });
  return url;
}

async function startApiserver(
  processes: ProcessGroup,
  bin: Binaries,
  pki: ControlPlanePki,
  etcd: string,
): Promise<string> {
  const port = await freePort();
  const file = (name: string): string => join(pki.dir, name);
  processes.start('kube-apiserver', bin.path('kube-apiserver'), [
    `--etcd-servers=${etcd}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(pki.dir, 'apiserver')}`,
    `--tls-cert-file=${file('tls.crt')}`,
    `--tls-private-key-file=${file('tls.key')}`,
    `--client-ca-file=${file('ca.crt')}`,
    `--token-auth-file=${file('tokens.csv')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${file('sa.pub')}`,
    `--service-account-signing-key-file=${file('sa.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
  ]);
  const server = `https://127.0.0.1:${port}`;
  const ca = readFileSync(pki.caFile, 'utf8');
  await waitFor('kube-apiserver /readyz', 120_000, async () => {
    if (!processes.isRunning('kube-apiserver')) throw new Error(`exited:\n${processes.tail('kube-apiserver')}`);
    const res = await httpsGet(`${server}/readyz`, ca, pki.token);
    return res.status === 200 ? true : undefined;
  });
  return server;
}

function startControllers(processes: ProcessGroup, bin: Binaries, pki: ControlPlanePki, admin: string): void {
  processes.start('kube-controller-manager', bin.path('kube-controller-manager'), [
    `--kubeconfig=${admin}`,
    `--service-account-private-key-file=${join(pki.dir, 'sa.key')}`,
    `--root-ca-file=${pki.caFile}`,
    '--use-service-account-credentials=true',
    '--controllers=*',
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  processes.start('kube-scheduler', bin.path('kube-scheduler'), [
    `--kubeconfig=${admin}`,
    '--leader-elect=false',
    '--secure-port=0',
  ]);
}

/**
 * etcd, kube-apiserver (RBAC, its own certificates, a service-account key), kube-controller-manager,
 * kube-scheduler and kwok with fake nodes, each on free 127.0.0.1 ports, ready when this resolves.
 */
export async function startControlPlane(bin: Binaries, dir: string, processes: ProcessGroup): Promise<ControlPlane> {
  const pki = await controlPlanePki(join(dir, 'pki'));
  const etcd = await startEtcd(processes, bin, dir);
  const server = await startApiserver(processes, bin, pki, etcd);
  const admin = join(dir, 'kubeconfig');
  writeFileSync(admin, kubeconfig(server, pki.caFile, pki.token, 'admin'), { mode: 0o600 });
  startControllers(processes, bin, pki, admin);
  const kubectl = new Kubectl(bin.path('kubectl'), admin);
  await waitFor('the default ServiceAccount (kube-controller-manager running)', 120_000, async () => {
    if (!processes.isRunning('kube-controller-manager'))
      throw new Error(`kube-controller-manager exited:\n${processes.tail('kube-controller-manager')}`);
    return (await kubectl.run(['-n', 'default', 'get', 'serviceaccount', 'default'])).code === 0 ? true : undefined;
  });
  if (bin.has('kwok')) await startNodes(processes, bin, kubectl, admin);
  const version = (await kubectl.json<{ serverVersion: { gitVersion: string } }>(['version'])).serverVersion.gitVersion;
  return { server, kubeconfig: admin, kubectl, version, caFile: pki.caFile, processes };
}
