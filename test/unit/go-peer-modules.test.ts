import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pods.js';

/** module → version as the build sees it: a replace directive's target wins over the require line. */
function moduleVersions(goMod: string): Map<string, string> {
  const versions = new Map<string, string>();
  for (const [, name, version] of goMod.matchAll(/^\s*(?:require\s+)?([\w./-]+)\s+(v[\w.+-]+)(?:\s*\/\/.*)?$/gm))
    if (name && version) versions.set(name, version);
  for (const [, name, version] of goMod.matchAll(/^\s*([\w./-]+)\s+=>\s+[\w./-]+\s+(v[\w.+-]+)\s*$/gm))
    if (name && version) versions.set(name, version);
  return versions;
}

const read = (path: string): Map<string, string> => moduleVersions(readFileSync(join(ROOT, path), 'utf8'));

// Test-only modules of ginkgo/gofuzz lineage that controller-runtime v0.22 needs newer than
// Kubernetes does; no package the peer builds imports them.
const MAY_DIFFER = new Set(['github.com/google/gofuzz', 'github.com/onsi/ginkgo/v2', 'github.com/onsi/gomega']);

describe('the Go peer shares the control plane build', () => {
  it('pins every module it shares with the control plane to the same version, so a first bench build is cached', () => {
    const peer = read('test/bench/go-peer/go.mod');
    const controlPlane = read('test/cluster/go/k8s/go.mod');
    const differing = [...peer]
      .filter(
        ([name, version]) => !MAY_DIFFER.has(name) && controlPlane.has(name) && controlPlane.get(name) !== version,
      )
      .map(([name, version]) => `${name} ${version} (control plane: ${controlPlane.get(name)})`);
    expect(peer.get('k8s.io/api')).toBe(controlPlane.get('k8s.io/api'));
    expect(differing).toEqual([]);
  });
});
