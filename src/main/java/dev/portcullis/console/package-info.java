/**
 * The web console on {@code console.DOMAIN}: pages served by Portcullis itself, signed in through
 * Portcullis sessions, that work through the very same admin API handlers and IAM checks as the command
 * line (mounted on this host behind the session and a CSRF token instead of a bearer token).
 */
package dev.portcullis.console;
