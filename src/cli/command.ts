import { InputError } from './context.js';

/**
 * Runs one CLI command body and turns its failure into an exit code: usage and input problems
 * (bad flags, unreadable files, a pod the webhook would deny) exit 2, anything else 1; either
 * way one line on stderr, never a stack trace.
 */
export async function runCommand(command: string, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    const usage =
      error instanceof InputError || Boolean((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`sidecar-injector ${command}: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}

/** The manifests named by `-f` and by position, in command-line order: `inject -` reads stdin. */
export function inputNames(files: readonly string[] | undefined, positionals: readonly string[]): string[] {
  return [...(files ?? []), ...positionals];
}
