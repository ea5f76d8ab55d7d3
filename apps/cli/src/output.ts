/** Where a command writes: stdout lines, stderr lines, and whether stdout is a terminal (progress bars). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  /** The stream a progress bar draws on; only used when `isTTY`. */
  readonly stream?: NodeJS.WritableStream;
}

/** The process's stdout/stderr. */
export function processOutput(): Output {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isTTY: process.stdout.isTTY === true,
    stream: process.stdout,
  };
}

/** An output collecting lines in memory (tests). */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    isTTY: false,
  };
}
