package dev.portcullis.iam;

/** An IAM condition: a CEL expression with a title (shown in decisions and the troubleshooter). */
public record Condition(String title, String description, String expression) {}
