package io.helmoci.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The operator's layers: API types apart from logic (Keycloak/Flink style), the reconciliation
 * steps free of the operator SDK and Quarkus (so they are tested with a fake engine), and the
 * engine reached only through {@code io.helmoci.operator.source}.
 */
@AnalyzeClasses(packages = "io.helmoci.operator", importOptions = ImportOption.DoNotIncludeTests.class)
class OperatorArchitectureTest {

    @ArchTest
    static final ArchRule apiTypesHoldNoLogic = noClasses()
            .that()
            .resideInAPackage("io.helmoci.operator.api.v1alpha1..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.helmoci.operator.reconciler..",
                    "io.helmoci.operator.source..",
                    "io.helmoci.operator.artifacts..",
                    "io.helmoci.operator.credentials..",
                    "io.helmoci.engine..",
                    "io.javaoperatorsdk..",
                    "io.quarkus..")
            .because("the API types describe the resource; behaviour lives elsewhere");

    @ArchTest
    static final ArchRule stepsDoNotNeedTheOperatorSdkOrQuarkus = noClasses()
            .that()
            .haveSimpleName("ChartSync")
            .or()
            .haveSimpleName("HelmOciChartStatusAggregator")
            .or()
            .haveSimpleName("SyncContext")
            .or()
            .implement("io.helmoci.operator.reconciler.SyncStep")
            .or()
            .resideInAnyPackage("io.helmoci.operator.credentials..", "io.helmoci.operator.source..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.javaoperatorsdk..", "io.quarkus..", "jakarta.enterprise..")
            .because("the reconciliation steps run in plain unit tests with a fake ChartSource");

    @ArchTest
    static final ArchRule engineOnlyThroughTheSourceAdapter = noClasses()
            .that()
            .resideInAnyPackage(
                    "io.helmoci.operator.reconciler..",
                    "io.helmoci.operator.artifacts..",
                    "io.helmoci.operator.credentials..",
                    "io.helmoci.operator.api..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.helmoci.engine.registry..",
                    "io.helmoci.engine.store..",
                    "io.helmoci.engine.chart..",
                    "io.helmoci.engine.reference..")
            .because("EngineChartSource is the one mapping onto the engine");
}
