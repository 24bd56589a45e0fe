import type { JobPort } from '@zhanqun/core';
import { PgBoss } from 'pg-boss';

export const JOB_SCHEMA = 'pgboss';

/** Queues of the platform. Each is created at worker start; sending to a missing queue throws. */
export const queues = {
  /** Daily: purge spent refresh tokens and stale log-in throttles. */
  maintenance: 'maintenance',
  /** One job per scheduled item, due at its publishing time. */
  publishItem: 'publish-item',
  /** Every minute: publish anything scheduled whose time has passed (backs up lost or late jobs). */
  publishDue: 'publish-due',
  /** Hourly: letters' reminders, escalations and deadlines that became computable (2015 §4). */
  letterDeadlines: 'letter-deadlines',
  /** Hourly: disclosure requests' reminders, escalations and deadlines that became computable (条例 §33). */
  disclosureDeadlines: 'disclosure-deadlines',
  /** Hourly: interviews and surveys whose transcript or result got published become done (2015 §4 counts). */
  interactionCompletion: 'interaction-completion',
  /** Every 10 minutes: anchor the head of every audit chain that moved (存档备查; docs/architecture.md). */
  auditCheckpoint: 'audit-checkpoint',
  /** One job per upload: renditions of an image, text of a PDF or DOCX (media, issue 8). */
  processMedia: 'process-media',
  /** One job per (webhook event, endpoint): a signed POST, retried with exponential back-off (issue 12). */
  deliverWebhook: 'deliver-webhook',
  /** Daily: purge the webhook delivery log and delivered outbox events past their retention. */
  purgeWebhookLog: 'purge-webhook-log',
  /** Daily: delete uploaded import exports whose runs have all finished, or that no run used within the retention. */
  purgeImportUploads: 'purge-import-uploads',
  /** One job per import run (issue 11): plan, stage, apply in batches; resumable, so a retry carries on. */
  runImport: 'run-import',
} as const;

/** How webhook deliveries are retried (from the config: WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAY_SECONDS). */
export interface WebhookRetry {
  maxAttempts: number;
  retryDelaySeconds: number;
}

/** pg-boss queue options for webhook deliveries: attempts - 1 retries, delay doubling (with jitter) up to 1 h. */
export const webhookQueueOptions = (r: WebhookRetry) => ({
  retryLimit: r.maxAttempts - 1,
  retryDelay: r.retryDelaySeconds,
  retryBackoff: true,
  retryDelayMax: 3600,
  expireInSeconds: 120,
});

/** Creates the webhook queue, or brings its retry policy in line with the configuration. */
export async function ensureWebhookQueue(b: PgBoss, retry: WebhookRetry): Promise<void> {
  const opts = webhookQueueOptions(retry);
  if (!(await b.getQueue(queues.deliverWebhook))) await b.createQueue(queues.deliverWebhook, opts);
  else await b.updateQueue(queues.deliverWebhook, opts);
}

/** The job port core asks for work through; sends after the use case's transaction has committed. */
export function jobPort(
  appUrl: string,
  webhookRetry: WebhookRetry = { maxAttempts: 8, retryDelaySeconds: 30 },
): { port: JobPort; stop(): Promise<void> } {
  let boss: PgBoss | null = null;
  let starting: Promise<PgBoss> | null = null;
  const ready = () => {
    starting ??= (async () => {
      const b = createBoss(appUrl, { supervise: false, schedule: false });
      b.on('error', () => {});
      await b.start();
      for (const q of [queues.publishItem, queues.processMedia, queues.runImport])
        if (!(await b.getQueue(q))) await b.createQueue(q, { retryLimit: 5, retryBackoff: true });
      if (!(await b.getQueue(queues.deliverWebhook)))
        await b.createQueue(queues.deliverWebhook, webhookQueueOptions(webhookRetry));
      boss = b;
      return b;
    })();
    return starting;
  };
  return {
    port: {
      async schedulePublication(itemId, at) {
        const b = await ready();
        await b.send(queues.publishItem, { itemId }, { startAfter: at, singletonKey: `${itemId}:${at.toISOString()}` });
      },
      async processMedia(mediaId) {
        const b = await ready();
        await b.send(queues.processMedia, { mediaId }, { singletonKey: mediaId });
      },
      async deliverWebhook(eventId, endpointId, opts) {
        const b = await ready();
        // A manual redelivery is one attempt, logged; only automatic deliveries are retried.
        await b.send(
          queues.deliverWebhook,
          { eventId, endpointId, manual: opts?.manual ?? false },
          opts?.manual ? { retryLimit: 0 } : {},
        );
      },
      async runImport(runId) {
        const b = await ready();
        await b.send(queues.runImport, { runId }, { singletonKey: runId });
      },
    },
    async stop() {
      if (boss) await boss.stop({ graceful: false });
    },
  };
}

/**
 * Installs or upgrades pg-boss's own schema as the schema owner, then lets the application role use it.
 * Runs with the migrations, so the app role never needs CREATE on the database.
 */
export async function installJobSchema(ownerUrl: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: ownerUrl,
    schema: JOB_SCHEMA,
    supervise: false,
    schedule: false,
    max: 1,
  });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false });
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      grant usage on schema ${JOB_SCHEMA} to zhanqun_app;
      grant select, insert, update, delete on all tables in schema ${JOB_SCHEMA} to zhanqun_app;
      grant usage, select on all sequences in schema ${JOB_SCHEMA} to zhanqun_app;
      grant execute on all functions in schema ${JOB_SCHEMA} to zhanqun_app;
      alter default privileges in schema ${JOB_SCHEMA} grant select, insert, update, delete on tables to zhanqun_app;`);
  } finally {
    await client.end();
  }
}

/** A pg-boss instance on the application role (schema already installed). */
export function createBoss(appUrl: string, opts: { supervise?: boolean; schedule?: boolean } = {}): PgBoss {
  return new PgBoss({
    connectionString: appUrl,
    schema: JOB_SCHEMA,
    migrate: false,
    createSchema: false,
    supervise: opts.supervise ?? true,
    schedule: opts.schedule ?? true,
    max: 4,
  });
}
