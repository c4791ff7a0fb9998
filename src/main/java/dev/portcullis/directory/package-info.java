/**
 * The directory: groups (nested, never in a cycle), their members, and service accounts; the write path
 * that changes them, and the immutable snapshot the decision engine asks "which groups is this caller in".
 * Users themselves are kept by the store and authn.
 */
package dev.portcullis.directory;
