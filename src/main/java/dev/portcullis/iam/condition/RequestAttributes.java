package dev.portcullis.iam.condition;
public record RequestAttributes(String host, String path, String method, java.time.Instant time, String clientIp, java.util.List<String> accessLevels) {}
