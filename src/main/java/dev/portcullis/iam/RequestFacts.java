package dev.portcullis.iam;

import java.time.Instant;

/** What a condition may look at, as the gateway saw the request ({@code rawPath} without the query). */
public record RequestFacts(String host, String rawPath, String method, Instant time, String clientIp) {}
