package io.helmoci.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The engine (registry client, version selection, chart verification) is a plain library: the
 * operator and the command line use it, never the other way round, and it works without
 * Kubernetes or Quarkus on the class path.
 */
@AnalyzeClasses(packages = "io.helmoci", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineArchitectureTest {

    @ArchTest
    static final ArchRule engineUsesNoKubernetesOrQuarkus = noClasses()
            .that()
            .resideInAPackage("io.helmoci.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.fabric8..", "io.javaoperatorsdk..", "io.quarkus..", "io.quarkiverse..", "jakarta.enterprise..")
            .because("the engine must stay usable without Kubernetes or Quarkus (README, \"The pull engine\")");

    @ArchTest
    static final ArchRule engineDoesNotDependOnItsUsers = noClasses()
            .that()
            .resideInAPackage("io.helmoci.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.helmoci.operator..", "io.helmoci.cli..")
            .because("the operator and the command line build on the engine, not the other way round");
}
