import path from 'node:path';

/** The package root: this file sits one level below it in both `src/` and `dist/`. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const PROTO_FILE = path.join(PACKAGE_ROOT, 'proto/notifier/v1/notification.proto');
export const EVENT_PROTO_FILE = path.join(PACKAGE_ROOT, 'proto/notifier/v1/notification_event.proto');
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');
/** The template catalogue deployed with the service (TEMPLATES_DIR's default). */
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const TERRAFORM_DIR = path.join(PACKAGE_ROOT, 'terraform');
