// The console: signs in (or not, in development mode), then shows the page the URL names.

import { useEffect, useMemo, useState } from "preact/hooks";
import { forgetApiKey, storeApiKey, storedApiKey } from "./api/api-key-store.js";
import { createClients } from "./api/clients.js";
import { ClientsContext } from "./api/clients-context.js";
import { errorText } from "./api/error-text.js";
import { probeKey } from "./api/probe-key.js";
import { useRoute } from "./routing/route.js";
import { NavBar } from "./shell/nav-bar.js";
import { DEFAULT_SEGMENT } from "./shell/nav-items.js";
import { PageBoundary } from "./shell/page-boundary.js";
import { PageSwitch } from "./shell/page-switch.js";
import { SignIn } from "./shell/sign-in.js";
import { ErrorNote } from "./ui/error-note.js";
import { Loading } from "./ui/loading.js";

/** Session is where sign-in stands; a key of undefined is development mode. */
type Session =
  | { readonly state: "checking" }
  | { readonly state: "unreachable"; readonly message: string }
  | { readonly state: "signed-out" }
  | { readonly state: "signed-in"; readonly apiKey: string | undefined };

/** App is the whole console. */
export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [attempt, setAttempt] = useState(0);
  const route = useRoute();

  // Checks the kept key (or development mode) again on each retry (attempt).
  useEffect(() => {
    const abort = new AbortController();
    const kept = storedApiKey();
    probeKey(kept, abort.signal).then(
      (accepted) => {
        if (accepted) setSession({ state: "signed-in", apiKey: kept });
        else {
          forgetApiKey();
          setSession({ state: "signed-out" });
        }
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setSession({ state: "unreachable", message: errorText(error) });
      },
    );
    return () => abort.abort();
  }, [attempt]);

  const apiKey = session.state === "signed-in" ? session.apiKey : undefined;
  const clients = useMemo(() => createClients(apiKey), [apiKey]);

  if (session.state === "checking") return <Loading what="the console" />;
  if (session.state === "unreachable") {
    return (
      <main>
        <ErrorNote message={session.message} onRetry={() => setAttempt((n) => n + 1)} />
      </main>
    );
  }
  if (session.state === "signed-out") {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeApiKey(key);
          setSession({ state: "signed-in", apiKey: key });
        }}
      />
    );
  }
  const signOut = () => {
    forgetApiKey();
    setSession({ state: "signed-out" });
  };
  const segment = route.segments[0] ?? DEFAULT_SEGMENT;
  return (
    <ClientsContext.Provider value={clients}>
      <a class="skip" href="#page">
        Skip to the page
      </a>
      <NavBar current={segment} onSignOut={apiKey === undefined ? undefined : signOut} />
      <main id="page" tabIndex={-1}>
        <PageBoundary key={segment}>
          <PageSwitch segment={segment} route={route} />
        </PageBoundary>
      </main>
    </ClientsContext.Provider>
  );
}
