export async function runInject(_args: string[]): Promise<number> {
  process.stderr.write('not yet\n');
  return 2;
}
export async function runExplain(_args: string[]): Promise<number> {
  process.stderr.write('not yet\n');
  return 2;
}
