/** A failure the CLI reports as one clear line (or a JSON error) and a non-zero exit. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly code = 'error',
  ) {
    super(message);
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Prints data as JSON with --json, else through the human formatter. */
export function emit<T>(data: T, opts: OutputOptions, human: (data: T) => string): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human(data)}\n`);
}

/** Parses a --input / --vars style JSON argument, naming the flag when it is not JSON. */
export function parseJsonArg(flag: string, raw: string | undefined, fallback: unknown = {}): unknown {
  if (raw === undefined) return fallback;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new CliError(`${flag} is not valid JSON: ${(err as Error).message}. Example: ${flag} '{"name":"Ada"}'`, 2, 'bad_input');
  }
}
