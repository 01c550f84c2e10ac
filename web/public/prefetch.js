// Starts fetching the first page of the trace the address names while the app's script is
// still loading and starting up, so that the two overlap when a trace is opened from a link.
// src/traceLoader.ts takes the answer (or asks again when there is none). A separate file, not
// an inline script: the server's Content-Security-Policy allows scripts from 'self' only.
(function () {
  var match = /^\/traces\/([0-9a-fA-F]{32})\/?$/.exec(window.location.pathname);
  if (!match || !window.fetch) return;
  var traceId = match[1].toLowerCase();
  var limit = 300;
  window.__tokenscopeTracePrefetch = {
    traceId: traceId,
    limit: limit,
    response: fetch('/api/v1/traces/' + traceId + '?offset=0&limit=' + limit, {
      credentials: 'same-origin',
      priority: 'high',
      headers: { Accept: 'application/json', 'X-Requested-With': 'tokenscope-ui', 'X-Tokenscope-CSRF': '1' },
    }),
  };
})();
