package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.orc.OrcBackend;
import io.predicator.spi.SymbolResolver;

import java.util.EnumSet;
import java.util.Set;

/** The ORC backend honours the backend contract in full. */
class OrcBackendContractTests implements BackendContract {

    @Override
    public JitContext createContext(SymbolResolver resolver) {
        return JitContext.builder().resolver(resolver).build(new OrcBackend());
    }

    @Override
    public Set<BackendCapability> capabilities() {
        return EnumSet.allOf(BackendCapability.class);
    }
}
