/** Collection names in one place, so indexes, repositories and scripts agree. */
export const Collections = {
  users: 'users',
  sessions: 'sessions',
  loginFailures: 'login_failures',
  audit: 'audit',
  settings: 'settings',
} as const;
