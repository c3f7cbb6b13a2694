// Loads the station configuration: YAML file → ${env:NAME} substitution → strict zod parse.
// Errors name the file and the key path, so an operator can fix the file without reading code.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type StationConfig } from '../../shared/config/schema.ts';
import { ErrorCodes, StationError } from '../../shared/errors.ts';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces "${env:NAME}" in every string value; a missing variable is an error naming the key path. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[] = [], within: ReadonlySet<object> = new Set()): unknown {
  if (value !== null && typeof value === 'object' && within.has(value)) {
    // A YAML alias inside its own anchor ("a: &x {b: *x}") makes a cycle; walking it would blow the stack.
    throw new StationError(ErrorCodes.CONFIG_INVALID, `config ${formatPath(path)}: refers to itself (a YAML alias inside its own anchor)`, { path: formatPath(path) });
  }
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new StationError(
          ErrorCodes.CONFIG_MISSING_ENV,
          `config ${formatPath(path)}: environment variable ${name} is not set`,
          { path: formatPath(path), variable: name },
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) {
    const inner = new Set(within).add(value);
    return value.map((v, i) => substituteEnv(v, env, [...path, i], inner));
  }
  if (value !== null && typeof value === 'object') {
    const inner = new Set(within).add(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], inner)]));
  }
  return value;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** One line per problem: "devices.barcode.baud: unknown key". */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
    } else {
      lines.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

/** Parses an already-read configuration object (the YAML document's value). */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'configuration'): StationConfig {
  const substituted = substituteEnv(raw ?? {}, env);
  const result = ConfigSchema.safeParse(substituted);
  if (!result.success) {
    const problems = formatIssues(result.error.issues);
    throw new StationError(
      ErrorCodes.CONFIG_INVALID,
      `${source} is invalid:\n  ${problems.join('\n  ')}\nSee config/station.example.yaml and config/station.schema.json.`,
      { source, problems },
    );
  }
  return result.data;
}

/** Loads the configuration file, or the embedded defaults when no file is given. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): StationConfig {
  if (file === undefined) return parseConfig({}, env, 'embedded defaults');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StationError(ErrorCodes.CONFIG_UNREADABLE, `cannot read config file ${file}: ${(e as Error).message}`, { file });
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    throw new StationError(ErrorCodes.CONFIG_INVALID, `config file ${file} is not valid YAML${where}: ${first.message.split('\n')[0]}`, {
      file,
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // yaml refuses alias bombs ("Excessive alias count …") with its own ReferenceError.
    throw new StationError(ErrorCodes.CONFIG_INVALID, `config file ${file} is not a usable YAML document: ${(e as Error).message}`, { file });
  }
  return parseConfig(raw, env, `config file ${file}`);
}
