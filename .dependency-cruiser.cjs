/**
 * The layer rules of DESIGN.md §3, checked in CI (`npm run lint`):
 * errors ← internal ← protocol ← connection ← pool ← {pipeline, pubsub, cache} ← client ← index,
 * with cluster below pool and commands (pure) below client. No cycles.
 */
const layer = (name) => `^src/${name}/`;
const forbid = (name, from, to) => ({ name, severity: "error", from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    forbid("errors-is-a-leaf", "^src/errors\\.ts$", "^src/(?!errors\\.ts)"),
    forbid("internal-imports-only-errors", layer("internal"), "^src/(protocol|connection|pool|cluster|commands|client|pipeline|pubsub|cache)/"),
    forbid("protocol-below-connection", layer("protocol"), "^src/(connection|pool|cluster|commands|client|pipeline|pubsub|cache)/"),
    forbid("connection-below-pool", layer("connection"), "^src/(pool|cluster|commands|client|pipeline|pubsub|cache)/"),
    forbid("cluster-below-pool", layer("cluster"), "^src/(connection|pool|commands|client|pipeline|pubsub|cache)/"),
    forbid("pool-knows-no-commands", layer("pool"), "^src/(commands|client|pipeline|pubsub|cache)/"),
    forbid("commands-are-pure", layer("commands"), "^src/(connection|pool|cluster|client|pipeline|pubsub|cache)/"),
    forbid("features-below-client", "^src/(pipeline|pubsub|cache)/", "^src/client/"),
    // Type-only imports (tls.ConnectionOptions in option types) carry no I/O and are allowed.
    {
      name: "net-only-in-connection",
      severity: "error",
      from: { path: "^src/(?!connection/)" },
      to: { path: "^(node:)?(net|tls)$", dependencyTypesNot: ["type-only"] },
    },
    forbid("diagnostics-only-in-internal", "^src/(?!internal/diagnostics\\.ts)", "^(node:)?diagnostics_channel$"),
    forbid("nothing-imports-index", "^src/", "^src/index\\.ts$"),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
