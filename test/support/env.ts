/** Where the test MariaDB lives; each test file gets its own database on it. */
export const MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
