package dev.portcullis.iam.condition;
public final class AccessLevelSnapshot { public static final AccessLevelSnapshot EMPTY = new AccessLevelSnapshot(); public java.util.List<String> satisfied(String host, String path, String method, java.time.Instant time, String clientIp) { return java.util.List.of(); } }
