import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

/**
 * The caBundle of the injector's own MutatingWebhookConfiguration: the CAs the API server trusts
 * when it calls the webhook. RBAC grants get and patch on this one object by name.
 */
export interface WebhookCaBundle {
  /** The PEM bundle of each webhook, in order ('' where none is set). */
  read(): Promise<string[]>;
  /** Sets every webhook's caBundle; the patch fails if the object changed since it was read. */
  publish(bundlePem: string): Promise<void>;
}

export function webhookCaBundle(kubeConfig: KubeConfig, name: string): WebhookCaBundle {
  const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const read = async (): Promise<{ version: string; bundles: string[] }> => {
    const config = await api.readMutatingWebhookConfiguration({ name });
    const bundles = (config.webhooks ?? []).map((webhook) =>
      Buffer.from(webhook.clientConfig.caBundle ?? '', 'base64').toString('utf8'),
    );
    return { version: config.metadata?.resourceVersion ?? '', bundles };
  };
  return {
    read: async () => (await read()).bundles,
    async publish(bundlePem) {
      const { version, bundles } = await read();
      if (bundles.length === 0) throw new Error(`MutatingWebhookConfiguration ${name} has no webhooks`);
      const value = Buffer.from(bundlePem, 'utf8').toString('base64');
      const body = [
        { op: 'test', path: '/metadata/resourceVersion', value: version },
        ...bundles.map((_, i) => ({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value })),
      ];
      await api.patchMutatingWebhookConfiguration(
        { name, body },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    },
  };
}
