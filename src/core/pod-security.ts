/**
 * Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, v1.34),
 * the container- and volume-level checks a template's additions can fail. The injector adds
 * containers and volumes only, so pod-level fields (host namespaces, sysctls) are the user's.
 * A template fits the strictest level whose checks all its additions pass.
 */
export const LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type Level = (typeof LEVELS)[number];

type Json = Record<string, unknown>;

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
const BASELINE_SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
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

export interface LevelFit {
  level: Level;
  /** Why the additions do not fit the next stricter level (empty at restricted). */
  violations: string[];
}

/** The strictest level the containers and volumes fit, and what keeps them from the next one. */
export function fitLevel(containers: readonly unknown[], volumes: readonly unknown[]): LevelFit {
  const baseline = [
    ...containers.flatMap((c) => baselineViolations(asObject(c))),
    ...volumes.flatMap((v) => (asObject(v)['hostPath'] !== undefined ? [`volume ${name(v)}: hostPath`] : [])),
  ];
  if (baseline.length > 0) return { level: 'privileged', violations: baseline };
  const restricted = [
    ...containers.flatMap((c) => restrictedViolations(asObject(c))),
    ...volumes.flatMap((v) => restrictedVolumeViolations(asObject(v))),
  ];
  return restricted.length > 0
    ? { level: 'baseline', violations: restricted }
    : { level: 'restricted', violations: [] };
}

/** Whether a template that fits `fits` may run in a namespace enforcing `enforced`. */
export function allows(enforced: Level, fits: Level): boolean {
  return LEVELS.indexOf(fits) >= LEVELS.indexOf(enforced);
}

function baselineViolations(container: Json): string[] {
  const at = `container ${name(container)}`;
  const security = asObject(container['securityContext']);
  const problems: string[] = [];
  if (security['privileged'] === true) problems.push(`${at}: privileged`);
  const added = asStrings(asObject(security['capabilities'])['add']).filter((c) => !BASELINE_CAPABILITIES.has(c));
  if (added.length > 0) problems.push(`${at}: adds capabilities ${added.join(', ')}`);
  if (asArray(container['ports']).some((p) => Boolean(asObject(p)['hostPort']))) problems.push(`${at}: hostPort`);
  const selinux = asObject(security['seLinuxOptions']);
  if (!BASELINE_SELINUX_TYPES.has(String(selinux['type'] ?? '')) || selinux['user'] || selinux['role'])
    problems.push(`${at}: seLinuxOptions`);
  if (security['procMount'] !== undefined && security['procMount'] !== 'Default') problems.push(`${at}: procMount`);
  if (asObject(security['seccompProfile'])['type'] === 'Unconfined') problems.push(`${at}: seccomp Unconfined`);
  if (asObject(security['appArmorProfile'])['type'] === 'Unconfined') problems.push(`${at}: AppArmor Unconfined`);
  if (asObject(security['windowsOptions'])['hostProcess'] === true) problems.push(`${at}: hostProcess`);
  return problems;
}

function restrictedViolations(container: Json): string[] {
  const at = `container ${name(container)}`;
  const security = asObject(container['securityContext']);
  const capabilities = asObject(security['capabilities']);
  const problems: string[] = [];
  if (security['allowPrivilegeEscalation'] !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
  if (security['runAsNonRoot'] !== true) problems.push(`${at}: runAsNonRoot is not true`);
  if (security['runAsUser'] === 0) problems.push(`${at}: runAsUser 0`);
  const seccomp = asObject(security['seccompProfile'])['type'];
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
    problems.push(`${at}: seccompProfile not RuntimeDefault`);
  if (!asStrings(capabilities['drop']).includes('ALL')) problems.push(`${at}: capabilities do not drop ALL`);
  const added = asStrings(capabilities['add']).filter((c) => c !== 'NET_BIND_SERVICE');
  if (added.length > 0) problems.push(`${at}: adds capabilities ${added.join(', ')}`);
  return problems;
}

function restrictedVolumeViolations(volume: Json): string[] {
  const kinds = Object.keys(volume).filter((key) => key !== 'name');
  const other = kinds.filter((kind) => !RESTRICTED_VOLUMES.has(kind));
  return other.length > 0 ? [`volume ${name(volume)}: ${other.join(', ')}`] : [];
}

function asObject(value: unknown): Json {
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
