import { connectionOptions } from '../../../src/mysql/connection-options';

describe('connectionOptions', () => {
  test('when the URL names host, port, credentials and database, then mysql2 gets them decoded', () => {
    expect(connectionOptions('mysql://app:p%40ss@db.internal:3307/notifier')).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'notifier',
      charset: 'utf8mb4',
      timezone: 'Z',
    });
  });

  test('when socketPath is given (Cloud SQL on Cloud Run), then the socket replaces host and port', () => {
    const options = connectionOptions('mysql://app:secret@localhost/notifier?socketPath=/cloudsql/proj:asia-northeast1:db');
    expect(options).toMatchObject({ socketPath: '/cloudsql/proj:asia-northeast1:db', user: 'app', database: 'notifier' });
    expect(options).not.toHaveProperty('host');
  });

  test('when no port or database is given, then 3306 and none', () => {
    expect(connectionOptions('mysql://root@127.0.0.1')).toMatchObject({ port: 3306, database: undefined });
  });
});
