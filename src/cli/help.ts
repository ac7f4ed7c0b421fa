/** What `sidecar-injector --help` and `sidecar-injector <command> --help` print. */
export const USAGE = `Usage: sidecar-injector <command> [options]

Commands:
  serve [--dev]                  run the webhook (configured by environment variables)
  certs [--out DIR] [--reuse-ca] create a CA (or reuse it) and a serving certificate for the Service
  inject [FILE|DIR|-]...         print the manifests with sidecars injected
  uninject [FILE|DIR|-]...       print the manifests with what the injector added taken out
  explain [FILE|DIR|-]...        say for each pod whether it would be injected, and why
  explain KIND/NAME [-n NS]      the same for a live object, with the webhooks that match it
  status [-n NS | -A] [--restart] which workloads run current, outdated or missing sidecars

Run 'sidecar-injector <command> --help' for a command's options.

Options:
  -h, --help      show this help
  -v, --version   show the version`;

const INPUT = `Input:
  FILE, -f FILE   a YAML or JSON file (multi-document streams and List objects included)
  DIR, -f DIR     every .yaml, .yml and .json file below DIR, in name order
  -, -f -         standard input, e.g. kubectl get deploy web -o yaml | sidecar-injector inject -
Documents that have no pod to change are printed exactly as read.`;

const DECISION = `  -n, --namespace NS         namespace for objects without metadata.namespace (default: default)
  --namespace-labels FILE    namespace labels as YAML (namespace -> labels); without it the
                             kubeconfig's cluster is asked, if there is one
  --templates DIR            template directory (default: the templates this package ships)
  --default-templates LIST   templates for pods that name none (default: proxy)
  --native auto|true|false   native sidecars (restartPolicy: Always init containers)
  --injector-namespace NS    the injector's own namespace, never injected (default: sidecar-injector)
  --namespace-label KEY      the namespace label key, as NAMESPACE_LABEL (default: istio-injection)
  --istio-alias true|false   read sidecar.istio.io/inject as sidecar.inject (default: true)`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: sidecar-injector serve [--dev]

Runs the webhook, configured by environment variables (see the README).
  --dev   create development certificates if missing and read sample namespace labels`,
  certs: `Usage: sidecar-injector certs [options]

Creates a CA and a serving certificate for <service>.<namespace>.svc.
  --out DIR          where to write them (default: certs)
  --service NAME     the Service name (default: sidecar-injector)
  --namespace NS     the Service namespace (default: sidecar-injector)
  --days N           serving certificate lifetime, 1 to 3650 (default: 365)
  --reuse-ca         keep DIR/ca.crt and ca.key, renew only the serving certificate`,
  inject: `Usage: sidecar-injector inject [FILE|DIR|-]... [options]

Prints the manifests with sidecars injected into every pod and pod template the webhook would
inject; exits 2 naming the document if the webhook would deny one.

${INPUT}

Options:
${DECISION}
  -h, --help                 show this help`,
  uninject: `Usage: sidecar-injector uninject [FILE|DIR|-]...

Prints the manifests with exactly what the injector added (as its status annotation records)
taken out of every pod and pod template, and the status annotation removed.

${INPUT}`,
  explain: `Usage: sidecar-injector explain [FILE|DIR|-]... [options]
       sidecar-injector explain KIND/NAME [-n NS] [options]

Prints, for each pod and pod template, whether the webhook would inject it, and why:
kind/name DECISION reason templates.

With KIND/NAME (pod, deploy, sts, ds, rs, rc, job, cronjob) it reads the live object and its
namespace through the kubeconfig and also says whether the API server will send the pod to our
webhooks (rules, selectors, each matchCondition), which other mutating webhooks match it, the
namespace's Pod Security labels and when the serving certificate expires.
  --webhook-configuration NAME   our MutatingWebhookConfiguration (default: sidecar-injector);
                                 unless given, --namespace-label and --istio-alias are read
                                 from it, as installed

${INPUT}

Options:
${DECISION}
  -o, --output text|json     output format (default: text)
  -h, --help                 show this help`,
  status: `Usage: sidecar-injector status [-n NS | -A] [--restart [--dry-run]] [options]

Reads the live cluster (kubeconfig) and lists its workloads by owner (Deployment, StatefulSet,
DaemonSet, CronJob, Job, ReplicaSet or bare Pod), worst first:
  missing    today's rules would inject its pods, but they have no sidecars (created while the
             webhook was down, or before the namespace was labelled)
  outdated   its pods got a template that has changed since (the detail names it)
  current    every template its pods got is today's
  skipped    not injected, by a rule (the detail gives the reason)
Finished pods and pods being deleted are left out.

Options:
  -n, --namespace NS         one namespace (default: the kubeconfig context's)
  -A, --all-namespaces       every namespace
  --restart                  restart the owners of missing and outdated pods as
                             kubectl rollout restart does (pod template annotation)
  --dry-run                  with --restart: the API server checks each restart, nothing changes
  -o, --output text|json     output format (default: text)
  --templates DIR            today's templates (default: the templates this package ships)
  --default-templates LIST, --native auto|true|false, --injector-namespace NS,
  --namespace-label KEY, --istio-alias true|false: as for inject; unless given, the
                             label key and the alias are read from the installed webhook
  --webhook-configuration NAME   our MutatingWebhookConfiguration (default: sidecar-injector)
  -h, --help                 show this help`,
};
