package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// injection is what the project's default template adds, as test/bench/injection.mjs read it off
// the project, with marker strings where a pod's own values go. Loaded once into typed objects;
// per request the peer deep-copies them and fills in the pod's values, as a Go injector that
// keeps its sidecar spec in typed structs does.
type injection struct {
	Sentinels           map[string]string    `json:"sentinels"`
	Containers          []corev1.Container   `json:"containers"`
	InitContainersFirst []corev1.Container   `json:"initContainersFirst"`
	InitContainersLast  []corev1.Container   `json:"initContainersLast"`
	Volumes             []corev1.Volume      `json:"volumes"`
	AppVolumeMounts     []corev1.VolumeMount `json:"appVolumeMounts"`
	AppEnv              []corev1.EnvVar      `json:"appEnv"`
	Annotations         map[string]string    `json:"annotations"`
}

func loadInjection(path string) (*injection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	spec := &injection{}
	if err := json.Unmarshal(data, spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, spec.checkSubstitutable()
}

// checkSubstitutable refuses a template that puts a pod's value where fill does not look.
func (spec *injection) checkSubstitutable() error {
	blank := map[string]string{}
	for name := range spec.Sentinels {
		blank[name] = ""
	}
	text, err := json.Marshal(spec.instantiate(blank))
	if err != nil {
		return err
	}
	for name, marker := range spec.Sentinels {
		if strings.Contains(string(text), marker) {
			return fmt.Errorf("the template puts the pod's %s in a field the Go peer does not fill (only command, args, env values and annotations)", name)
		}
	}
	return nil
}

// instantiate returns fresh copies with the pod's values in place of the markers.
func (spec *injection) instantiate(values map[string]string) *injection {
	pairs := make([]string, 0, 2*len(spec.Sentinels))
	for name, marker := range spec.Sentinels {
		pairs = append(pairs, marker, values[name])
	}
	replace := strings.NewReplacer(pairs...).Replace
	out := &injection{
		Containers:          fillContainers(spec.Containers, replace),
		InitContainersFirst: fillContainers(spec.InitContainersFirst, replace),
		InitContainersLast:  fillContainers(spec.InitContainersLast, replace),
		AppVolumeMounts:     append([]corev1.VolumeMount(nil), spec.AppVolumeMounts...),
		AppEnv:              fillEnv(spec.AppEnv, replace),
		Annotations:         make(map[string]string, len(spec.Annotations)),
	}
	for i := range spec.Volumes {
		out.Volumes = append(out.Volumes, *spec.Volumes[i].DeepCopy())
	}
	for key, value := range spec.Annotations {
		out.Annotations[key] = replace(value)
	}
	return out
}

func fillContainers(templates []corev1.Container, replace func(string) string) []corev1.Container {
	out := make([]corev1.Container, len(templates))
	for i := range templates {
		c := templates[i].DeepCopy()
		for j := range c.Command {
			c.Command[j] = replace(c.Command[j])
		}
		for j := range c.Args {
			c.Args[j] = replace(c.Args[j])
		}
		c.Env = fillEnv(c.Env, replace)
		out[i] = *c
	}
	return out
}

func fillEnv(env []corev1.EnvVar, replace func(string) string) []corev1.EnvVar {
	out := make([]corev1.EnvVar, len(env))
	for i := range env {
		out[i] = *env[i].DeepCopy()
		out[i].Value = replace(out[i].Value)
	}
	return out
}

// appPorts lists the app containers' ports, each once, in the order they are declared.
func appPorts(pod *corev1.Pod) string {
	seen := map[int32]bool{}
	ports := []string{}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if !seen[p.ContainerPort] {
				seen[p.ContainerPort] = true
				ports = append(ports, strconv.Itoa(int(p.ContainerPort)))
			}
		}
	}
	return strings.Join(ports, ",")
}
