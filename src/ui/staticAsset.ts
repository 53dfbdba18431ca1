/**
 * Fetches a text file the labextension ships next to its JS chunks (the
 * probe's source, the checkpoint helper): text that is not code of the
 * page, so it is not JS either.
 */

/**
 * The text at `url` (made with `new URL('./file', import.meta.url)` in the
 * module next to the file, which rspack resolves against the extension's
 * public path); rejects with what failed, naming `what`.
 */
export async function fetchText(url: URL, what: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url.href, { credentials: 'same-origin' });
  } catch (reason) {
    throw new Error(
      `${what} could not be fetched from ${url.pathname} (${String(reason)})`
    );
  }
  if (!response.ok) {
    throw new Error(
      `${what} could not be fetched from ${url.pathname} (HTTP ${response.status})`
    );
  }
  return response.text();
}
