package io.helmoci.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The engine is a plain library: no Kubernetes client, operator SDK or Quarkus in it. */
class EngineIndependenceTest {
    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.helmoci.engine");

    @Test
    void engineImportsNoKubernetesOperatorOrQuarkusTypes() {
        noClasses().that().resideInAPackage("io.helmoci.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..", "io.quarkus..",
                        "io.quarkiverse..", "jakarta.enterprise..", "jakarta.inject..")
                .check(ENGINE);
    }

    @Test
    void storeAndRegistryDoNotDependOnTheFacade() {
        noClasses().that().resideInAnyPackage("io.helmoci.engine.registry..", "io.helmoci.engine.store..")
                .should().dependOnClassesThat().haveSimpleNameStartingWith("ChartPuller")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.helmoci.engine.PullRequest")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.helmoci.engine.Resolution")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.helmoci.engine.PullResult")
                .check(ENGINE);
    }
}
