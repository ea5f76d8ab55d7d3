import { neutraliseLines } from './terminal-text.js';

/**
 * Where a command writes: stdout lines, stderr lines, and whether stdout is a terminal (progress bars). Whatever is
 * written passes {@link neutraliseLines}: no character of it can drive the terminal.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  /** The stream a progress bar draws on; only used when `isTTY`. */
  readonly stream?: NodeJS.WritableStream;
}

/**
 * Lines to `stream`, until its reader goes away (`kombo-sync … | head -1`): the EPIPE that follows is no error of the
 * command, so what is left to print is dropped and the command ends as it would have, with its own exit code.
 */
function linesTo(stream: NodeJS.WriteStream): (text: string) => void {
  let isReaderGone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    isReaderGone = true;
  });
  return (text) => {
    if (!isReaderGone) stream.write(`${neutraliseLines(text)}\n`);
  };
}

/** The process's stdout/stderr. */
export function processOutput(): Output {
  return {
    out: linesTo(process.stdout),
    err: linesTo(process.stderr),
    isTTY: process.stdout.isTTY === true,
    stream: process.stdout,
  };
}

/** An output collecting lines in memory (tests), guarded like {@link processOutput}. */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(neutraliseLines(text)),
    err: (text) => stderr.push(neutraliseLines(text)),
    isTTY: false,
  };
}
