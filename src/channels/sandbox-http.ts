/** What the provider sandbox's routes share: the request they get, the answer they give. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ChannelName } from '../codec/notification';

export type SandboxChannel = Exclude<ChannelName, 'CHANNEL_UNSPECIFIED' | 'EMAIL'>;

/** A message the sandbox accepted, as `GET /messages` serves it. */
export interface SandboxMessage {
  channel: SandboxChannel;
  /** The phone number, device token, Slack channel (`incoming-webhook` for the webhook), LINE ID or webhook URL. */
  recipient: string;
  /** SMS body, push body, Slack or LINE text. */
  text?: string;
  /** PUSH: the notification title and data. */
  title?: string;
  data?: Record<string, string>;
  /** WEBHOOK: the parsed body. */
  body?: unknown;
  /** The ID the sandbox answered with (Twilio sid, FCM name, Slack ts, LINE message ID, X-Request-Id). */
  providerMessageId?: string;
  /** ISO 8601. */
  receivedAt: string;
}

/** A request as received: `path` without the query string, `body` the raw bytes. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SandboxAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | object;
  /** The message the request delivered, when it delivered one. */
  message?: Omit<SandboxMessage, 'receivedAt'>;
  /** Why a malformed request was refused (printed, never sent back). */
  problem?: string;
  /** A line to print about a request that delivered nothing new (e.g. a repeated retry key). */
  note?: string;
}

/** One provider endpoint: a method and a path (a string, or a pattern matched against the whole path). */
export interface SandboxRoute {
  method: 'GET' | 'POST';
  path: string | RegExp;
  handle(req: SandboxRequest): SandboxAnswer;
}

/** A header's first value; absent or empty = undefined. */
export function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** The media type of Content-Type, lower case, without parameters. */
export function mediaType(req: SandboxRequest): string {
  return (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The body as a JSON object; undefined when it is not one. */
export function jsonObject(req: SandboxRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** A refusal: the provider's answer, and why, for the sandbox's own line. */
export function refuse(problem: string, status: number, body: string | object, headers?: Record<string, string>): SandboxAnswer {
  return { status, body, headers, problem };
}
