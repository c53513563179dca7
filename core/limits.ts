// How much a message to a rollout may carry: what the workflow keeps in its state and status (and in
// the RevisionImage search attribute, whose values the server caps at 2 KiB) must stay small.

/** Longest abort reason taken. */
export const MAX_REASON_LENGTH = 1024;

/** Longest container image reference taken (ASCII only, so also at most this many bytes). */
export const MAX_IMAGE_LENGTH = 1024;
