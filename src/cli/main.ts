#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCerts } from './certs.js';
import { runServe } from './serve.js';
import { runExplain, runInject } from './manifests.js';

const USAGE = `Usage: sidecar-injector <command> [options]

Commands:
  serve [--dev]                 run the webhook (configured by environment variables)
  certs [--out DIR] [--reuse-ca] create a CA (or reuse it) and a serving certificate for the Service
  inject -f FILE|-              print the manifests with sidecars injected
  explain -f FILE|- [-o json]   say for each pod whether it would be injected, and why

Options:
  -h, --help      show this help
  -v, --version   show the version`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = { serve: runServe, certs: runCerts, inject: runInject, explain: runExplain };

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
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`sidecar-injector: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  return run(rest);
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
