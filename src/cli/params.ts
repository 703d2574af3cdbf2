// A question's parameters as the user wrote them: CLI arguments and flags, or API parameters (REST, later GraphQL).
//
// The CLI and the API ask the same questions through the same parsing functions; only the names in
// an error message differ (`--max-hops` on the command line, `maxHops` in a query string). A
// ParamError says which parameter was wrong, so that the API can name it in its 400 answer.

import { UsageError } from '../errors.js';

/** Whose names a parsing function uses in its error messages. */
export type ParamStyle = 'cli' | 'api';

/** A usage error caused by one parameter (its API name: `maxHops`, `namespace`, `as`, ...). */
export class ParamError extends UsageError {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

/** The error for `param`, worded for the CLI or for the API. */
export function paramError(style: ParamStyle, param: string, cli: string, api: string): ParamError {
  return new ParamError(style === 'cli' ? cli : api, param);
}

/** Run fn; a usage error it throws becomes a ParamError on `param` (same message). */
export function asParam<T>(fn: () => T, param: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UsageError && !(e instanceof ParamError)) throw new ParamError(e.message, param);
    throw e;
  }
}
