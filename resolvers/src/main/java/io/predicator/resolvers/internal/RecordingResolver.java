package io.predicator.resolvers.internal;

import io.predicator.resolvers.AuditingResolver;
import io.predicator.resolvers.Resolution;
import io.predicator.resolvers.Resolution.Outcome;
import io.predicator.spi.SymbolResolver;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.util.Objects.requireNonNull;

/**
 * Answers as its delegate and records each answer; the record queue is lock-free, so loading threads never wait
 * on each other here.
 */
final class RecordingResolver implements AuditingResolver, AttributingResolver {
    private final SymbolResolver delegate;
    private final ConcurrentLinkedQueue<Resolution> resolutions = new ConcurrentLinkedQueue<>();

    RecordingResolver(SymbolResolver delegate) {
        this.delegate = requireNonNull(delegate, "resolver is null");
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public Answer answer(String symbol) {
        requireNonNull(symbol, "symbol is null");
        Answer answer;
        try {
            answer = Answer.ask(delegate, symbol);
        } catch (RuntimeException | Error e) {
            resolutions.add(new Resolution(symbol, Optional.empty(), Optional.empty(), Outcome.FAILED));
            throw e;
        }
        resolutions.add(new Resolution(symbol, answer.resolverId(), answer.address(), answer.outcome()));
        return answer;
    }

    @Override
    public List<String> consultedIds() {
        return delegate.consultedIds();
    }

    @Override
    public List<Resolution> resolutions() {
        return List.copyOf(resolutions);
    }

    @Override
    public String toString() {
        return "AuditingResolver[" + delegate.id() + ", " + resolutions.size() + " resolutions]";
    }
}
