package dev.portcullis.service;

/** One bad field in a request: which field and what to do about it. */
public record FieldError(String field, String message) {}
