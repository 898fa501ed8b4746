package io.helmoci.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The registry client and the content store are building blocks of the {@link ChartPuller} facade, never its users. */
@AnalyzeClasses(packages = "io.helmoci.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineLayeringTest {

    @ArchTest
    static final ArchRule registryAndStoreDoNotUseTheFacade = noClasses()
            .that()
            .resideInAnyPackage("io.helmoci.engine.registry..", "io.helmoci.engine.store..")
            .should()
            .dependOnClassesThat()
            .haveSimpleNameStartingWith("ChartPuller")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName(PullRequest.class.getName())
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName(Resolution.class.getName())
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName(PullResult.class.getName());

    @ArchTest
    static final ArchRule storeKnowsNoHttp = noClasses()
            .that()
            .resideInAPackage("io.helmoci.engine.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("okhttp3..", "okio..");
}
