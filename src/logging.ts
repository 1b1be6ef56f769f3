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

/** `+819012345678` → `+81********78`: the country code and last two digits stay readable. */
export function maskPhone(number: string): string {
  if (!/^\+\d{7,15}$/.test(number)) return '***';
  return `${number.slice(0, 3)}${'*'.repeat(number.length - 5)}${number.slice(-2)}`;
}

/** An identifier that names a person or device (a LINE user ID, a device token) → its first 4 characters. */
export function maskId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}***` : '***';
}
