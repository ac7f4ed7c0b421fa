/**
 * Where the pod lives in each workload kind, so the CLI injects exactly what the webhook would
 * inject into the pods the controller later creates.
 */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export interface PodSite {
  /** Path from the document root to the pod (or pod template) object. */
  path: (string | number)[];
  kind: string;
  name: string;
  namespace: string | undefined;
  /** The pod object itself, or the template: the patch is built against exactly this. */
  pod: unknown;
  /** What the controller's pods will be called: `<workload>-`, for templates without a name. */
  nameHint: string;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every pod or pod template in a document, descending into `List` items. */
export function findPodSites(document: unknown, path: (string | number)[] = []): PodSite[] {
  if (!isObject(document)) return [];
  const kind = typeof document['kind'] === 'string' ? document['kind'] : '';
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(document['items']))) {
    return (document['items'] as unknown[]).flatMap((item, index) => findPodSites(item, [...path, 'items', index]));
  }
  const templatePath = POD_TEMPLATE_PATHS[kind];
  if (!templatePath) return [];
  const template = templatePath.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
  if (!isObject(template) || !isObject(template['spec'])) return [];
  const metadata = isObject(document['metadata']) ? document['metadata'] : {};
  return [
    {
      path: [...path, ...templatePath],
      kind,
      name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
      namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined,
      pod: template,
      nameHint: kind === 'Pod' ? '' : `${String(metadata['name'] ?? '')}-`,
    },
  ];
}
