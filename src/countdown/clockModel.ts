/**
 * The countdown's model and its warnings: one chunk, fetched by
 * LazySessionClock when there is something to count.
 */
export { SessionClock } from './sessionClock';
export { CountdownWarnings } from './findings';
