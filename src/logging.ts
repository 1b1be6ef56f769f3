import winston from 'winston';

/**
 * JSON lines shaped for Cloud Logging: `severity` instead of winston's level, the
 * trace under `logging.googleapis.com/trace`. No personal data goes in: callers
 * pass addresses through `maskEmail`.
 */
export type Logger = winston.Logger;

const SEVERITY: Record<string, string> = {
  error: 'ERROR',
  warn: 'WARNING',
  info: 'INFO',
  debug: 'DEBUG',
};

const cloudLoggingShape = winston.format((info) => {
  info.severity = SEVERITY[info.level] ?? 'DEFAULT';
  return info;
});

export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(
      cloudLoggingShape(),
      winston.format.errors({ stack: false }),
      winston.format.json(),
    ),
    transports: [
      stream
        ? new winston.transports.Stream({ stream })
        : new winston.transports.Console({ stderrLevels: [] }),
    ],
  });
}

/**
 * The Cloud Logging trace resource for a request, from `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`) or W3C `traceparent` (`00-TRACE_ID-SPAN_ID-01`).
 */
export function traceField(
  projectId: string,
  headers: { cloudTrace?: string; traceparent?: string },
): Record<string, string> {
  const fromCloud = headers.cloudTrace?.match(/^([0-9a-fA-F]{32})\//)?.[1];
  const fromW3c = headers.traceparent?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/)?.[1];
  const traceId = fromCloud ?? fromW3c;
  return traceId ? { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${traceId}` } : {};
}

/** `alice@example.com` → `a***@example.com`; anything else → `***`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
