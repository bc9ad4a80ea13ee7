// The sign-in form: paste an API key; it is checked with the server, then kept for this tab only.

import { useState } from "preact/hooks";
import { describeKey } from "../api/describe-key.js";
import type { KeyAccess } from "../api/key-access.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";

/** SignInProps say what to do with an accepted key and what it may do. */
export interface SignInProps {
  readonly onSignedIn: (apiKey: string, access: KeyAccess) => void;
}

/** SignIn asks for an API key and signs in once the server accepts it. */
export function SignIn({ onSignedIn }: SignInProps) {
  const [apiKey, setApiKey] = useState("");
  const [refused, setRefused] = useState(false);
  const [action, run] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const key = apiKey.trim();
    setRefused(false);
    run(async (signal) => {
      const access = await describeKey(key, signal);
      if (access !== undefined) onSignedIn(key, access);
      else setRefused(true);
    });
  };
  return (
    <main class="sign-in">
      <h1>Latch console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={apiKey}
          onInput={(event) => setApiKey(event.currentTarget.value)}
        />
        <p class="hint">
          The key is kept in this tab's session storage only, and sent with each call to the server.
          The console offers only the pages and actions its scopes allow.
        </p>
        <button type="submit" disabled={action.running}>
          {action.running ? "Checking…" : "Sign in"}
        </button>
      </form>
      {refused ? <ErrorNote message="The server does not know this API key." /> : null}
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </main>
  );
}
