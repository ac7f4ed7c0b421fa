import { inject, type Injection, type InjectionSettings } from './core/inject.js';
import { decodeReview, encodeReview, isPodCreate, type Outcome } from './core/review.js';
import type { TemplateSet } from './core/templates.js';
import type { NamespaceSource } from './namespaces/source.js';

export interface AdmissionContext {
  namespaces: NamespaceSource;
  /** The current template set; a reload swaps it between requests, never during one. */
  templates: () => TemplateSet;
  settings: InjectionSettings;
}

export type AdmissionResultKind = 'injected' | 'skipped' | 'denied' | 'error' | 'invalid';

export interface AdmissionResult {
  status: number;
  body: string;
  kind: AdmissionResultKind;
  reason: string;
  /** Fields for the request's single log line: never the pod itself. */
  fields: Record<string, unknown>;
}

/** One request: decode, look up the namespace, run the pure core, encode. Never throws. */
export async function admit(body: string, context: AdmissionContext): Promise<AdmissionResult> {
  const decoded = decodeReview(body);
  if (!decoded.ok) {
    return {
      status: 400,
      body: JSON.stringify({ message: decoded.message }),
      kind: 'invalid',
      reason: 'bad_request',
      fields: { uid: decoded.uid, error: decoded.message },
    };
  }
  const { apiVersion, request } = decoded;
  const objectMeta = (request.object as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  // Kept short: this is the one line per pod creation at the default level.
  const fields: Record<string, unknown> = {
    uid: request.uid,
    namespace: request.namespace,
    name: request.name || logText(objectMeta?.name) || logText(objectMeta?.generateName),
  };
  const reply = (kind: AdmissionResultKind, reason: string, outcome: Outcome): AdmissionResult => ({
    status: 200,
    body: encodeReview(apiVersion, request.uid, outcome),
    kind,
    reason,
    fields: { ...fields, decision: kind, reason },
  });
  try {
    if (!isPodCreate(request))
      return reply('skipped', 'not_pod_create', {
        allowed: true,
        warnings: [],
        audit: audit('skip', 'not_pod_create'),
      });
    const namespace = request.namespace ?? '';
    const namespaceLabels = await context.namespaces.labelsOf(namespace);
    const injection = inject({
      object: request.object,
      namespace,
      namespaceLabels,
      templates: context.templates(),
      settings: context.settings,
    });
    const result = reply(kindOf(injection), injection.reason, outcomeOf(injection));
    if (!namespaceLabels.known) result.fields['namespaceLabels'] = namespaceLabels.why;
    if (injection.kind === 'inject')
      Object.assign(result.fields, { templates: injection.templates, native: injection.native });
    return result;
  } catch (error) {
    // A bug must still answer with the uid and a reason, never a stack trace or a dropped socket.
    const message = `internal error: ${(error as Error)?.message ?? String(error)}`.slice(0, 300);
    const result = reply('error', 'internal_error', {
      allowed: false,
      code: 500,
      message,
      warnings: [],
      audit: audit('error', 'internal_error'),
    });
    result.fields['error'] = message;
    return result;
  }
}

/** The pod is unvalidated: only a bounded string from it may reach a log line. */
function logText(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 253) : undefined;
}

function kindOf(injection: Injection): AdmissionResultKind {
  return injection.kind === 'inject' ? 'injected' : injection.kind === 'skip' ? 'skipped' : 'denied';
}

function outcomeOf(injection: Injection): Outcome {
  switch (injection.kind) {
    case 'inject':
      return {
        allowed: true,
        patch: injection.ops,
        warnings: injection.warnings,
        audit: audit('inject', injection.reason),
      };
    case 'skip':
      return { allowed: true, warnings: injection.warnings, audit: audit('skip', injection.reason) };
    case 'deny':
      return {
        allowed: false,
        code: 400,
        message: injection.message,
        warnings: injection.warnings,
        audit: audit('deny', injection.reason),
      };
  }
}

/** Audit annotation keys must not contain "/": the API server prefixes them with the webhook name. */
function audit(decision: string, reason: string): Record<string, string> {
  return { decision, reason };
}
