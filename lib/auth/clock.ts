/** The wall clock of authentication (sessions, throttles): tests move it instead of waiting. */
export const authClock = { now: (): number => Date.now() };
