/**
 * A fake Jupyter server's REST answers for the lists the monitor reads
 * itself (`GET api/kernels`, `GET api/sessions`), as connection settings
 * whose `fetch` answers from the test's own state.
 */
import { Kernel, ServerConnection } from '@jupyterlab/services';

/** What the fake server lists, read on each request. */
export interface IFakeLists {
  kernels: () => Kernel.IModel[];
  /** Ids of the kernels that have a session. */
  sessionKernels?: () => Iterable<string>;
  /** False: every request fails as a lost network does. */
  reachable?: () => boolean;
  /** True: the lists are answered with a 500 (as during a kernel restart). */
  failing?: () => boolean;
  /** True: listing is forbidden (403), as a kernel gateway's default is. */
  forbidden?: () => boolean;
}

export const FAKE_BASE_URL = 'http://localhost/user/alice/';

/** Settings whose requests the fake server answers (404 for the rest). */
export function fakeServerSettings(
  lists: IFakeLists
): ServerConnection.ISettings {
  const fetch = async (request: Request): Promise<Response> => {
    if (lists.reachable && !lists.reachable()) {
      throw new TypeError('Failed to fetch');
    }
    const path = new URL(request.url).pathname;
    if (lists.failing?.() && /\/api\/(kernels|sessions)$/.test(path)) {
      return new Response('{"message": "oops"}', { status: 500 });
    }
    if (lists.forbidden?.() && /\/api\/kernels$/.test(path)) {
      return new Response('{"message": "Error from Gateway: [Forbidden]"}', {
        status: 403
      });
    }
    const json = (body: unknown) =>
      new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': 'application/json' }
      });
    if (request.method === 'GET' && path.endsWith('/api/kernels')) {
      return json(lists.kernels());
    }
    if (request.method === 'GET' && path.endsWith('/api/sessions')) {
      return json(
        Array.from(lists.sessionKernels?.() ?? [], (id, i) => ({
          id: `session-${i}`,
          kernel: { id }
        }))
      );
    }
    return new Response('{}', { status: 404 });
  };
  return ServerConnection.makeSettings({
    baseUrl: FAKE_BASE_URL,
    wsUrl: 'ws://localhost/user/alice/',
    fetch: fetch as typeof globalThis.fetch,
    token: ''
  });
}
