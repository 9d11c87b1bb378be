// The image's HEALTHCHECK: healthy while the broker's readiness probe answers 200 (token store and
// credential store reachable). Plain node, so the image needs no curl; PORT is the broker's own.
const port = process.env.PORT || 3000;
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
