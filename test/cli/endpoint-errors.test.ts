// The CLI pointed at what is not a Latch gRPC endpoint: Latch's HTTP port, TLS, a certificate it does not trust.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLatchClient } from "../../src/cli/client.js";
import { entryArguments } from "../support/built-entry.js";
import { type CliTestServer, startCliServer, TEST_SCHEMA } from "./cli-test-server.js";
import { runLatch } from "./run-cli-helper.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const GRPC_PORT_HINT = "the gRPC port (LATCH_GRPC_PORT, 50051 by default)";

/** A throwaway certificate for localhost and 127.0.0.1, made for this run and deleted after it. */
interface Certificate {
  readonly certFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

async function makeCertificate(dir: string): Promise<Certificate> {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  return { certFile, key: await readFile(keyFile), cert: await readFile(certFile) };
}

function listen(server: TlsServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

describe("latch pointed at what is not a Latch gRPC endpoint", () => {
  let latch: CliTestServer;
  let dir: string;
  let certificate: Certificate;
  /** A TLS proxy in front of the Latch gRPC port, offering HTTP/2, as a load balancer would. */
  let proxy: TlsServer;
  let proxyPort: number;
  /** An HTTPS server speaking HTTP/1.1 only. */
  let https: HttpsServer;
  let httpsPort: number;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  beforeAll(async () => {
    latch = await startCliServer();
    await runLatch(
      ["schema", "write", "test.zed"],
      { "test.zed": TEST_SCHEMA },
      { env: latch.env },
    );
    dir = await mkdtemp(join(tmpdir(), "latch-tls-"));
    certificate = await makeCertificate(dir);
    const { key, cert } = certificate;
    proxy = createTlsServer({ key, cert, ALPNProtocols: ["h2"] }, (client) => {
      const upstream = connect(latch.grpcPort, "127.0.0.1");
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    proxyPort = await listen(proxy);
    https = createHttpsServer({ key, cert }, (_, response) => response.end("hello"));
    httpsPort = await listen(https);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    https.closeAllConnections();
    await Promise.all([
      new Promise((resolve) => proxy.close(resolve)),
      new Promise((resolve) => https.close(resolve)),
    ]);
    await latch.close();
    await rm(dir, { recursive: true, force: true });
  });

  const readSchema = (endpoint: string) =>
    runLatch(["schema", "read"], {}, { env: { LATCH_ENDPOINT: endpoint } });

  it("names Latch's HTTP port as such and suggests the gRPC port", async () => {
    const endpoint = `127.0.0.1:${latch.httpPort}`;
    expect(await readSchema(endpoint)).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `${endpoint} is not a Latch gRPC endpoint: it answers HTTP/1.1, as Latch's HTTP port does; point LATCH_ENDPOINT at ${GRPC_PORT_HINT}\n`,
    });
  });

  it("says a TLS endpoint speaks TLS, and how to call it so", async () => {
    const endpoint = `127.0.0.1:${proxyPort}`;
    expect(await readSchema(endpoint)).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `${endpoint} is not a Latch gRPC endpoint in plaintext: it speaks TLS; to call it over TLS, set LATCH_ENDPOINT=https://${endpoint} (NODE_EXTRA_CA_CERTS=FILE trusts a private CA)\n`,
    });
  });

  it("names a certificate it does not trust, and how to trust it; then reads over TLS", async () => {
    const endpoint = `https://localhost:${proxyPort}`;
    expect(await readSchema(endpoint)).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `${endpoint}: the server's TLS certificate is not accepted (self-signed certificate); if a private CA signed it, set NODE_EXTRA_CA_CERTS to that CA's certificate file\n`,
    });
    // Node reads NODE_EXTRA_CA_CERTS as it starts: the advice is followed in a process of its own.
    const trusted = await run(process.execPath, [...entryArguments(MAIN), "schema", "read"], {
      env: { ...process.env, LATCH_ENDPOINT: endpoint, NODE_EXTRA_CA_CERTS: certificate.certFile },
    });
    expect(trusted.stdout).toContain("definition document {");
  });

  it("says a plaintext gRPC port called over TLS speaks plaintext", async () => {
    const address = `127.0.0.1:${latch.grpcPort}`;
    expect(await readSchema(`https://${address}`)).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `https://${address} is not a Latch gRPC endpoint over TLS: it speaks plaintext HTTP/2, as Latch's gRPC port does; set LATCH_ENDPOINT=${address}\n`,
    });
  });

  it("says a TLS server without HTTP/2 is not a gRPC endpoint", async () => {
    const endpoint = `https://localhost:${httpsPort}`;
    expect(await readSchema(endpoint)).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `${endpoint} is not a Latch gRPC endpoint: it speaks TLS but not HTTP/2, which gRPC needs\n`,
    });
  });

  it("refuses a LATCH_ENDPOINT that is not an endpoint, and takes a host alone as its port 50051", async () => {
    expect(await readSchema("ftp://localhost:21")).toEqual({
      exitCode: 2,
      stdout: "",
      stderr:
        'LATCH_ENDPOINT "ftp://localhost:21" is not an endpoint: use HOST:PORT (plaintext, as `latch serve` listens), or an https:// URL for a TLS endpoint\n',
    });
    for (const [endpoint, url] of [
      ["127.0.0.1", "http://127.0.0.1:50051/"],
      ["localhost:80", "http://localhost/"],
      ["[::1]:6000", "http://[::1]:6000/"],
      ["https://latch.example", "https://latch.example/"],
    ]) {
      const client = createLatchClient({ LATCH_ENDPOINT: endpoint });
      expect(client.baseUrl.toString()).toBe(url);
      client.close();
    }
  });
});
