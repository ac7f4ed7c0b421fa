// The Go peer: the webhook most users would otherwise run, written the way Go injectors (Istio,
// Linkerd, Vault, Dapr, the OpenTelemetry operator) are: controller-runtime's webhook server and
// admission package, the review decoded into a typed corev1.Pod, the pod mutated in place and the
// answer computed by PatchResponseFromRaw (a JSON diff of the raw and re-encoded pod). It injects
// what the project's default template renders (classic sidecars), logs one JSON line per
// request at info (controller-runtime's zap logger) and keeps controller-runtime's own webhook
// metrics, so it does the same work as the project. What it injects is read at start (see
// injection.go); the benchmark checks that applying its patch gives the same containers, init
// containers, volumes and annotations as the project's.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

type injector struct {
	decoder admission.Decoder
	spec    *injection
}

func (h *injector) Handle(ctx context.Context, req admission.Request) admission.Response {
	started := time.Now()
	log := ctrl.LoggerFrom(ctx)
	pod := &corev1.Pod{}
	if err := h.decoder.Decode(req, pod); err != nil {
		log.Info("bad admission request", "err", err.Error())
		return admission.Errored(http.StatusBadRequest, err)
	}
	reason := skipReason(pod)
	if reason != "" {
		log.Info("admission", "uid", req.UID, "namespace", req.Namespace, "outcome", "skipped", "reason", reason,
			"ms", time.Since(started).Seconds()*1e3)
		return admission.Allowed(reason)
	}
	h.inject(pod, req.Namespace)
	current, err := json.Marshal(pod)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	response := admission.PatchResponseFromRaw(req.Object.Raw, current)
	log.Info("admission", "uid", req.UID, "namespace", req.Namespace, "outcome", "patched",
		"reason", "namespace_enabled", "templates", "proxy", "ms", time.Since(started).Seconds()*1e3)
	return response
}

func skipReason(pod *corev1.Pod) string {
	if strings.EqualFold(strings.TrimSpace(pod.Annotations["sidecar.inject"]), "false") {
		return "pod_opted_out"
	}
	if _, done := pod.Annotations["sidecar.inject/status"]; done {
		return "already_injected"
	}
	return ""
}

func (h *injector) inject(pod *corev1.Pod, namespace string) {
	name := pod.Name
	if name == "" {
		name = pod.GenerateName
	}
	serviceAccount := pod.Spec.ServiceAccountName
	if serviceAccount == "" {
		serviceAccount = "default"
	}
	add := h.spec.instantiate(map[string]string{
		"name": name, "namespace": namespace, "serviceAccount": serviceAccount, "ports": appPorts(pod),
	})
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		c.VolumeMounts = append(c.VolumeMounts, add.AppVolumeMounts...)
		c.Env = append(c.Env, add.AppEnv...)
	}
	pod.Spec.Containers = append(pod.Spec.Containers, add.Containers...)
	pod.Spec.InitContainers = append(append(add.InitContainersFirst, pod.Spec.InitContainers...), add.InitContainersLast...)
	pod.Spec.Volumes = append(pod.Spec.Volumes, add.Volumes...)
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	for key, value := range add.Annotations {
		pod.Annotations[key] = value
	}
}

func main() {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stdout), zap.UseDevMode(false)))
	port, err := strconv.Atoi(os.Getenv("PORT"))
	if err != nil {
		fail("PORT: " + err.Error())
	}
	certFile, keyFile := os.Getenv("TLS_CERT_FILE"), os.Getenv("TLS_KEY_FILE")
	server := webhook.NewServer(webhook.Options{
		Port:     port,
		Host:     "127.0.0.1",
		CertDir:  filepath.Dir(certFile),
		CertName: filepath.Base(certFile),
		KeyName:  filepath.Base(keyFile),
	})
	spec, err := loadInjection(os.Getenv("INJECTION_FILE"))
	if err != nil {
		fail("INJECTION_FILE: " + err.Error())
	}
	hook := &webhook.Admission{Handler: &injector{decoder: admission.NewDecoder(clientgoscheme.Scheme), spec: spec}}
	server.Register("/mutate", hook)
	server.WebhookMux().HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Start(ctx); err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	os.Stderr.WriteString("go-peer: " + message + "\n")
	os.Exit(1)
}
