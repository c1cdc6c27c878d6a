/** Entry point of the `tributary` command (placeholder until the CLI lands). */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`tributary: not implemented yet: ${argv.join(' ')}\n`);
  return 1;
}
