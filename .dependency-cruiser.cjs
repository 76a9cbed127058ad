/**
 * The import rules of docs/ARCHITECTURE.md, checked by dependency-cruiser (tests/architecture.test.ts
 * runs it, so `npm test` fails when an import crosses a forbidden arrow). Each part may import only the
 * parts below it; tests and test helpers are exempt (a node's test may run a whole graph).
 *
 * Run it by hand: npx depcruise --config .dependency-cruiser.cjs server/src shared/src client/src
 */

/** Where each part lives, as path patterns relative to the repository root. */
const part = {
  shared: '^shared/',
  common: '^server/src/(common/|limits\\.ts$|env-settings\\.ts$)',
  model: '^server/src/(model|simulator)/',
  nodes: '^server/src/nodes/',
  nodeKit: '^server/src/nodes/kit\\.ts$',
  services: '^server/src/services/',
  engine: '^server/src/engine/',
  storage: '^server/src/storage/',
  domain: '^server/src/(publish|templates|jobs|keys|metrics|users|audit|endpoints|evaluation|review|sessions)/',
  http: '^server/src/(http|openapi)/',
  config: '^server/src/config\\.ts$',
  cli: '^server/src/cli/',
  server: '^server/',
  client: '^client/',
};

/** Test files and test helpers, which may reach across parts. */
const tests = '(\\.test\\.tsx?|\\.testing\\.ts|/testing\\.ts|/test-kit\\.ts)$';

/** Our own modules (not npm packages, not Node built-ins). */
const ours = '^(shared|server|client)/';

/** A rule: production code of `from` may import nothing of ours but `allowed`. */
function onlyBelow(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: tests },
    to: { path: ours, pathNot: allowed.join('|') },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No cycle of run-time imports anywhere. Between parts the arrows below only go down, so a cycle between parts, type imports included, breaks one of them; within a part a type-only import may close a loop.',
      severity: 'error',
      from: { pathNot: tests },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-parts-apart',
      comment: 'Domain services do not import one another, except publish, which jobs and templates build on, and audit, which every change records into.',
      severity: 'error',
      from: { path: '^server/src/(publish|templates|jobs|keys|metrics|users|audit|endpoints)/', pathNot: tests },
      to: { path: '^server/src/(templates|jobs|keys|metrics|users|endpoints|evaluation|review|sessions)/', pathNot: '^server/src/$1/' },
    },
    {
      name: 'sessions-build-on-review',
      comment: 'Live call sessions run published versions and turn a confirmed desk form into a review decision: they may import publish, review (and audit), no other domain part.',
      severity: 'error',
      from: { path: '^server/src/sessions/', pathNot: tests },
      to: { path: '^server/src/(templates|jobs|keys|metrics|users|endpoints|evaluation)/' },
    },
    {
      name: 'review-builds-on-evaluation',
      comment: 'Human review writes its decisions as evaluation cases and reads published versions: it may import evaluation and publish (and audit), no other domain part.',
      severity: 'error',
      from: { path: '^server/src/review/', pathNot: tests },
      to: { path: '^server/src/(templates|jobs|keys|metrics|users|endpoints|sessions)/' },
    },
    {
      name: 'evaluation-builds-on-jobs',
      comment: 'Evaluation runs its cases as jobs of a version or a draft: it may import jobs and publish (and audit), no other domain part.',
      severity: 'error',
      from: { path: '^server/src/evaluation/', pathNot: tests },
      to: { path: '^server/src/(templates|keys|metrics|users|endpoints|review|sessions)/' },
    },
    onlyBelow('shared-is-a-leaf', part.shared, [part.shared], 'The shared contract is used by server and client and imports neither.'),
    onlyBelow('common-is-a-leaf', part.common, [part.common, part.shared], 'Server common (limits, settings, validation, domain errors) imports only the shared contract.'),
    onlyBelow('model-below-engine', part.model, [part.model, part.common, part.shared], 'Model clients, limiter and simulator know nothing of nodes, engine, jobs or HTTP.'),
    onlyBelow(
      'nodes-not-engine',
      part.nodes,
      [part.nodes, part.model, part.common, part.shared],
      'Node kinds do not import the engine or the services: the engine calls them, services reach them at run time through ExecContext.',
    ),
    onlyBelow(
      'services-implement-the-node-kit',
      part.services,
      [part.services, part.nodeKit, part.common, part.shared],
      'Services implement the ports the node kit declares (HttpRequester, CodeSandbox) and import nothing else of the server.',
    ),
    onlyBelow('engine-not-services', part.engine, [part.engine, part.nodes, part.model, part.common, part.shared], 'The engine compiles and runs graphs; it never imports services, storage, domain code or HTTP.'),
    onlyBelow('storage-is-low', part.storage, [part.storage, part.common, part.shared], 'Storage (SQLite tables, run log) imports only common and shared.'),
    onlyBelow(
      'domain-knows-no-http',
      part.domain,
      [part.domain, part.engine, part.nodeKit, part.model, part.storage, part.common, part.shared],
      'Domain services (publish, templates, jobs, keys, metrics) know no HTTP and no CLI; refusals are DomainErrors.',
    ),
    {
      name: 'domain-knows-no-express',
      comment: 'Domain code takes streams and values, never Express requests or responses.',
      severity: 'error',
      from: { path: `${part.domain}|${part.engine}|${part.nodes}|${part.services}|${part.storage}|${part.model}|${part.common}`, pathNot: tests },
      to: { path: '(^|/)node_modules/(express|@types/express|body-parser)/' },
    },
    onlyBelow('config-not-http', part.config, [part.config, part.domain, part.services, part.model, part.common, part.shared], 'The configuration reads each part\'s settings; it imports no HTTP and no CLI.'),
    onlyBelow('http-not-cli', part.http, [`${part.server}(?!src/cli/)`, part.shared], 'HTTP may use every server part but the CLI.'),
    onlyBelow('cli-is-the-top', part.cli, [part.server, part.shared], 'The CLI may use every server part; nothing imports it.'),
    onlyBelow('client-only-shared', part.client, [part.client, part.shared], 'The browser client shares only the contract with the server.'),
    {
      name: 'server-not-client',
      comment: 'No server or shared code imports the browser client.',
      severity: 'error',
      from: { path: `${part.server}|${part.shared}` },
      to: { path: part.client },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|fixtures)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
