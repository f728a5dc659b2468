import { APIError } from '../errors';
import type { LibraryService } from './service';

/** Who a warmed server belongs to, as the warmer's credential sets say ("env" = the operator's own). */
export const OPERATOR = 'env';

/**
 * The warmer contacts users' servers on their behalf, so each contact is
 * spent from the budget of the users who configured that server, like a
 * forced refresh (otherwise a user could make plm call any server every 15
 * minutes outside their budget). A contact goes ahead while at least one of
 * them has budget left; the operator's own servers (env) are not limited.
 */
export const spendWarmContact = async (
  service: Pick<LibraryService, 'limitUpstream'>,
  usedBy: readonly string[],
): Promise<boolean> => {
  if (usedBy.includes(OPERATOR)) return true;
  const allowed = await Promise.all(
    usedBy.map((userId) =>
      service.limitUpstream(userId).then(
        () => true,
        (e: unknown) => {
          if (e instanceof APIError && e.statusCode === 429) return false;
          throw e;
        },
      ),
    ),
  );
  return allowed.some(Boolean);
};
