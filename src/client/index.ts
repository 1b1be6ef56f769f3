/**
 * The producer client, `notifier/client`: validate, encode and publish notifications.
 * Imports nothing of the server (no express, MySQL or SMTP).
 */
export { createNotifierClient, publishAttributes } from './client';
export type { NotifierClient, NotifierClientOptions } from './client';
export { BroadcastError, broadcastNotificationId } from './broadcast';
export type { BroadcastOptions, BroadcastProgress, BroadcastResult, RejectedRecipient } from './broadcast';
export { InvalidNotificationError } from './notification-input';
export type { NotificationInput } from './notification-input';
export type { FieldProblem } from '../codec/validate';
export type { ChannelName } from '../codec/notification';
export type { Encoding } from '../codec/codec';
