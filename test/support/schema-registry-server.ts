/**
 * A Schema Registry for tests: the part of Confluent's REST API that Vigil and
 * @kafkajs/confluent-schema-registry use, over real HTTP on 127.0.0.1. Global ids shared across
 * subjects (the same schema text gets the same id), versions per subject, per-subject
 * compatibility (BACKWARD by default, checked with avsc: the new schema must read the latest),
 * optional basic auth, and a count of id lookups so tests can see caching.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avsc from 'avsc';

export interface TestSchemaRegistry {
  url: string;
  /** GET /schemas/ids/{id} requests served, by id. */
  idLookups: Map<number, number>;
  /** Subjects and their versions' ids. */
  subjects: Map<string, number[]>;
  /** The schema text registered with `id`. */
  schemaText(id: number): string | undefined;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startSchemaRegistry(options: { username?: string; password?: string } = {}): Promise<TestSchemaRegistry> {
  const schemas: string[] = []; // id - 1 → schema text
  const subjects = new Map<string, number[]>();
  const compatibility = new Map<string, string>();
  const idLookups = new Map<number, number>();

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': CONTENT_TYPE });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void => send(res, status, { error_code: code, message });
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const versionOf = (subject: string, version: string): { version: number; id: number } | undefined => {
    const ids = subjects.get(subject);
    if (!ids || ids.length === 0) return undefined;
    const index = version === 'latest' ? ids.length - 1 : Number(version) - 1;
    return ids[index] === undefined ? undefined : { version: index + 1, id: ids[index]! };
  };
  /** BACKWARD: a reader with the new schema reads what the latest version wrote. */
  const compatible = (subject: string, schemaText: string): boolean => {
    const level = compatibility.get(subject) ?? 'BACKWARD';
    const latest = versionOf(subject, 'latest');
    if (!latest || level === 'NONE') return true;
    try {
      avsc.Type.forSchema(JSON.parse(schemaText)).createResolver(avsc.Type.forSchema(JSON.parse(schemas[latest.id - 1]!)));
      return true;
    } catch {
      return false;
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (options.username !== undefined) {
        const expected = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return error(res, 401, 40101, 'Unauthorized');
      }
      const url = new URL(req.url ?? '/', 'http://registry');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const method = req.method ?? 'GET';
      if (method === 'POST' && parts[0] === 'subjects' && parts[2] === 'versions' && parts.length === 3) {
        const body = await readBody(req);
        if (body.schemaType !== undefined && body.schemaType !== 'AVRO') return error(res, 422, 42201, 'only AVRO here');
        const text = JSON.stringify(JSON.parse(String(body.schema)));
        try {
          avsc.Type.forSchema(JSON.parse(text));
        } catch (failure) {
          return error(res, 422, 42201, `Invalid schema: ${(failure as Error).message}`);
        }
        const subject = parts[1]!;
        let id = schemas.indexOf(text) + 1;
        const versions = subjects.get(subject) ?? [];
        if (id > 0 && versions.includes(id)) return send(res, 200, { id });
        if (!compatible(subject, text)) return error(res, 409, 409, `Schema being registered is incompatible with an earlier schema for subject "${subject}"`);
        if (id === 0) id = schemas.push(text);
        versions.push(id);
        subjects.set(subject, versions);
        return send(res, 200, { id });
      }
      if (method === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids' && parts.length === 3) {
        const id = Number(parts[2]);
        idLookups.set(id, (idLookups.get(id) ?? 0) + 1);
        const text = schemas[id - 1];
        return text === undefined ? error(res, 404, 40403, 'Schema not found') : send(res, 200, { schema: text });
      }
      if (method === 'GET' && parts[0] === 'subjects' && parts.length === 1) return send(res, 200, [...subjects.keys()]);
      if (method === 'GET' && parts[0] === 'subjects' && parts[2] === 'versions' && parts.length === 4) {
        const found = versionOf(parts[1]!, parts[3]!);
        if (!found) return error(res, 404, 40401, 'Subject or version not found');
        return send(res, 200, { subject: parts[1], version: found.version, id: found.id, schema: schemas[found.id - 1] });
      }
      if (parts[0] === 'config' && parts.length === 2) {
        if (method === 'GET') {
          const level = compatibility.get(parts[1]!);
          return level ? send(res, 200, { compatibilityLevel: level }) : error(res, 404, 40408, 'Subject does not have subject-level compatibility configured');
        }
        if (method === 'PUT') {
          const body = await readBody(req);
          compatibility.set(parts[1]!, String(body.compatibility));
          return send(res, 200, { compatibility: body.compatibility });
        }
      }
      if (method === 'POST' && parts[0] === 'compatibility' && parts[1] === 'subjects' && parts[3] === 'versions') {
        const body = await readBody(req);
        return send(res, 200, { is_compatible: compatible(parts[2]!, JSON.stringify(JSON.parse(String(body.schema)))) });
      }
      return error(res, 404, 404, `no route ${method} ${url.pathname}`);
    })().catch((failure: unknown) => error(res, 500, 50001, String(failure)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    idLookups,
    subjects,
    schemaText: (id) => schemas[id - 1],
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
