// wasm-rs cookbook: cross-origin isolation for static hosts.
//
// SharedArrayBuffer exists only in a cross-origin isolated page, which needs the response
// headers `Cross-Origin-Opener-Policy: same-origin` and
// `Cross-Origin-Embedder-Policy: require-corp`. Hosts such as GitHub Pages cannot send custom
// headers, so this service worker adds them to every same-origin response it passes on
// (plus `Cross-Origin-Resource-Policy: same-origin`, so those responses may be embedded by an
// isolated page). `js/demo-runner.js` registers it and reloads a demo page once; under
// `cargo xtask serve` the server sends the headers itself and this file is never registered.
//
// Cross-origin requests are left alone: under `require-corp` they load only if their server
// opts in, which is the point of the policy.

self.addEventListener("install", () => {
  // Take over as soon as installed instead of waiting for every tab to close.
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function withIsolationHeaders(response) {
  // Opaque and error responses (status 0) have no readable headers to change.
  if (response.status === 0 || response.type === "opaque" || response.type === "opaqueredirect") {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  headers.set("Cross-Origin-Resource-Policy", "same-origin");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // A request the browser wants answered only from cache cannot be re-fetched here.
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(fetch(request).then(withIsolationHeaders));
});
