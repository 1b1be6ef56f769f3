/** `npm run migrate`: creates the database named by MYSQL_URL if needed and applies the schema. */
import { loadMigrateConfig } from '../config';
import { migrate } from './migrate';

async function main(): Promise<void> {
  const applied = await migrate(loadMigrateConfig().mysqlUrl);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
}

main().catch((err: Error) => {
  process.stderr.write(`migrate failed: ${err.message}\n`);
  process.exit(1);
});
