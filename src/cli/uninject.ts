import { parseArgs } from 'node:util';
import { uninjectOps } from '../core/uninject.js';
import { findPodSites } from '../core/workloads.js';
import { inputNames, runCommand } from './command.js';
import { InputError } from './context.js';
import { joinOutputs, readSources, type Source } from './input.js';
import { applyToDocument } from './yaml-patch.js';
import { parseStream, renderStream } from './yaml-stream.js';

/**
 * sidecar-injector uninject: takes out of each pod or pod template exactly what its status
 * annotation says the injector added. Documents without that annotation pass through unchanged.
 */
export function runUninject(args: string[]): Promise<number> {
  return runCommand('uninject', async () => {
    const { values, positionals } = parseArgs({
      args,
      options: { file: { type: 'string', short: 'f', multiple: true } },
      strict: true,
      allowPositionals: true,
    });
    const sources = readSources(inputNames(values.file, positionals));
    process.stdout.write(joinOutputs(sources.map(uninjectSource)));
  });
}

function uninjectSource(source: Source): string {
  const segments = parseStream(source);
  for (const [index, segment] of segments.entries()) {
    for (const site of findPodSites(segment.doc.toJS())) {
      const result = uninjectOps(site.pod);
      if (result.kind === 'invalid') {
        throw new InputError(`${source.name}: document ${index}: ${site.kind}/${site.name}: ${result.message}`);
      }
      if (result.kind === 'removed') {
        applyToDocument(segment.doc, site.path, result.ops);
        segment.changed = true;
      }
    }
  }
  return renderStream(segments);
}
