// REST routes under /api/v1/: the CLI's questions (who-can, can-i, paths, secret-access), parsed and
// answered by the same functions the CLI calls, so both give the same JSON for the same question.

import { DEFAULT_MAX_HOPS } from '../analysis/paths.js';
import { UsageError } from '../errors.js';
import { CLUSTER_ADMIN } from '../ids.js';
import { canIAnswer, canIQuestion } from '../cli/can-i.js';
import { ParamError } from '../cli/params.js';
import { pathsAnswer, pathsQuestion, secretAccessAnswer, secretAccessQuestion } from '../cli/paths.js';
import { requestFromArgs, whoCanAnswer } from '../cli/who-can.js';
import type { ServedSnapshot } from './state.js';

/** An answer that is not a 200: its status, a stable code, the message, and the parameter at fault. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON(): { error: { code: string; message: string; parameter?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.param !== undefined ? { parameter: this.param } : {}) } };
  }
}

/** The parameters of one route: each single-valued unless listed as repeatable; nothing else is accepted. */
class Params {
  constructor(
    private readonly q: URLSearchParams,
    single: string[],
    private readonly repeatable: string[] = [],
  ) {
    const known = new Set([...single, ...repeatable]);
    const seen = new Set<string>();
    for (const k of q.keys()) {
      if (!known.has(k)) {
        throw new HttpError(400, 'USAGE', `unknown parameter "${k}" (this endpoint takes ${[...known].join(', ')})`, k);
      }
      if (seen.has(k) && !repeatable.includes(k)) throw new HttpError(400, 'USAGE', `parameter ${k} is given more than once`, k);
      seen.add(k);
    }
  }

  /** A text parameter; absent is undefined, empty is an error (say nothing rather than nothing). */
  str(name: string): string | undefined {
    const v = this.q.get(name);
    if (v === null) return undefined;
    if (v === '') throw new HttpError(400, 'USAGE', `parameter ${name} is empty`, name);
    return v;
  }

  all(name: string): string[] {
    const vs = this.q.getAll(name);
    for (const v of vs) if (v === '') throw new HttpError(400, 'USAGE', `parameter ${name} is empty`, name);
    return vs;
  }

  /** `true`/`1` or the bare name (`?allNamespaces`) is true, `false`/`0` false. */
  bool(name: string): boolean {
    const v = this.q.get(name);
    if (v === null) return false;
    if (v === '' || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new HttpError(400, 'USAGE', `parameter ${name} must be true or false, not "${v}"`, name);
  }
}

type Route = (q: URLSearchParams, s: ServedSnapshot) => Record<string, unknown>;

const REQUEST_PARAMS = ['verb', 'resource', 'name', 'namespace', 'nonResourceUrl'];

/** The questions, by path under /api/v1/. Each answers with exactly the JSON of the CLI's `-o json`. */
export const ROUTES: Record<string, Route> = {
  'who-can': (query, s) => {
    const p = new Params(query, [...REQUEST_PARAMS, 'allNamespaces']);
    const allNamespaces = p.bool('allNamespaces');
    const { req, warnings } = requestFromArgs(
      p.str('verb') ?? '', p.str('resource'), p.str('name'),
      { namespace: p.str('namespace'), allNamespaces, nonResourceUrl: p.str('nonResourceUrl') },
      'api',
    );
    const loaded = s.loaded;
    return whoCanAnswer(loaded.index, req, allNamespaces, [...loaded.warnings, ...warnings]).json;
  },

  'can-i': (query, s) => {
    const p = new Params(query, [...REQUEST_PARAMS, 'as'], ['asGroup']);
    const q = canIQuestion(
      p.str('verb') ?? '', p.str('resource'), p.str('name'),
      { namespace: p.str('namespace'), nonResourceUrl: p.str('nonResourceUrl'), as: p.str('as'), asGroup: p.all('asGroup') },
      'api',
    );
    const loaded = s.loaded;
    return canIAnswer(loaded.index, loaded.warnings, q).json;
  },

  paths: (query, s) => {
    const p = new Params(query, ['to', 'maxHops', 'limit', 'includeSystem'], ['from']);
    const q = pathsQuestion({
      from: p.all('from'),
      to: p.str('to') ?? CLUSTER_ADMIN,
      maxHops: p.str('maxHops') ?? String(DEFAULT_MAX_HOPS),
      limit: p.str('limit') ?? '1',
      includeSystem: p.bool('includeSystem'),
    }, 'api');
    return pathsAnswer(s.analysis, [...s.inputWarnings], q).json;
  },

  'secret-access': (query, s) => {
    const p = new Params(query, ['secret', 'maxHops', 'includeSystem']);
    const secret = p.str('secret');
    if (secret === undefined) throw new HttpError(400, 'USAGE', 'missing parameter secret (Secret:NS/NAME)', 'secret');
    const q = secretAccessQuestion({ secret, maxHops: p.str('maxHops') ?? String(DEFAULT_MAX_HOPS), includeSystem: p.bool('includeSystem') }, 'api');
    return secretAccessAnswer(s.analysis, [...s.inputWarnings], q).json;
  },
};

export const isQuestion = (name: string): boolean => Object.hasOwn(ROUTES, name);

/**
 * Answer `/api/v1/<name>?...` from one served snapshot. A bad parameter is an HttpError 400 naming
 * it; any other error propagates (the server answers 500).
 */
export function answerQuestion(name: string, query: URLSearchParams, served: ServedSnapshot): Record<string, unknown> {
  const route = isQuestion(name) ? ROUTES[name] : undefined;
  if (!route) throw new HttpError(404, 'NOT_FOUND', `no such endpoint: /api/v1/${name}`);
  try {
    return route(query, served);
  } catch (e) {
    if (e instanceof ParamError) {
      // The message names the parameter (as a CLI message names its option) unless it cannot.
      const named = new RegExp(`\\b${e.param}\\b`).test(e.message);
      throw new HttpError(400, 'USAGE', named ? e.message : `${e.param}: ${e.message}`, e.param);
    }
    if (e instanceof UsageError) throw new HttpError(400, 'USAGE', e.message);
    throw e;
  }
}
