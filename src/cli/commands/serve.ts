import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../io/errors.js';
import { createLabServer, WEB_DIST, webDistBuilt } from '../../server/server.js';
import { parseNumber } from '../options.js';
import { printJson } from '../output.js';
import { examples } from './common.js';

/** The loopback address only: the lab serves local files and must not be reachable from the network. */
const HOST = '127.0.0.1';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('the web lab on http://127.0.0.1:PORT: live equilibria, flows and experiments, and the local runs')
    .description(
      'Serves the web lab (the Vite build in web-dist/, made by `npm run build`) and the runs folder read-only\n' +
        'on 127.0.0.1. The page computes in a Web Worker with the same core as the CLI; GET /api/runs lists the\n' +
        'runs, /runs/<id>/results.json and /runs/<id>/report.html serve them. Ctrl-C stops it.',
    )
    .option('--port <P>', 'port (0 picks a free one)', '5173')
    .option('--runs <dir>', 'runs folder to serve', 'runs')
    .option('--json', 'print {"url", "port", "runs"} as one JSON object once listening')
    .addHelpText('after', examples(['gibbslab serve', 'gibbslab serve --port 8080 --runs runs']))
    .action(async (opts: { port: string; runs: string; json?: boolean }) => {
      const port = parseNumber('--port', opts.port, { integer: true, min: 0, max: 65535 });
      if (!webDistBuilt()) throw new UsageError(`the web lab is not built (${WEB_DIST} has no index.html); run \`npm run build\` first`);
      const runsRoot = resolve(opts.runs);
      const server = createLabServer({ webRoot: WEB_DIST, runsRoot });
      await new Promise<void>((done, fail) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          fail(e.code === 'EADDRINUSE' ? new UsageError(`--port = ${port}: already in use; pick another port (or --port 0 for a free one)`) : e),
        );
        server.listen(port, HOST, () => done());
      });
      const actual = (server.address() as { port: number }).port;
      const url = `http://${HOST}:${actual}/`;
      if (opts.json) printJson({ url, port: actual, runs: runsRoot });
      else console.log(`gibbslab lab: ${url}  (runs: ${runsRoot}; Ctrl-C to stop)`);
    });
}
