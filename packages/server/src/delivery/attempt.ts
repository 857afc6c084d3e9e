import type { Logger } from 'pino';
import { chatVerdict } from '../chat/chat-delivery.ts';
import { newId } from '../lib/ids.ts';
import type { CatalogStore } from '../store/storage.ts';
import { OUTCOME_NAME, Status, Trigger, type AttemptOutcome, type AttemptRequest, type ClaimedDelivery, type Endpoint, type StatusValue } from '../store/types.ts';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.ts';
import type { TransformRunner } from '../transform/runner.ts';
import { AttemptRequests, recordedRequest } from './attempt-request.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import { EndpointAuthentication, sendsAuthorization } from './endpoint-authentication.ts';
import type { OperationalEvent } from './operational.ts';
import type { Recorder } from './recorder.ts';
import { nextRetry } from './retry-policy.ts';
import { noAnswer, transportFor, type Transport, type TransportOutcome } from './transport.ts';

export interface AttemptOptions {
  retrySchedule: readonly number[];
  userAgent: string;
  /** An endpoint whose deliveries have all been exhausted for this long is disabled; 0: never. */
  disableFailingEndpointAfterMs: number;
  /** Where operational events go (failing, exhausted and recovered messages, disabled endpoints). */
  notify: (event: OperationalEvent) => void;
  /** Deadline of one attempt. */
  requestTimeoutMs: number;
  /** Where the span of each attempt goes (default: nowhere). */
  tracing?: Tracing;
  /** HERALD_PUBLIC_URL: chat messages link to the message in the dashboard under it. */
  publicUrl?: string;
}

/** When the delivery is due again is told by the recorder, once the outcome is committed (see Recorder's onDue). */
export interface AttemptReport {
  succeeded: boolean;
  /** A request went to the endpoint's URL (the circuit breaker judges the endpoint by these only). */
  reachedEndpoint: boolean;
}

/** A transformed request is not started with less than this (or half its timeout) left of its attempt's deadline. */
const MIN_SEND_MS = 1_000;

/** Svix sends message.attempt.failing after the 4th failed attempt, and recovered for a success after that. */
const FAILING_AFTER_ATTEMPTS = 4;

/**
 * One delivery attempt: run the endpoint's transformation if it has one, sign the payload with every live key, hand it
 * to the transport the endpoint's URL names, decide from the answer whether and when to try again (the retry policy),
 * record the outcome, and report what the operator should hear about.
 */
export class Attempts {
  private readonly tracing: Tracing;
  /** Endpoints' basic, OAuth 2.0 and client certificate authentication, with the OAuth tokens of this process. */
  private readonly authentication: EndpointAuthentication;
  /** What each attempt sends: Herald's signed JSON, a forwarded request, or a chat tool's message. */
  private readonly requests: AttemptRequests;

  constructor(
    /** Endpoint health: an endpoint that keeps failing is disabled. */
    private readonly catalog: Pick<CatalogStore, 'noteEndpointExhausted' | 'disableEndpoint'>,
    private readonly endpoints: EndpointCache,
    /** Each endpoint URL goes through the first that accepts it. */
    private readonly transports: readonly Transport[],
    private readonly recorder: Recorder,
    /** Runs endpoints' transformations (in a sandbox thread). */
    private readonly transforms: Pick<TransformRunner, 'run'>,
    private readonly options: AttemptOptions,
    private readonly log: Logger,
  ) {
    this.tracing = options.tracing ?? NO_TRACING;
    this.authentication = new EndpointAuthentication(transports);
    this.requests = new AttemptRequests(endpoints, options.userAgent, options.publicUrl);
  }

  /** Resolves once the outcome of every attempt made so far is written. */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /**
   * Makes one attempt and hands its outcome to the recorder; reports how it went (null when no attempt was made
   * here: the endpoint is gone, or the delivery was handed to another process).
   * A delivery whose receiver is connected to another process (a `herald listen` session) is handed to that process
   * instead (not when it was itself handed over: a receiver that moved meanwhile just fails this attempt, which is
   * retried).
   */
  async run(item: ClaimedDelivery, handedOver = false): Promise<AttemptReport | null> {
    const endpoint = await this.endpoints.endpoint(item.endpointId);
    if (!endpoint) return null; // deleted: its delivery rows went with it
    const transport = transportFor(this.transports, endpoint.url);
    if (transport.handOff && !handedOver && !endpoint.disabled) {
      const { payload: _payload, ...delivery } = item;
      if (transport.handOff(endpoint.appId, endpoint.url, delivery)) return null;
    }
    const startedAt = Date.now();
    // No trace headers go to the endpoint: the receiver is a customer, and Herald's trace ids are internal.
    const span = this.tracing.enabled ? this.tracing.start('webhook attempt', 'client', item.traceparent, {
      'herald.message.id': item.messageId, 'herald.endpoint.id': item.endpointId, 'herald.app.id': item.appId,
      'herald.attempt.number': item.attempts + 1, 'server.address': hostOf(endpoint.url), 'http.request.method': 'POST',
    }) : null;
    let result: TransportOutcome;
    let request: AttemptRequest | null = null;
    let retryable = true;
    /** Whether the outcome is the endpoint's answer (or its lack): not when a transformation stopped the attempt. */
    let sent = true;
    let canceled = false;
    let url = endpoint.url;
    const transformation = endpoint.disabled || item.payload === null ? null : await this.transformationOf(item, endpoint);
    const transformed = transformation === null ? null : await this.transform(transformation, item, url, transport);
    if (endpoint.disabled || item.payload === null) {
      retryable = false;
      result = noAnswer(endpoint.disabled ? 'not sent: the endpoint is disabled' : 'not sent: the message content was expunged');
    } else if (transformed !== null && !transformed.ok) {
      // A transformation that failed retries like a failed request: it may be fixed, or have hit a passing limit.
      sent = false;
      result = noAnswer(`not sent: ${transformed.reason}`, transformed.durationMs);
    } else if (transformed?.cancel) {
      sent = false;
      retryable = false;
      canceled = true;
      result = noAnswer('not sent: the transformation cancelled it', transformed.durationMs);
    } else if (transformed !== null && this.timeLeft(endpoint, startedAt) < Math.min(MIN_SEND_MS, this.timeoutFor(endpoint) / 2)) {
      // The lease was checked to cover one request timeout when the attempt began: time spent waiting for the sandbox
      // comes out of it, or the request could outlive the lease and be sent twice.
      sent = false;
      result = noAnswer('not sent: the transformation waited too long for the sandbox to leave time for the request', transformed?.durationMs ?? 0);
    } else {
      if (transformed) url = transformed.url;
      const { headers, body, url: sentTo } = endpoint.chat
        ? this.requests.chat(endpoint, endpoint.chat, item, transformed?.payload ?? null, url, startedAt)
        : { ...(await this.requests.webhook(item, transformed?.payload ?? item.payload, endpoint, startedAt)), url };
      url = sentTo;
      const auth = await this.endpoints.auth(endpoint.id, endpoint.appId);
      request = recordedRequest(headers, endpoint.headers, sendsAuthorization(auth));
      ({ outcome: result, sent } = await this.authentication.send(transport, {
        ...(transformed?.method === 'PUT' && { method: 'PUT' as const }),
        url, headers, body, timeoutMs: transformed === null ? this.timeoutFor(endpoint) : this.timeLeft(endpoint, startedAt),
        ...(endpoint.destination && { destination: endpoint.destination }),
        attempt: { appId: endpoint.appId, messageId: item.messageId, endpointId: endpoint.id, eventType: item.eventType, number: item.attempts + 1 },
      }, auth));
    }
    // A chat tool may answer 200 with an error in the body: its own verdict says how the attempt went.
    const verdict = endpoint.chat && request !== null ? chatVerdict(endpoint.chat, result) : null;
    if (verdict && !verdict.ok) {
      result = { ...result, body: verdict.reason, ...(verdict.retryAfterSeconds !== undefined && { retryAfter: String(verdict.retryAfterSeconds) }) };
    }
    const finishedAt = Date.now();
    const attempts = item.attempts + 1;
    const succeeded = verdict ? verdict.ok : result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const attemptStatus = succeeded ? Status.Success : canceled ? Status.Canceled : Status.Fail;
    let status: StatusValue = attemptStatus;
    let nextAttemptAt: number | null = null;
    if (!succeeded && retryable && !(verdict && !verdict.ok && !verdict.retry)) {
      // A chat tool's rate limit is an overload whatever status it came with (Feishu and DingTalk answer 200).
      const statusCode = verdict && !verdict.ok && verdict.retryAfterSeconds !== undefined ? 429 : result.statusCode;
      const decision = nextRetry(
        { failedAttempts: attempts, statusCode, timedOut: result.timedOut, retryAfter: result.retryAfter, abortRequested: result.abortRequested },
        endpoint.retrySchedule ?? this.options.retrySchedule,
        finishedAt,
      );
      if (decision.retry) {
        status = Status.Pending;
        nextAttemptAt = finishedAt + decision.delayMs;
      }
    }
    const outcome: AttemptOutcome = {
      attempt: {
        id: newId('atmpt', startedAt),
        appId: item.appId,
        messageId: item.messageId,
        endpointId: item.endpointId,
        url,
        status: attemptStatus,
        responseStatusCode: result.statusCode ?? 0,
        response: result.body,
        durationMs: result.durationMs,
        trigger: item.trigger === Trigger.Manual ? Trigger.Manual : Trigger.Scheduled,
        createdAt: startedAt,
        request,
      },
      deliveryId: item.deliveryId,
      lease: item.lease,
      status,
      attempts,
      nextAttemptAt,
    };
    this.recorder.add(outcome, endpoint, item.eventType);
    this.logOutcome(item, outcome, result);
    if (span) {
      if (result.statusCode !== null) span.setAttributes({ 'http.response.status_code': result.statusCode });
      span.setAttributes({ 'herald.attempt.outcome': OUTCOME_NAME[outcome.status] });
      span.end(succeeded ? undefined : result.statusCode === null ? result.body : `HTTP ${result.statusCode}`);
    }
    if (retryable) await this.report(endpoint, item, outcome, result.statusCode === 410);
    if (verdict && !verdict.ok && verdict.disable) await this.disable(endpoint, verdict.reason);
    // An endpoint's health is what its own network answers say: not a skipped send, a `herald listen` session, nor a
    // request lost with a delivery thread.
    return { succeeded, reachedEndpoint: sent && retryable && transport.judgesEndpoint && !result.heraldFault };
  }

  /**
   * What is left of the attempt's deadline (its endpoint's timeout) `startedAt` on: a transformed request gets that,
   * as its wait for the sandbox has no bound of its own.
   */
  private timeLeft(endpoint: Endpoint, startedAt: number): number {
    return this.timeoutFor(endpoint) - (Date.now() - startedAt);
  }

  /**
   * The endpoint's own timeout, never beyond the server's: leases are sized for the server's (a timeout the API let
   * through can outlast a later, lower HERALD_REQUEST_TIMEOUT).
   */
  private timeoutFor(endpoint: Endpoint): number {
    const own = endpoint.requestTimeout === null ? Number.POSITIVE_INFINITY : endpoint.requestTimeout * 1000;
    return Math.min(own, this.options.requestTimeoutMs);
  }

  /** A forwarded inbound request runs its source's transformation; a message, its endpoint's. */
  private transformationOf(item: ClaimedDelivery, endpoint: Endpoint): Promise<string | null> | null {
    if (!item.forward) return this.endpoints.transformation('endpoint', endpoint.id, endpoint.appId);
    return item.forward.sourceId ? this.endpoints.transformation('source', item.forward.sourceId, item.appId) : null;
  }

  /**
   * The webhook as the endpoint's transformation leaves it: what to send (its payload as JSON text), whether to
   * cancel, or why it cannot be sent. A URL it changes must still be delivered by the endpoint's own transport: an
   * http(s) endpoint stays http(s), where the private-address guard applies to the new host as to any.
   */
  private async transform(code: string, item: ClaimedDelivery, url: string, transport: Transport): Promise<TransformedAttempt> {
    let payload: unknown;
    try {
      if (item.forward?.base64) throw new Error('not UTF-8');
      payload = JSON.parse(item.payload!);
    } catch {
      return { ok: false, reason: 'the transformation was not run: the payload is not JSON', durationMs: 0 };
    }
    const owner = item.forward?.sourceId ?? item.endpointId;
    const outcome = await this.transforms.run(code, { method: 'POST', url, payload, eventType: item.eventType }, owner);
    if (!outcome.ok) return { ok: false, reason: `the transformation failed: ${outcome.reason}`, durationMs: outcome.durationMs };
    const { webhook, cancel } = outcome;
    if (!cancel && webhook.url !== url && transportFor(this.transports, webhook.url) !== transport) {
      return { ok: false, reason: `the transformation changed the URL to ${webhook.url.slice(0, 200)}, which is not delivered the way the endpoint's URL is`, durationMs: outcome.durationMs };
    }
    return { ok: true, cancel, method: webhook.method, url: webhook.url, payload: JSON.stringify(webhook.payload), durationMs: outcome.durationMs };
  }

  /** Failures at info (retried, cancelled) or warn (given up), successes only at debug: they are the hot path. */
  private logOutcome(item: ClaimedDelivery, outcome: AttemptOutcome, result: TransportOutcome): void {
    if (outcome.status === Status.Success && !this.log.isLevelEnabled('debug')) return;
    const fields = {
      msgId: item.messageId, requestId: item.requestId, endpointId: item.endpointId, deliveryId: item.deliveryId, attempt: outcome.attempts,
      statusCode: result.statusCode, durationMs: result.durationMs,
      // Without a response, what went wrong (Herald's own words); a response body is the customer's and stays out.
      error: result.statusCode === null ? result.body : undefined,
      nextAttemptAt: outcome.nextAttemptAt === null ? undefined : new Date(outcome.nextAttemptAt).toISOString(),
    };
    if (outcome.status === Status.Success) this.log.debug(fields, 'delivered');
    else if (outcome.status === Status.Pending) this.log.info(fields, 'attempt failed; retrying later');
    else if (outcome.status === Status.Canceled) this.log.info(fields, 'not sent: the transformation cancelled it');
    else this.log.warn(fields, 'delivery failed for good: no retry left');
  }

  /** Operational events for an attempt that was made, and endpoint health after an exhausted delivery. */
  private async report(endpoint: Endpoint, item: ClaimedDelivery, outcome: AttemptOutcome, gone: boolean): Promise<void> {
    const { attempts, status } = outcome;
    const succeeded = status === Status.Success;
    const report = { appId: endpoint.appId, endpointId: endpoint.id, messageId: item.messageId,
      attempt: { id: outcome.attempt.id, timestamp: outcome.attempt.createdAt, responseStatusCode: outcome.attempt.responseStatusCode } };
    if (succeeded && attempts > FAILING_AFTER_ATTEMPTS) this.options.notify({ type: 'message.attempt.recovered', ...report });
    if (!succeeded && attempts === FAILING_AFTER_ATTEMPTS) this.options.notify({ type: 'message.attempt.failing', ...report });
    if (status === Status.Fail) {
      this.options.notify({ type: 'message.attempt.exhausted', ...report });
      await this.noteExhausted(endpoint, Date.now(), gone);
    }
  }

  /**
   * Endpoint health: 410 Gone disables at once; otherwise an endpoint whose deliveries have all been exhausted for
   * `disableFailingEndpointAfterMs` (its failing run is ended by any success) is disabled.
   */
  private async noteExhausted(endpoint: Endpoint, now: number, gone: boolean): Promise<void> {
    const failingSince = await this.catalog.noteEndpointExhausted(endpoint.id, now);
    const limit = this.options.disableFailingEndpointAfterMs;
    const tooLong = failingSince !== undefined && limit > 0 && now - failingSince >= limit;
    if (!gone && !tooLong) return;
    await this.disable(endpoint, gone ? 'it answered 410 Gone' : 'its deliveries kept failing', failingSince);
  }

  /** Disables the endpoint (unless it already is), saying why in the log and in an endpoint.disabled event. */
  private async disable(endpoint: Endpoint, reason: string, failingSince?: number): Promise<void> {
    const now = Date.now();
    if (!(await this.catalog.disableEndpoint(endpoint.id, now))) return;
    this.log.warn({ endpointId: endpoint.id, appId: endpoint.appId, url: endpoint.url, reason, failingSince }, 'endpoint disabled');
    this.options.notify({ type: 'endpoint.disabled', appId: endpoint.appId, endpointId: endpoint.id, failSince: failingSince ?? now, reason });
  }
}

type TransformedAttempt =
  | { ok: true; cancel: boolean; method: 'POST' | 'PUT'; url: string; payload: string; durationMs: number }
  | { ok: false; reason: string; durationMs: number };

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
