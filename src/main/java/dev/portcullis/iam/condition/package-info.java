/**
 * IAM Conditions and access levels: CEL expressions over the request's attributes, compiled once and
 * cached, evaluated on the hot path without touching the store; named access levels (IP subnetworks or a
 * CEL expression), their write path and the immutable snapshot the decision reads.
 */
package dev.portcullis.iam.condition;
