package io.predicator.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The resolver contract, run through the JUnit Platform's EngineTestKit against resolvers that each break it in one
 * way: exactly the requirements they break fail, and every failure names its requirement in plain words.
 */
class BrokenResolverContractTests {
    private static final Pattern REQUIREMENT = Pattern.compile("^Requirement (R\\d+) '([^']+)' broken: ");

    @Test
    void blankIdBreaksOnlyR1() {
        List<String> messages = failures(BrokenResolvers.BlankId.class);

        assertThat(requirements(messages)).containsExactly("R1");
        assertThat(messages).singleElement().asString()
                .startsWith("Requirement R1 'the id is non-blank and stable' broken: id() returned a blank id");
    }

    @Test
    void acceptingNullBreaksOnlyR2() {
        List<String> messages = failures(BrokenResolvers.AcceptsNull.class);

        assertThat(requirements(messages)).containsExactly("R2");
        assertThat(messages).singleElement().asString()
                .startsWith("Requirement R2 'null is rejected' broken: resolve(null) returned Optional.empty instead "
                        + "of throwing NullPointerException");
    }

    @Test
    void throwingOnUnknownNamesBreaksR3AndTheChecksThatProbeUnknownNames() {
        List<String> messages = failures(BrokenResolvers.ThrowsOnUnknownNames.class);

        assertThat(requirements(messages)).containsExactly("R3", "R5", "R6");
        assertThat(messages).anySatisfy(message -> assertThat(message)
                .startsWith("Requirement R3 'unknown names give empty, never an exception' broken: resolve(")
                .contains("threw: java.lang.IllegalArgumentException: unknown symbol"));
    }

    @Test
    void resolvingARefusedSymbolBreaksR4AndR9() {
        List<String> messages = failures(BrokenResolvers.LeaksARefusedSymbol.class);

        assertThat(requirements(messages)).containsExactly("R4", "R9");
        assertThat(messages).anySatisfy(message -> assertThat(message).startsWith(
                "Requirement R9 'refused symbols keep a plugin from loading' broken: resolve(\"getpid\") gave"));
        assertThat(messages).anySatisfy(message -> assertThat(message).startsWith(
                "Requirement R4 'samples resolve or are refused as declared' broken: sample getpid must be refused"));
    }

    @Test
    void changingAnswersBreakDeterminismConcurrencyAndLinking() {
        List<String> messages = failures(BrokenResolvers.Nondeterministic.class);

        assertThat(requirements(messages)).contains("R5", "R6").doesNotContain("R1", "R2", "R3", "R4");
        assertThat(messages).anySatisfy(message -> assertThat(message)
                .startsWith("Requirement R5 'answers are deterministic' broken: resolve(\"strlen\") gave 0x"));
        assertThat(messages).anySatisfy(message -> assertThat(message)
                .startsWith("Requirement R6 'concurrent resolution is consistent' broken: thread "));
    }

    @Test
    void aFunctionThatComputesSomethingElseBreaksOnlyR7() {
        List<String> messages = failures(BrokenResolvers.WrongFunction.class);

        assertThat(requirements(messages)).containsExactly("R7");
        assertThat(messages).singleElement().asString()
                .startsWith("Requirement R7 'resolved functions work in a JIT-linked plugin' broken: sqrt(2.0) "
                        + "returned 1.2599")
                .endsWith(" through the plugin, expected " + Math.sqrt(2.0));
    }

    @Test
    void aMissingCompilerHelperBreaksOnlyR10() {
        List<String> messages = failures(BrokenResolvers.MissingCompilerHelper.class);

        assertThat(requirements(messages)).containsExactly("R10");
        assertThat(messages).singleElement().asString().startsWith(
                "Requirement R10 'the compiler helpers resolve and work' broken: resolve(\"__umodti3\") gave "
                        + "Optional.empty, so no plugin can link against it");
    }

    @Test
    void anUndeclaredCapabilityBreaksOnlyR0() {
        List<String> messages = failures(BrokenResolvers.UndeclaredCapability.class);

        assertThat(requirements(messages)).containsExactly("R0");
        assertThat(messages).singleElement().asString().isEqualTo(
                "Requirement R0 'the declared capabilities are backed by the samples' broken: the contract has a data "
                        + "sample that resolves (SampleSymbol.data(...)) but does not declare RESOLVES_DATA; declare it "
                        + "in capabilities() so that it is checked");
    }

    @Test
    void anUnregisteredProviderBreaksR12() {
        List<String> messages = failures(BrokenResolvers.UnregisteredProvider.class);

        assertThat(requirements(messages)).containsExactly("R12");
        assertThat(messages).allSatisfy(message -> assertThat(message)
                .contains("ServiceLoader finds no SymbolResolverProvider with id 'not-registered-anywhere'")
                .contains("testkit-minimal")
                .contains("META-INF/services/io.predicator.spi.SymbolResolverProvider"));
    }

    @Test
    void aProviderAcceptingUnknownKeysBreaksOnlyR13() {
        List<String> messages = failures(BrokenResolvers.LenientProvider.class);

        assertThat(requirements(messages)).containsExactly("R13");
        assertThat(messages).singleElement().asString().startsWith(
                "Requirement R13 'the provider rejects unknown configuration keys' broken: provider 'testkit-lenient' "
                        + "accepted the unknown key");
    }

    /** Runs a contract class and returns the message of every failed test or container; all must name a requirement. */
    private static List<String> failures(Class<?> contractClass) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(contractClass))
                .execute();
        assertThat(results.testEvents().started().count()).as("tests run for %s", contractClass.getSimpleName())
                .isGreaterThan(10);
        List<String> messages = results.allEvents().failed().stream()
                .map(BrokenResolverContractTests::message)
                .toList();
        assertThat(messages).as("failures of %s", contractClass.getSimpleName())
                .isNotEmpty()
                .allSatisfy(message -> assertThat(message).matches(REQUIREMENT.pattern() + "(?s).*"));
        return messages;
    }

    private static String message(Event event) {
        Throwable thrown = event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        return String.valueOf(thrown.getMessage());
    }

    private static Set<String> requirements(List<String> messages) {
        Set<String> codes = new TreeSet<>((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)),
                Integer.parseInt(b.substring(1))));
        for (String message : messages) {
            Matcher matcher = REQUIREMENT.matcher(message);
            if (matcher.find()) {
                codes.add(matcher.group(1));
            }
        }
        return codes;
    }
}
