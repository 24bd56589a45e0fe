/** One signed POST to a receiver (the adapters send it: Standard Webhooks signing, SSRF checks, limits). */
export interface WebhookMessage {
  url: string;
  /** webhook-id: the event id, the same on every attempt (receivers deduplicate on it). */
  id: string;
  /** webhook-timestamp: the time of this attempt. */
  timestamp: Date;
  /** The JSON body, signed as sent. */
  body: string;
  /** Signing secrets (whsec_…): the current one, and during a rotation the previous one too. */
  secrets: string[];
}

export interface WebhookAttempt {
  /** The receiver's HTTP status; null when there was no answer (refused target, timeout, connection error). */
  status: number | null;
  durationMs: number;
  /** The start of the answer's body, capped (a receiver cannot make us store or read megabytes). */
  body: string | null;
  error: string | null;
}

export interface WebhookSender {
  send(message: WebhookMessage): Promise<WebhookAttempt>;
}
