import { decide, type NamespaceLabels } from '../core/decide.js';
import type { InjectionSettings } from '../core/inject.js';
import { errored, type Outcome } from '../core/outcome.js';
import type { AdmissionRequest } from '../core/review.js';
import type { TemplateSet } from '../core/templates.js';
import { safeText } from '../core/text.js';

/** One decoded request in, one Outcome out; knows nothing of HTTP (after controller-runtime). */
export interface AdmissionHandler {
  handle(request: AdmissionRequest): Promise<Outcome>;
}

export interface HandlerParts {
  namespaces: { labelsOf(namespace: string): Promise<NamespaceLabels> };
  /** The current template set; a reload swaps it between requests, never during one. */
  templates: { current(): TemplateSet };
  settings: InjectionSettings;
}

/** Gathers the namespace's labels and the current templates, then lets the core decide. Never throws. */
export function createAdmissionHandler(parts: HandlerParts): AdmissionHandler {
  return {
    async handle(request) {
      try {
        const namespace = request.namespace ?? '';
        const namespaceLabels: NamespaceLabels = namespace
          ? await parts.namespaces.labelsOf(namespace)
          : { known: false, why: 'the request names no namespace' };
        return decide({
          request,
          object: request.object,
          namespace,
          namespaceLabels,
          templates: parts.templates.current(),
          settings: parts.settings,
        });
      } catch (error) {
        return internalError(error);
      }
    },
  };
}

/** A bug must still answer with the uid and a reason, never a stack trace or a dropped socket. */
export function internalError(error: unknown): Outcome {
  return errored('internal_error', `internal error: ${safeText((error as Error)?.message ?? String(error), 300)}`);
}
