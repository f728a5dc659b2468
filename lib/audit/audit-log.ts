import type { ObjectId } from 'mongodb';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { logger } from '../logger';

export type AuditEventType =
  | 'login_success'
  | 'login_failure'
  | 'login_throttled'
  | 'token_refresh'
  | 'refresh_reuse'
  | 'logout'
  | 'password_change'
  | 'settings_change'
  | 'user_created'
  | 'user_deleted'
  | 'password_reset';

export interface AuditEvent {
  type: AuditEventType;
  userId?: ObjectId;
  username?: string;
  ip?: string;
  userAgent?: string;
  /** What happened, never secret values (e.g. names of changed fields). */
  details?: Record<string, unknown>;
}

export interface AuditDocument extends AuditEvent {
  at: Date;
}

/**
 * Appends an audit record. Auditing must not turn a successful action into an
 * error for the user, so a failed write is logged and swallowed.
 */
export const recordAudit = async (event: AuditEvent): Promise<void> => {
  try {
    const db = await getDb();
    await db.collection<AuditDocument>(Collections.audit).insertOne({ ...event, at: new Date() });
  } catch (error) {
    logger.error('audit write failed', { auditType: event.type, error });
  }
};
