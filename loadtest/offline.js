/**
 * Preloaded into artillery (`node --require`): replaces its telemetry client with a no-op.
 * Artillery 2.0.21 posts an event to app.posthog.com at the end of every run even with
 * ARTILLERY_DISABLE_TELEMETRY set (lib/telemetry.js only anonymises it), and where there is no
 * network it then retries for about 10 s before exiting. The load test talks to loopback only.
 */
'use strict';

const Module = require('node:module');

class NoTelemetry {
  capture() {}
  async shutdownAsync() {}
}

const load = Module._load;
Module._load = function loadWithoutTelemetry(request, ...rest) {
  if (request === 'posthog-node') return { PostHog: NoTelemetry };
  return load.call(this, request, ...rest);
};
