#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { COMMAND_HELP, USAGE } from './help.js';

export type Command = (args: string[]) => Promise<number>;

// Loaded on demand: `inject` need not pay for prom-client, nor `serve` for the CLI.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).runServe,
  certs: async () => (await import('./certs.js')).runCerts,
  inject: async () => (await import('./manifests.js')).runInject,
  explain: async () => (await import('./manifests.js')).runExplain,
  uninject: async () => (await import('./uninject.js')).runUninject,
  status: async () => (await import('./status.js')).runStatus,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`sidecar-injector: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  // Every command answers --help the same way, before it parses (or acts on) anything else.
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${COMMAND_HELP[command] ?? USAGE}\n`);
    return 0;
  }
  return (await load())(rest);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sidecar-injector: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
