// A spinner with words, for a call still running.

/** Loading says what is being waited for, with a spinner; screen readers hear it once. */
export function Loading({ what }: { readonly what: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </p>
  );
}
