/**
 * The Pod Security Standards' container- and volume-level checks, each with the policy versions
 * that have it (k8s.io/pod-security-admission/policy at v1.34: a check's MinimumVersion, and the
 * version a later one replaced it at). The injector adds containers and volumes only, so
 * pod-level fields (host namespaces, sysctls) are the user's.
 */
export type Json = Record<string, unknown>;

/** One way the additions fail a level, from policy v1.`since` (through v1.`until`, when a later version relaxed it). */
export interface Violation {
  level: 'baseline' | 'restricted';
  since: number;
  until?: number;
  text: string;
}

/** Capabilities baseline lets a container add (the Docker defaults minus the risky ones). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const BASELINE_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
/** Allowed from policy v1.31 on. */
const SELINUX_TYPE_SINCE_1_31 = 'container_engine_t';
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const baseline = (since: number, text: string, until?: number): Violation =>
  until === undefined ? { level: 'baseline', since, text } : { level: 'baseline', since, until, text };
const restricted = (since: number, text: string): Violation => ({ level: 'restricted', since, text });

export function baselineViolations(container: Json): Violation[] {
  const at = `container ${name(container)}`;
  const security = asObject(container['securityContext']);
  const problems: Violation[] = [];
  if (security['privileged'] === true) problems.push(baseline(0, `${at}: privileged`));
  const added = asStrings(asObject(security['capabilities'])['add']).filter((c) => !BASELINE_CAPABILITIES.has(c));
  if (added.length > 0) problems.push(baseline(0, `${at}: adds capabilities ${added.join(', ')}`));
  if (asArray(container['ports']).some((p) => Boolean(asObject(p)['hostPort'])))
    problems.push(baseline(0, `${at}: hostPort`));
  problems.push(...seLinuxViolations(at, asObject(security['seLinuxOptions'])));
  if (security['procMount'] !== undefined && security['procMount'] !== 'Default')
    problems.push(baseline(0, `${at}: procMount`));
  // Policies before v1.19 read seccomp from the annotations only, not from this field.
  if (asObject(security['seccompProfile'])['type'] === 'Unconfined')
    problems.push(baseline(19, `${at}: seccomp Unconfined`));
  if (asObject(security['appArmorProfile'])['type'] === 'Unconfined')
    problems.push(baseline(0, `${at}: AppArmor Unconfined`));
  if (asObject(security['windowsOptions'])['hostProcess'] === true) problems.push(baseline(0, `${at}: hostProcess`));
  if (probeHosts(container).length > 0)
    problems.push(baseline(34, `${at}: host set in ${probeHosts(container).join(', ')}`));
  return problems;
}

function seLinuxViolations(at: string, selinux: Json): Violation[] {
  const type = String(selinux['type'] ?? '');
  const problems: Violation[] = [];
  if (type === SELINUX_TYPE_SINCE_1_31) problems.push(baseline(0, `${at}: seLinuxOptions type ${type}`, 30));
  else if (!BASELINE_SELINUX_TYPES.has(type)) problems.push(baseline(0, `${at}: seLinuxOptions type ${type}`));
  if (selinux['user'] || selinux['role']) problems.push(baseline(0, `${at}: seLinuxOptions user or role`));
  return problems;
}

/** Probes and lifecycle handlers that name a host: baseline forbids it from v1.34 (the kubelet would connect there). */
function probeHosts(container: Json): string[] {
  const lifecycle = asObject(container['lifecycle']);
  const handlers: Array<[string, Json]> = [
    ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((key): [string, Json] => [
      key,
      asObject(container[key]),
    ]),
    ...['postStart', 'preStop'].map((key): [string, Json] => [`lifecycle.${key}`, asObject(lifecycle[key])]),
  ];
  return handlers
    .filter(([, handler]) => ['httpGet', 'tcpSocket'].some((kind) => Boolean(asObject(handler[kind])['host'])))
    .map(([where]) => where);
}

export function restrictedViolations(container: Json): Violation[] {
  const at = `container ${name(container)}`;
  const security = asObject(container['securityContext']);
  const capabilities = asObject(security['capabilities']);
  const problems: Violation[] = [];
  if (security['allowPrivilegeEscalation'] !== false)
    problems.push(restricted(8, `${at}: allowPrivilegeEscalation is not false`));
  if (security['runAsNonRoot'] !== true) problems.push(restricted(0, `${at}: runAsNonRoot is not true`));
  if (security['runAsUser'] === 0) problems.push(restricted(23, `${at}: runAsUser 0`));
  const seccomp = asObject(security['seccompProfile'])['type'];
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
    problems.push(restricted(19, `${at}: seccompProfile not RuntimeDefault`));
  if (!asStrings(capabilities['drop']).includes('ALL'))
    problems.push(restricted(22, `${at}: capabilities do not drop ALL`));
  // Before v1.22 restricted checks added capabilities with baseline's list (see baselineViolations).
  const added = asStrings(capabilities['add']).filter((c) => c !== 'NET_BIND_SERVICE');
  if (added.length > 0) problems.push(restricted(22, `${at}: adds capabilities ${added.join(', ')}`));
  return problems;
}

export function volumeViolations(volume: Json): Violation[] {
  if (volume['hostPath'] !== undefined) return [baseline(0, `volume ${name(volume)}: hostPath`)];
  const other = Object.keys(volume).filter((key) => key !== 'name' && !RESTRICTED_VOLUMES.has(key));
  return other.length > 0 ? [restricted(0, `volume ${name(volume)}: ${other.join(', ')}`)] : [];
}

export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asStrings(value: unknown): string[] {
  return asArray(value).map(String);
}

function name(value: unknown): string {
  return String(asObject(value)['name'] ?? '');
}
