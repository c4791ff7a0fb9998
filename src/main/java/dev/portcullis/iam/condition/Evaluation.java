package dev.portcullis.iam.condition;
public record Evaluation(boolean value, java.util.Optional<String> error) {}
