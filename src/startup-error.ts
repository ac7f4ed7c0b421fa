/** Why the process cannot start: one line per problem, each naming what to fix. Exit code 1. */
export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}
