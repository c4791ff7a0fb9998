/**
 * Server-side sessions behind opaque cookies: creation at sign-in, cached lookup, idle and absolute expiry,
 * revocation, and the single-use hand-off that gives each service host a session of its own.
 */
package dev.portcullis.session;
