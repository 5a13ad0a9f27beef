package io.predicator.resolvers.internal;

import io.predicator.resolvers.Resolution.Outcome;
import io.predicator.spi.SymbolResolver;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Asks its members in order; the first that provides a symbol wins. Immutable.
 */
final class ChainResolver implements AttributingResolver {
    private final List<SymbolResolver> members;
    private final String id;

    ChainResolver(List<? extends SymbolResolver> members) {
        requireNonNull(members, "resolvers is null");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one resolver");
        }
        List<SymbolResolver> copy = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            copy.add(requireNonNull(members.get(i), "resolvers[" + i + "] is null"));
        }
        this.members = List.copyOf(copy);
        this.id = this.members.stream().map(SymbolResolver::id).collect(Collectors.joining(",", "chain(", ")"));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Answer answer(String symbol) {
        requireNonNull(symbol, "symbol is null");
        Answer denied = null;
        for (SymbolResolver member : members) {
            Answer answer = Answer.ask(member, symbol);
            if (answer.isResolved()) {
                return answer;
            }
            if (denied == null && answer.outcome() == Outcome.DENIED) {
                denied = answer;
            }
        }
        return denied != null ? denied : Answer.missing();
    }

    @Override
    public List<String> consultedIds() {
        List<String> ids = new ArrayList<>();
        for (SymbolResolver member : members) {
            ids.addAll(member.consultedIds());
        }
        return List.copyOf(ids);
    }

    @Override
    public String toString() {
        return "SymbolResolver[" + id + "]";
    }
}
