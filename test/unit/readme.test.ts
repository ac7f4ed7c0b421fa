import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config.js';
import { REASONS } from '../../src/core/reasons.js';
import { ROOT } from '../helpers/pods.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The rows of the first Markdown table after `marker`, as trimmed cells, header and rule dropped. */
function tableAfter(marker: string): string[][] {
  const lines = README.slice(README.indexOf(marker)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines.slice(start + 2, end).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

describe('README', () => {
  it('lists every reason of the one reasons table, in its order, with its decision, status and sentence', () => {
    const expected = Object.entries(REASONS).map(([code, row]) => [
      `\`${code}\``,
      'code' in row ? `${[row.outcome].flat().join(' or ')} ${row.code}` : row.outcome,
      row.sentence,
    ]);
    expect(tableAfter('<!-- reasons:')).toEqual(expected);
  });

  it('documents every configuration variable, and no other', () => {
    const documented = tableAfter('## Configuration').flatMap((row) =>
      [...(row[0] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]),
    );
    expect(documented.sort()).toEqual(Object.keys(ConfigSchema.shape).sort());
  });
});
