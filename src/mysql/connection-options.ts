import type { ConnectionOptions } from 'mysql2';

/**
 * `mysql://user:pass@host:port/db` → mysql2 connection options. `?socketPath=/cloudsql/…`
 * connects over a Unix socket instead (Cloud Run's Cloud SQL volume mounts one per
 * instance); host and port are then ignored.
 */
export function connectionOptions(url: string): ConnectionOptions {
  const u = new URL(url);
  const socketPath = u.searchParams.get('socketPath') ?? undefined;
  return {
    ...(socketPath ? { socketPath } : { host: u.hostname, port: Number(u.port || 3306) }),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    charset: 'utf8mb4',
    timezone: 'Z',
  };
}
