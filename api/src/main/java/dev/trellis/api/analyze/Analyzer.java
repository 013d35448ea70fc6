package dev.trellis.api.analyze;

/** One analysis over the whole input; reports through the context. Analyzers are stateless. */
public interface Analyzer {

    /** Istio's name for the analyzer, e.g. {@code virtualservice.GatewayAnalyzer}. */
    String name();

    /** One line saying what it checks. */
    String description();

    void analyze(AnalysisContext ctx);
}
