import { describe, expect, it } from 'vitest';
import { findConflicts } from '../../src/core/conflicts.js';
import { noAdditions } from '../../src/core/patch.js';
import { readPod, type PodView } from '../../src/core/pod.js';
import { makePod } from '../helpers/pods.js';

function podMounting(mountPath: string): PodView {
  const reading = readPod(
    makePod({
      spec: { containers: [{ name: 'app', image: 'nginx', volumeMounts: [{ name: 'logs', mountPath }] }] },
    }),
  );
  if (!reading.ok) throw new Error(reading.message);
  return reading.pod;
}

function conflictsAdding(existing: string, added: string): string[] {
  const additions = { ...noAdditions(), appVolumeMounts: [{ name: 'sidecar-logs', mountPath: added }] };
  return findConflicts(podMounting(existing), additions);
}

describe('mount paths are compared as the directories they name', () => {
  it.each([
    ['/var/log/app', '/var/log/app/'],
    ['/var/log/app/', '/var/log/app'],
    ['/var//log/app', '/var/log/app'],
    ['/var/log/app', '/var/log/app'],
  ])('an app container mounting %s conflicts with an added mount at %s', (existing, added) => {
    expect(conflictsAdding(existing, added)).toEqual([`container "app" already mounts "${added}"`]);
  });

  it.each([
    ['/var/log/app', '/var/log/application'],
    ['/var/log/app', '/var/log'],
    ['/', '/data'],
  ])('%s and %s are different directories', (existing, added) => {
    expect(conflictsAdding(existing, added)).toEqual([]);
  });
});
