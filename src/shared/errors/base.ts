/** Parameters shared by every blockwire error. */
export type BaseErrorParameters = {
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
  code: string;
  /** Extra human-readable lines shown under the message. */
  details?: string | undefined;
  /** Whether retrying the same operation may succeed. */
  retriable?: boolean | undefined;
  /** The foreign error this one was converted from. */
  cause?: unknown;
};

/**
 * Root of every error blockwire throws. Foreign errors are converted at the boundary into a leaf
 * class with a stable `code`, a `retriable` flag and the original error as native `cause`.
 */
export class BaseError extends Error {
  override name = 'BlockwireError';
  readonly code: string;
  readonly details: string | undefined;
  readonly retriable: boolean;

  constructor(shortMessage: string, parameters: BaseErrorParameters) {
    super(parameters.details ? `${shortMessage}\n${parameters.details}` : shortMessage, {
      cause: parameters.cause,
    });
    this.code = parameters.code;
    this.details = parameters.details;
    this.retriable = parameters.retriable ?? false;
  }
}
