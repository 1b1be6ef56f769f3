import protobuf from 'protobufjs';
import { PROTO_FILE } from '../paths';

let cached: protobuf.Type | undefined;

/**
 * The `notifier.v1.Notification` type, loaded from the .proto file itself (the file
 * Pub/Sub and BigQuery see), with the proto's snake_case field names kept.
 */
export function notificationType(): protobuf.Type {
  if (!cached) {
    const root = new protobuf.Root().loadSync(PROTO_FILE, { keepCase: true });
    cached = root.lookupType('notifier.v1.Notification');
    cached.resolveAll();
  }
  return cached;
}
