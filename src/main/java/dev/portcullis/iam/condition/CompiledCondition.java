package dev.portcullis.iam.condition;
public interface CompiledCondition { String expression(); Evaluation evaluate(RequestAttributes request); java.util.Map<String,Object> referencedValues(RequestAttributes r); }
