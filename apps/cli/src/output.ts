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

/** The process's stdout/stderr. */
export function processOutput(): Output {
  return {
    out: (text) => process.stdout.write(`${neutraliseLines(text)}\n`),
    err: (text) => process.stderr.write(`${neutraliseLines(text)}\n`),
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
