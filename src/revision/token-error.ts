// Token errors: why a consistency token was refused, typed for the API's status codes.

/** TokenErrorCode classifies why a consistency token was refused. */
export type TokenErrorCode =
  /** Not a Latch token at all: wrong prefix, bad characters, wrong length or an unknown layout. */
  | "malformed"
  /** Shaped like a token but its checksum does not match: it was changed, truncated or extended. */
  | "corrupted"
  /** A valid token, but issued by a different store. */
  | "foreign-store";

/** TokenError is a consistency token that was refused; the message never echoes the token. */
export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TokenError";
  }
}
