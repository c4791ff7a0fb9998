/**
 * The data plane: the listener, normalization of host and target, routing by host to a service, ingress,
 * header hygiene, and streaming forwarding of HTTP/1.1, HTTP/2, WebSocket and server-sent events to
 * the service's upstream, with error pages that name the service and never its address.
 */
package dev.portcullis.gateway;
