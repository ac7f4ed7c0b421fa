import type { Parameter } from './params.js';
import type { PlaceholderScope } from './placeholders.js';

/**
 * A template's parameter table as a whole: no name or source declared twice, a request's
 * ceiling is a parameter of its type, and no annotation falls under a map's prefix (it would be
 * read twice, once as a map entry).
 */
export function parameterTableProblems(parameters: readonly Parameter[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const param of parameters) {
    const keys = [param.name, param.annotation, param.annotationPrefix, param.namespaceLabel].filter(
      (key): key is string => key !== undefined,
    );
    if (keys.some((key) => seen.has(key)))
      problems.push(`parameters: ${param.name} (${keys.join(', ')}) is declared twice`);
    for (const key of keys) seen.add(key);
    const ceiling = parameters.find((other) => other.name === param.notAbove);
    if (param.notAbove !== undefined && ceiling?.type !== param.type)
      problems.push(`parameters: ${param.name}.notAbove must name another ${param.type} parameter`);
  }
  for (const map of parameters.filter((p) => p.annotationPrefix !== undefined)) {
    for (const other of parameters.filter((p) => p.annotation?.startsWith(map.annotationPrefix ?? '')))
      problems.push(`parameters: ${other.annotation} falls under the map prefix ${map.annotationPrefix}`);
  }
  return problems;
}

/** The names placeholders may use: scalars as `{{ params.x }}`, maps in `$forEach`. */
export function placeholderScope(parameters: readonly Parameter[]): PlaceholderScope {
  const isMap = (p: Parameter): boolean => p.annotationPrefix !== undefined;
  return {
    params: new Set(parameters.filter((p) => !isMap(p)).map((p) => p.name)),
    maps: new Set(parameters.filter(isMap).map((p) => p.name)),
  };
}
