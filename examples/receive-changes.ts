/**
 * Example receiver of kombo-sync's change webhooks, for a product running anywhere: verifies each request with the
 * `standardwebhooks` package, skips a `webhook-id` it already processed, reads the changed rows from the mirror with
 * `@kombo-sync/mirror` (typed) and hands them to your code; answers 2xx only after that succeeded, so kombo-sync
 * retries anything that failed here.
 *
 *   kombo-sync endpoints create https://your-app.example.com/kombo-changes   # prints the whsec_ secret
 *   WEBHOOK_SECRET=whsec_… MIRROR_DATABASE_URL=postgres://reader@…/kombo_sync PORT=4000 npx tsx examples/receive-changes.ts
 */
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  ALL_MODEL_NAMES,
  recordsByIds,
  type MirrorDb,
  type MirrorRecord,
  type ModelName,
} from '@kombo-sync/mirror';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { RecordsChangedPayload } from '@kombo-sync/delivery';
import { Webhook } from 'standardwebhooks';

/** What kombo-sync sends in a change webhook's body (`type: 'records.changed'`; its `data` is documented there). */
export type ChangeWebhook = RecordsChangedPayload;

/** One change as your code gets it: the webhook's data plus the changed records, read from the mirror. */
export interface Change<M extends ModelName = ModelName> {
  webhookId: string;
  integrationId: string;
  model: M;
  runId: number;
  sequence: number;
  /** The live records among the changed ids (a record changed again and deleted since is in neither list). */
  records: MirrorRecord<M>[];
  deletedIds: string[];
}

export interface ChangesReceiverOptions {
  /** The endpoint's secrets (`whsec_…`); during a rotation the new and the old one. */
  secrets: readonly string[];
  /** A Drizzle database on the mirror (a read-only role is enough). */
  db: MirrorDb;
  /** Your code; throwing makes the receiver answer 500, and kombo-sync retries later. */
  onChange(change: Change): Promise<void>;
  /**
   * Whether a `webhook-id` was processed already, and marking it processed. Default: in memory, the last 100,000
   * ids. A product with several instances or restarts keeps them in its own database instead.
   */
  processed?: { has(id: string): Promise<boolean> | boolean; add(id: string): Promise<void> | void };
}

/** In-memory processed ids, oldest forgotten first. */
function memoryProcessed(max = 100_000) {
  const ids = new Set<string>();
  return {
    has: (id: string) => ids.has(id),
    add(id: string) {
      ids.add(id);
      if (ids.size > max) ids.delete(ids.values().next().value as string);
    },
  };
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new RangeError('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const isModelName = (name: string): name is ModelName =>
  (ALL_MODEL_NAMES as readonly string[]).includes(name);

/** The HTTP handler: POST with a verified signature → `onChange` once per `webhook-id` → 204. */
export function createChangesReceiver({
  secrets,
  db,
  onChange,
  processed = memoryProcessed(),
}: ChangesReceiverOptions): RequestListener {
  const verifiers = secrets.map((secret) => new Webhook(secret));
  const verify = (body: string, headers: Record<string, string>): ChangeWebhook | undefined => {
    for (const verifier of verifiers) {
      try {
        return verifier.verify(body, headers) as ChangeWebhook;
      } catch {
        // Try the next secret (a rotation); none matching is a 401.
      }
    }
    return undefined;
  };
  return (req, res) => {
    void (async () => {
      if (req.method !== 'POST') return res.writeHead(405).end();
      // Verify the exact bytes received: parsing and re-serialising the JSON first would break the signature.
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
        headers[name] = String(req.headers[name] ?? '');
      const webhook = verify(body, headers);
      if (!webhook) return res.writeHead(401).end();
      const webhookId = headers['webhook-id'] ?? '';
      if (
        webhook.type !== 'records.changed' ||
        !isModelName(webhook.data.model) ||
        (await processed.has(webhookId))
      )
        return res.writeHead(204).end();
      const { data } = webhook;
      const model = data.model as ModelName;
      await onChange({
        webhookId,
        integrationId: data.integrationId,
        model,
        runId: data.runId,
        sequence: data.sequence,
        records: await recordsByIds(db, model, data.integrationId, data.changedIds),
        deletedIds: data.deletedIds,
      });
      await processed.add(webhookId);
      res.writeHead(204).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

// Run directly: a receiver that logs what changed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = drizzle(process.env['MIRROR_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/kombo_sync');
  const server = createServer(
    createChangesReceiver({
      secrets: (process.env['WEBHOOK_SECRET'] ?? '').split(',').filter(Boolean),
      db,
      async onChange(change) {
        console.log(
          `${change.integrationId} ${change.model} #${change.sequence}: ${change.records.length} changed, ` +
            `${change.deletedIds.length} deleted`,
        );
      },
    }),
  );
  server.listen(Number(process.env['PORT'] ?? 4000));
}
