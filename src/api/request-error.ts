// Bad input in an API request: the field it names, the rule it breaks, as a typed error.

/**
 * RequestError is a request the API refuses before doing any work: `field` is the request field's
 * path (`updates[2].relationship.resource.id`) and the message, which names the field too, says
 * the rule and where the value broke it.
 */
export class RequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/**
 * RequestLimitError is a request holding more of something than a documented limit allows (more
 * bulk items, updates or preconditions than one call may carry): RESOURCE_EXHAUSTED, like every
 * limit, not a malformed value. The message names the field, the count and the limit.
 */
export class RequestLimitError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestLimitError";
  }
}

/** required returns value, or throws a RequestError naming field when it is unset. */
export function required<T>(field: string, value: T | undefined): T {
  if (value === undefined) throw new RequestError(field, `${field} is required`);
  return value;
}
