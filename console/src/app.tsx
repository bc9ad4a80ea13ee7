// The console: signs in (or not, in development mode), then shows the page the URL names.

import { useEffect, useMemo, useState } from "preact/hooks";
import { AccessContext } from "./api/access-context.js";
import { forgetApiKey, storeApiKey, storedApiKey } from "./api/api-key-store.js";
import { createClients } from "./api/clients.js";
import { ClientsContext } from "./api/clients-context.js";
import { describeKey } from "./api/describe-key.js";
import { errorText } from "./api/error-text.js";
import { allows, type KeyAccess } from "./api/key-access.js";
import { useRoute } from "./routing/route.js";
import { NavBar } from "./shell/nav-bar.js";
import { landingSegment } from "./shell/nav-items.js";
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
  | {
      readonly state: "signed-in";
      readonly apiKey: string | undefined;
      readonly access: KeyAccess;
    };

/** App is the whole console. */
export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [attempt, setAttempt] = useState(0);
  const route = useRoute();

  // Checks the kept key (or development mode) again on each retry (attempt).
  useEffect(() => {
    const abort = new AbortController();
    const kept = storedApiKey();
    describeKey(kept, abort.signal).then(
      (access) => {
        if (access !== undefined) {
          setSession({ state: "signed-in", apiKey: access.development ? undefined : kept, access });
        } else {
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
        onSignedIn={(key, access) => {
          storeApiKey(key);
          setSession({ state: "signed-in", apiKey: key, access });
        }}
      />
    );
  }
  const { access } = session;
  const signOut = () => {
    forgetApiKey();
    setSession({ state: "signed-out" });
  };
  const segment = route.segments[0] ?? landingSegment((method) => allows(access, method));
  return (
    <ClientsContext.Provider value={clients}>
      <AccessContext.Provider value={access}>
        <a class="skip" href="#page">
          Skip to the page
        </a>
        <NavBar
          current={segment}
          session={access.development ? undefined : { keyName: access.name, onSignOut: signOut }}
        />
        <main id="page" tabIndex={-1}>
          <PageBoundary key={segment}>
            <PageSwitch segment={segment} route={route} />
          </PageBoundary>
        </main>
      </AccessContext.Provider>
    </ClientsContext.Provider>
  );
}
