package dev.portcullis.iam.condition;
public final class ConditionException extends Exception { public ConditionException(String m){super(m);} public int line(){return 0;} public int column(){return 0;} }
