#!/usr/bin/env node
// Test harness only: starts @vercel/cosmosdb-server (a Cosmos DB NoSQL emulator in Node)
// over HTTPS with its bundled self-signed certificate.
//
//   node scripts/cosmos-emulator.js --port 8081 [--host 127.0.0.1]
//
// Prints "cosmos-emulator ready https://HOST:PORT" once it accepts connections.
//
// One fix is applied here, in the harness, so production code never has to work around
// it: version 1.0.1 answers a point read of a missing item with 500, because its
// read-document handler reads a property of the undefined document before checking it
// exists. Real Cosmos DB answers 404 NotFound; the wrapper below does the same.
// Every other gap (no OFFSET/LIMIT, GROUP BY or DISTINCT, TTL not enforced, request
// charge always 1) is left as it is and named in the tests that meet it.
"use strict";

const path = require("path");

function packageFile(relative) {
  const root = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
  return path.join(root, relative);
}

function parseArgs(argv) {
  const args = { host: "127.0.0.1", port: 8081 };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--port") args.port = parseInt(argv[(i += 1)], 10);
    else if (argv[i] === "--host") args.host = argv[(i += 1)];
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error("--port needs a number between 0 and 65535");
  }
  return args;
}

function notFound(res) {
  res.statusCode = 404;
  return {
    code: "NotFound",
    message: "Entity with the specified id does not exist in the system.",
  };
}

// The routes table captures each handler's `default` export when lib/routes.js is first
// required, so the wrapper must be installed before the package's entry point loads.
function patchReadDocument() {
  const handler = require(packageFile("lib/handler/read-document.js"));
  const { parsePartitionKey, default: partitionFromHeader } = require(
    packageFile("lib/utils/get-partition-from-header.js"),
  );
  const original = handler.default;
  handler.default = (account, req, res, params) => {
    const collection = account.database(params.dbId).collection(params.collId);
    if (collection.read()) {
      const header = partitionFromHeader(req);
      // Without a partition key header the original handler answers 400 by itself.
      if (header !== undefined) {
        const key = parsePartitionKey(header, params.docId);
        if (!collection.document(params.docId, key).read()) return notFound(res);
      }
    }
    return original(account, req, res, params);
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  patchReadDocument();
  const { createHttpsServer } = require("@vercel/cosmosdb-server");
  const server = createHttpsServer({ keepAlive: true });
  server.listen(args.port, args.host, () => {
    const { port } = server.address();
    process.stdout.write(`cosmos-emulator ready https://${args.host}:${port}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    // Keep-alive connections would hold close() open until the client hangs up.
    server.closeAllConnections();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
