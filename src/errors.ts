// One error type for the whole tool, carrying a public code (the contract), and warnings as data.

/** Public codes: used in JSON warnings, exit-code decisions and (later) GraphQL extensions.code. */
export const ErrorCode = {
  INPUT_PARSE: 'INPUT_PARSE',
  INPUT_INVALID_OBJECT: 'INPUT_INVALID_OBJECT',
  INPUT_NOT_FOUND: 'INPUT_NOT_FOUND',
  INPUT_EMPTY: 'INPUT_EMPTY',
  DUPLICATE_OBJECT: 'DUPLICATE_OBJECT',
  ROLE_NOT_FOUND: 'ROLE_NOT_FOUND',
  INVALID_BINDING: 'INVALID_BINDING',
  UNKNOWN_RESOURCE: 'UNKNOWN_RESOURCE',
  MIXED_RULE: 'MIXED_RULE',
  COVERAGE_FORBIDDEN: 'COVERAGE_FORBIDDEN',
  COVERAGE_NOT_FOUND: 'COVERAGE_NOT_FOUND',
  COVERAGE_ERROR: 'COVERAGE_ERROR',
  NODE_AUTHORIZER: 'NODE_AUTHORIZER',
  UNKNOWN_SUBJECT: 'UNKNOWN_SUBJECT',
  TECHNIQUE_FAILED: 'TECHNIQUE_FAILED',
  USAGE: 'USAGE',
  KUBE_API: 'KUBE_API',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class RbacgraphError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RbacgraphError';
    this.code = code;
  }
}

/** A usage error: exit code 2. */
export class UsageError extends RbacgraphError {
  constructor(message: string) {
    super(ErrorCode.USAGE, message);
    this.name = 'UsageError';
  }
}

export function toRbacgraphError(e: unknown): RbacgraphError {
  if (e instanceof RbacgraphError) return e;
  if (e instanceof Error) return new RbacgraphError(ErrorCode.INTERNAL, e.message, { cause: e });
  return new RbacgraphError(ErrorCode.INTERNAL, String(e));
}

/**
 * A problem with the input that did not stop the run. Never carries input text: a broken Secret
 * line must not be echoed (interface.md section 2).
 */
export interface Warning {
  code: ErrorCode;
  file: string | null;
  line: number | null;
  column?: number;
  message: string;
}

export function warning(code: ErrorCode, message: string, file: string | null = null, line: number | null = null, column?: number): Warning {
  const w: Warning = { code, file, line, message };
  if (column !== undefined) w.column = column;
  return w;
}

/** `path:line: message`, the form printed on stderr. */
export function formatWarning(w: Warning): string {
  if (w.file === null) return `warning: ${w.message}`;
  const loc = w.line === null ? w.file : w.column !== undefined ? `${w.file}:${w.line}:${w.column}` : `${w.file}:${w.line}`;
  return `${loc}: ${w.message}`;
}
