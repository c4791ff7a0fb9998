package dev.portcullis.iam.condition;
public final class Conditions { public static CompiledCondition compile(String e) throws ConditionException { throw new ConditionException("PLACEHOLDER"); } }
