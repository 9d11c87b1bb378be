import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { ConfigError } from '@app/errors';

/** Config files are a few kilobytes; anything larger is a wrong path, not a config. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** How much of an offending YAML line an error shows. */
const SHOWN_LINE_CHARS = 120;

/** A config file as error messages name it: the variable that points at it, and its path. */
export interface ConfigFile {
  variable: string;
  path: string;
}

export function describeFile(file: ConfigFile): string {
  return `${file.variable} ${file.path}`;
}

/**
 * The file's text, or undefined when it does not exist. Only a regular file of at most `maxBytes`
 * (1 MiB, or 1 KiB) is read: /dev/zero would never end and a FIFO would block startup. Opened
 * non-blocking so that a FIFO is refused instead of waited on, and checked on the open descriptor,
 * not the path.
 */
export function readConfigFile(file: ConfigFile, maxBytes = MAX_CONFIG_FILE_BYTES): string | undefined {
  let fd: number;
  try {
    fd = openSync(file.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(`${describeFile(file)} cannot be read (${code ?? 'error'})`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new ConfigError(`${describeFile(file)} is not a regular file`);
    // one byte more than allowed tells a file at the limit from a larger one, whatever stat said
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw new ConfigError(`${describeFile(file)} is larger than ${sizeLabel(maxBytes)}: is this the right file?`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/**
 * Parses YAML 1.2 core (no timestamps, no custom tags; js-yaml reads a 10,000-provider file in
 * tens of milliseconds, where the `yaml` package took seconds). A syntax error names the line
 * and shows it, instead of the parser's multi-line excerpt.
 */
export function parseConfigYaml(file: ConfigFile, text: string): unknown {
  try {
    // a copy: the parser's strings are slices of `text`, and would keep the whole file in memory
    // for as long as any value from it lives (all of it, 0.9 MB at 10,000 providers)
    return structuredClone(load(text, { schema: CORE_SCHEMA }));
  } catch (error) {
    if (!(error instanceof YAMLException) || !error.mark) throw new ConfigError(`${describeFile(file)} is not valid YAML`);
    const line = error.mark.line + 1;
    throw new ConfigError(
      `${describeFile(file)} is not valid YAML: line ${line}, column ${error.mark.column + 1}: ${error.reason}: ${showLine(text, line)}`,
    );
  }
}

function showLine(text: string, line: number): string {
  const lines = text.split(/\r?\n/);
  if (line > lines.length || (line === lines.length && lines[line - 1] === '')) return '(end of file)';
  const shown = lines[line - 1].trimEnd();
  if (shown.trim() === '') return '(blank line)';
  return JSON.stringify(shown.length > SHOWN_LINE_CHARS ? `${shown.slice(0, SHOWN_LINE_CHARS)}…` : shown);
}

/** Throws for the first key of `map` not in `allowed`, listing the allowed ones (typos are never ignored). */
export function refuseUnknownKeys(map: Record<string, unknown>, allowed: readonly string[], where: string, what = 'field'): void {
  const unknown = Object.keys(map).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(`${where}: unknown ${what} "${unknown}"; allowed ${what}s: ${allowed.join(', ')}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
