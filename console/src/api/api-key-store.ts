// Where the console keeps the API key: the tab's session storage only, gone when the tab closes.

const STORAGE_KEY = "latch.apiKey";

/** storedApiKey is the key signed in with in this tab, or undefined. */
export function storedApiKey(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** storeApiKey keeps key for this tab's session. */
export function storeApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

/** forgetApiKey signs out: the key is removed from the tab. */
export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
