package io.predicator.testkit;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Every requirement of both contracts can fail: each deliberately broken backend or resolver ({@link Breaks}) fails
 * the requirements it is built to break, run through EngineTestKit, and together they break every requirement. A
 * requirement added without a broken implementation that shows its check working fails here.
 */
class EveryRequirementCanFailTests {
    private static final Pattern REQUIREMENT = Pattern.compile("^Requirement ([BR]\\d+) '[^']+' broken: ");
    private static final List<Class<?>> BROKEN = Stream.of(BrokenBackends.class, BrokenPlugins.class,
                    BrokenResolvers.class)
            .flatMap(holder -> Arrays.stream(holder.getDeclaredClasses()))
            .filter(type -> type.isAnnotationPresent(Breaks.class))
            .toList();

    @TestFactory
    Stream<DynamicTest> eachBrokenImplementationBreaksWhatItIsBuiltToBreak() {
        return BROKEN.stream().map(type -> DynamicTest.dynamicTest(type.getSimpleName(), () ->
                assertThat(brokenBy(type)).as("requirements %s breaks", type.getSimpleName())
                        .contains(type.getAnnotation(Breaks.class).value())));
    }

    @TestFactory
    Stream<DynamicTest> everyRequirementHasABrokenImplementation() {
        Set<String> declared = BROKEN.stream().flatMap(type -> Arrays.stream(type.getAnnotation(Breaks.class).value()))
                .collect(Collectors.toSet());
        return Stream.concat(Arrays.stream(BackendRequirement.values()), Arrays.stream(ResolverRequirement.values()))
                .map(requirement -> DynamicTest.dynamicTest(requirement.toString(), () -> assertThat(declared)
                        .as("a broken implementation shows that %s can fail", requirement)
                        .contains(requirement.code())));
    }

    /** Runs the broken implementation's contract; returns the codes of the requirements its failures name. */
    private static Set<String> brokenBy(Class<?> contractClass) {
        List<String> messages = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contractClass)).execute()
                .allEvents().failed().stream()
                .map(event -> String.valueOf(event.getRequiredPayload(TestExecutionResult.class).getThrowable()
                        .orElseThrow().getMessage()))
                .toList();
        Set<String> codes = new TreeSet<>();
        for (String message : messages) {
            Matcher matcher = REQUIREMENT.matcher(message);
            assertThat(matcher.find()).as("every failure names its requirement: %s", message).isTrue();
            codes.add(matcher.group(1));
        }
        return codes;
    }
}
