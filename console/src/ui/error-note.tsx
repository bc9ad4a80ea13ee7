// An error said in words, announced to screen readers, optionally with a retry.

/** ErrorNoteProps are the error's text and, when it makes sense, a way to try again. */
export interface ErrorNoteProps {
  readonly message: string;
  readonly onRetry?: () => void;
}

/** ErrorNote shows message as an alert. */
export function ErrorNote({ message, onRetry }: ErrorNoteProps) {
  return (
    <div class="error" role="alert">
      <p>{message}</p>
      {onRetry === undefined ? null : (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
